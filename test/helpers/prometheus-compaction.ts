/**
 * @module test/helpers/prometheus-compaction — makes a real Prometheus 2.42 compact the blocks in
 * its TSDB dir now, not after its one-minute timer: a remote-write of a few hours of one
 * `compaction_trigger` series (after the last block) makes the head compactable, and the append
 * commit wakes the compaction loop (head first, then the leveled planner over the blocks).
 * `waitCompactionsSettled` polls `prometheus_tsdb_compactions_total` until it stops moving.
 */
import { snappyEncode } from '../../sidecar-agent/prometheus/snappy.ts';

export const TRIGGER_METRIC = 'compaction_trigger';

class Pb {
  readonly bytes: number[] = [];
  varint(v: number): void {
    let x = BigInt.asUintN(64, BigInt(v));
    while (x >= 0x80n) {
      this.bytes.push(Number(x & 0x7fn) | 0x80);
      x >>= 7n;
    }
    this.bytes.push(Number(x));
  }
  tag(field: number, wire: number): void {
    this.varint((field << 3) | wire);
  }
  bytesField(field: number, b: Uint8Array | number[]): void {
    this.tag(field, 2);
    this.varint(b.length);
    for (const x of b) this.bytes.push(x);
  }
  string(field: number, s: string): void {
    this.bytesField(field, new TextEncoder().encode(s));
  }
  double(field: number, v: number): void {
    this.tag(field, 1);
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, v, true);
    for (const x of b) this.bytes.push(x);
  }
}

/** prompb.WriteRequest with one series of samples every `step` ms in [from, to). */
export function writeRequest(name: string, from: number, to: number, step: number): Uint8Array {
  const ts = new Pb();
  const label = new Pb();
  label.string(1, '__name__');
  label.string(2, name);
  ts.bytesField(1, label.bytes);
  for (let t = from; t < to; t += step) {
    const s = new Pb();
    s.double(1, 1);
    s.tag(2, 0);
    s.varint(t);
    ts.bytesField(2, s.bytes);
  }
  const req = new Pb();
  req.bytesField(1, ts.bytes);
  return Uint8Array.from(req.bytes);
}

/** Pushes `compaction_trigger` samples over [from, from + 4h) (Prometheus needs the receiver flag). */
export async function triggerCompaction(url: string, from: number): Promise<void> {
  const body = snappyEncode(writeRequest(TRIGGER_METRIC, from, from + 4 * 3600_000, 60_000));
  const r = await fetch(`${url}/api/v1/write`, {
    method: 'POST',
    body: new Blob([body.slice()]),
    headers: {
      'content-type': 'application/x-protobuf',
      'content-encoding': 'snappy',
      'x-prometheus-remote-write-version': '0.1.0',
    },
  });
  if (!r.ok) throw new Error(`remote write: ${r.status} ${await r.text()}`);
}

export async function metricValue(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : NaN;
}

/**
 * Waits until `prometheus_tsdb_compactions_total` reaches `atLeast` and stays put for `quietMs`;
 * returns the count.
 */
export async function waitCompactionsSettled(
  url: string,
  atLeast: number,
  quietMs = 1500,
  timeoutMs = 60_000,
): Promise<number> {
  const end = Date.now() + timeoutMs;
  let last = -1;
  let since = Date.now();
  while (Date.now() < end) {
    const n = await metricValue(url, 'prometheus_tsdb_compactions_total');
    if (n !== last) {
      last = n;
      since = Date.now();
    } else if (n >= atLeast && Date.now() - since >= quietMs) return n;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`prometheus compactions did not settle (last count ${last})`);
}
