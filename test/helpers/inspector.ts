/**
 * @module test/helpers/inspector — reads a workerd isolate's V8 heap through the inspector
 * (Miniflare's `inspectorPort`, one target per worker, e.g. `core:user:querier`): the used heap
 * now, after a full GC, and its peak while a piece of work runs (sampled every few ms).
 */
import WebSocket from 'ws';

export interface IsolateHeap {
  /** Used heap bytes now. */
  used(): Promise<number>;
  /** Runs a full GC, then reads the used heap. */
  settled(): Promise<number>;
  /** The peak used heap while `work` runs (and the work's result). */
  peakDuring<T>(work: () => Promise<T>, everyMs?: number): Promise<{ peak: number; result: T }>;
  close(): void;
}

export async function connectIsolate(port: number, target: string): Promise<IsolateHeap> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/${target}`);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  let id = 0;
  const pending = new Map<number, (r: unknown) => void>();
  ws.on('message', (data) => {
    const m = JSON.parse(String(data)) as { id?: number; result?: unknown };
    if (m.id !== undefined) pending.get(m.id)?.(m.result);
    if (m.id !== undefined) pending.delete(m.id);
  });
  const call = (method: string): Promise<unknown> =>
    new Promise((resolve) => {
      const n = ++id;
      pending.set(n, resolve);
      ws.send(JSON.stringify({ id: n, method }));
    });
  const used = async (): Promise<number> =>
    ((await call('Runtime.getHeapUsage')) as { usedSize: number }).usedSize;
  return {
    used,
    async settled() {
      await call('HeapProfiler.collectGarbage');
      return used();
    },
    async peakDuring(work, everyMs = 5) {
      let peak = await used();
      let done = false;
      const sampler = (async () => {
        while (!done) {
          peak = Math.max(peak, await used());
          await new Promise((r) => setTimeout(r, everyMs));
        }
      })();
      try {
        const result = await work();
        return { peak: Math.max(peak, await used()), result };
      } finally {
        done = true;
        await sampler;
      }
    },
    close: () => ws.close(),
  };
}
