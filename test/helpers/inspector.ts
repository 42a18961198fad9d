/**
 * @module test/helpers/inspector — reads a workerd isolate's V8 heap through the inspector
 * (Miniflare's `inspectorPort`, one target per worker, e.g. `core:user:querier`): the used heap
 * now, and the peak of the live heap while a piece of work runs — each sample taken right after a
 * full GC, so garbage the collector has not reached yet does not count. workerd runs a GC asked
 * for over the inspector when the isolate next runs, so samples come only while it works.
 */
import WebSocket from 'ws';

export interface IsolateHeap {
  /** Used heap bytes now (garbage included). */
  used(): Promise<number>;
  /** Live heap after a full GC, sampled while `work` runs; its peak and the work's result. */
  peakLiveDuring<T>(
    work: () => Promise<T>,
    intervalMs?: number,
  ): Promise<{ peak: number; samples: number; result: T }>;
  close(): void;
}

/** A session on one inspector target: Chrome DevTools Protocol calls and their results. */
export interface InspectorSession {
  call(method: string, params?: object): Promise<unknown>;
  close(): void;
}

export async function openInspector(port: number, target: string): Promise<InspectorSession> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/${target}`);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  let id = 0;
  const pending = new Map<number, (r: unknown) => void>();
  ws.on('message', (data) => {
    const m = JSON.parse(String(data)) as { id?: number; result?: unknown };
    if (m.id === undefined) return;
    pending.get(m.id)?.(m.result);
    pending.delete(m.id);
  });
  return {
    call: (method, params = {}) =>
      new Promise((resolve) => {
        const n = ++id;
        pending.set(n, resolve);
        ws.send(JSON.stringify({ id: n, method, params }));
      }),
    close: () => ws.close(),
  };
}

export async function connectIsolate(port: number, target: string): Promise<IsolateHeap> {
  const { call, close } = await openInspector(port, target);
  const used = async (): Promise<number> =>
    ((await call('Runtime.getHeapUsage')) as { usedSize: number }).usedSize;
  return {
    used,
    // A full GC on every turn would slow a busy isolate many times over: pause between samples.
    async peakLiveDuring(work, intervalMs = 20) {
      let peak = 0;
      let samples = 0;
      let done = false;
      let finished!: () => void;
      const over = new Promise<void>((r) => (finished = r));
      const sampler = (async () => {
        while (!done) {
          // The GC's answer comes when the isolate runs: while the work goes on, or never.
          await Promise.race([call('HeapProfiler.collectGarbage'), over]);
          if (done) break;
          const bytes = await Promise.race([used(), over.then(() => undefined)]);
          if (bytes === undefined) break;
          peak = Math.max(peak, bytes);
          samples++;
          await Promise.race([new Promise((r) => setTimeout(r, intervalMs)), over]);
        }
      })();
      try {
        const result = await work();
        return { peak, samples, result };
      } finally {
        done = true;
        finished();
        await sampler;
      }
    },
    close,
  };
}
