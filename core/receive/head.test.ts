import { describe, expect, it } from 'vitest';
import { isStaleNaN } from '../chunkenc/stale.ts';
import { BadDataError, LimitExceededError } from '../errors.ts';
import { labelsToString } from '../labels/labels.ts';
import { newMatcher } from '../labels/matcher.ts';
import { Block } from '../tsdb/block-reader.ts';
import { decodeSeriesSamples } from '../tsdb/series-samples.ts';
import { MemoryBlockSink } from '../tsdb/writer/sink.ts';
import { decodeXor, xorSampleCount } from '../chunkenc/xor.ts';
import { memoryBlockDir } from '../../test/helpers/block-dir.ts';
import { encodeWriteRequest, type WriteSeriesInput } from '../../test/helpers/remote-write.ts';
import { cutBlock, cuttableRange, truncateHead } from './cut.ts';
import { ReceiveHead } from './head.ts';
import { keyString } from './series-keys.ts';
import { HeadStore } from './head-store.ts';
import { canonicalKey, decodeWriteRequest, labelsOfSeries } from './write-request.ts';

const D = 2 * 3600_000;
const batch = (s: WriteSeriesInput[]) => decodeWriteRequest(encodeWriteRequest(s));
const up = (job: string, samples: Array<[number, number | 'stale']>): WriteSeriesInput => ({
  labels: { __name__: 'up', job },
  samples,
});

describe('remote write decoding', () => {
  it('keeps labels, timestamps (negative too) and NaN payloads', () => {
    const b = batch([
      up('a', [
        [-5, 1],
        [10, 'stale'],
      ]),
      up('b', [[3, 2.5]]),
    ]);
    expect(b.series.map((s) => labelsToString(labelsOfSeries(b.body, s)))).toEqual([
      '{__name__="up", job="a"}',
      '{__name__="up", job="b"}',
    ]);
    expect(Array.from(b.t)).toEqual([-5, 10, 3]);
    const f = new Float64Array(1);
    const w = new Uint32Array(f.buffer);
    w[1] = b.v[2]!;
    w[0] = b.v[3]!;
    expect(isStaleNaN(f, 0)).toBe(true);
  });

  it('rejects what Thanos receive rejects, naming the series', () => {
    const labelsOf = (input: WriteSeriesInput, unsorted = false) => {
      const b = decodeWriteRequest(encodeWriteRequest([input], unsorted));
      return labelsOfSeries(b.body, b.series[0]!);
    };
    expect(() =>
      labelsOf({ labels: { job: 'x', __name__: 'up' }, samples: [[1, 1]] }, true),
    ).toThrow(/not sorted.*job="x"/);
    expect(() => labelsOf({ labels: { __name__: 'up', '1bad': 'x' }, samples: [[1, 1]] })).toThrow(
      /invalid label name "1bad"/,
    );
    expect(() => labelsOf({ labels: { __name__: 'up', job: '' }, samples: [[1, 1]] })).toThrow(
      /empty value for label "job"/,
    );
    expect(() => labelsOf({ labels: {}, samples: [[1, 1]] })).toThrow(/no labels/);
    expect(() => decodeWriteRequest(new Uint8Array([0x0a, 0x05, 0x01]))).toThrow(BadDataError);
    // The head validates what it has not seen: an unsorted series is refused there.
    const head = new ReceiveHead({ blockDuration: D });
    expect(() =>
      head.append(
        't',
        decodeWriteRequest(
          encodeWriteRequest([{ labels: { job: 'x', __name__: 'up' }, samples: [[1, 1]] }], true),
        ),
      ),
    ).toThrow(/not sorted/);
    expect(head.numSeries).toBe(0);
  });

  it('finds a series by its label bytes, and by its labels when sent in another encoding', () => {
    const head = new ReceiveHead({ blockDuration: D });
    const b = batch([up('a', [[1, 1]])]);
    expect(keyString(b.body, b.series[0]!)).toBe(
      canonicalKey(labelsOfSeries(b.body, b.series[0]!)),
    );
    head.append('t', b);
    // The same labels with each label's fields in the other order (value before name).
    const enc = new TextEncoder();
    const field = (tag: number, b: number[]) => [tag, b.length, ...b];
    const label = (n: string, v: string) =>
      field(0x0a, [...field(0x12, [...enc.encode(v)]), ...field(0x0a, [...enc.encode(n)])]);
    const sample = field(0x12, [0x09, 0, 0, 0, 0, 0, 0, 0x08, 0x40, 0x10, 3]);
    const ts = [...label('__name__', 'up'), ...label('job', 'a'), ...sample];
    const odd = decodeWriteRequest(new Uint8Array(field(0x0a, ts)));
    expect(keyString(odd.body, odd.series[0]!)).not.toBe(keyString(b.body, b.series[0]!));
    expect(head.append('t', odd)).toMatchObject({ samples: 1, newSeries: [] });
    // Found again by that encoding without decoding; the two encodings are one series.
    expect(head.append('t', batch([up('a', [[4, 2]])])).newSeries).toEqual([]);
    expect(head.numSeries).toBe(1);
  });

  it('creates a series once when one request sends it several times, in either encoding', () => {
    const head = new ReceiveHead({ blockDuration: D });
    const enc = new TextEncoder();
    const field = (tag: number, b: number[]) => [tag, b.length, ...b];
    const label = (n: string, v: string) =>
      field(0x0a, [...field(0x12, [...enc.encode(v)]), ...field(0x0a, [...enc.encode(n)])]);
    const sample = (t: number) => field(0x12, [0x09, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 0x10, t]);
    // New to the head: value-first encoding at t=1, then canonical at t=2 and t=3, in one request.
    const odd = field(0x0a, [...label('__name__', 'up'), ...label('job', 'b'), ...sample(1)]);
    const canonical = [...encodeWriteRequest([up('b', [[2, 1]]), up('b', [[3, 1]])])];
    const r = head.append('t', decodeWriteRequest(new Uint8Array([...odd, ...canonical])));
    expect(r.samples).toBe(3);
    expect(r.newSeries.map((s) => labelsToString(s.labels))).toEqual(['{__name__="up", job="b"}']);
    expect(head.numSeries).toBe(1);
    // Both encodings find it afterwards, with nothing decoded anew.
    expect(
      head.append(
        't',
        decodeWriteRequest(new Uint8Array(odd.map((b, i) => (i === odd.length - 1 ? 4 : b)))),
      ).newSeries,
    ).toEqual([]);
    expect(head.append('t', batch([up('b', [[5, 1]])])).samples).toBe(1);
    expect(head.numSeries).toBe(1);
  });
});

describe('remote write unknown fields', () => {
  it('skips metadata, exemplars and unknown fields', () => {
    const enc = new TextEncoder();
    const field = (tag: number, b: number[]) => [tag, b.length, ...b];
    const one = encodeWriteRequest([{ labels: { __name__: 'up', job: 'a' }, samples: [[7, 1]] }]);
    // TimeSeries with an exemplar (field 3) after the sample; WriteRequest metadata (field 3).
    const ts = [...one.subarray(2), ...field(0x1a, [...field(0x0a, [...enc.encode('x')])])];
    const metadata = field(0x1a, [0x08, 0x01, ...field(0x12, [...enc.encode('up')])]);
    const body = new Uint8Array([...metadata, ...field(0x0a, ts), ...metadata]);
    const b = decodeWriteRequest(body);
    expect(b.series).toHaveLength(1);
    expect(Array.from(b.t)).toEqual([7]);
    expect(labelsToString(labelsOfSeries(b.body, b.series[0]!))).toBe('{__name__="up", job="a"}');
  });
});

describe('receive head', () => {
  it('applies Prometheus append rules, all or nothing per request', () => {
    const head = new ReceiveHead({ blockDuration: D });
    expect(
      head.append(
        't',
        batch([
          up('a', [
            [1000, 1],
            [2000, 2],
          ]),
        ]),
      ).samples,
    ).toBe(2);
    // Exact resend: skipped, not an error.
    const again = head.append('t', batch([up('a', [[2000, 2]])]));
    expect(again).toMatchObject({ samples: 0, duplicates: 1 });
    expect(() => head.append('t', batch([up('b', [[5000, 1]]), up('a', [[1500, 9]])]))).toThrow(
      /out of order sample.*job="a"/,
    );
    expect(() => head.append('t', batch([up('a', [[2000, 3]])]))).toThrow(
      /duplicate sample for timestamp 2000.*job="a"/,
    );
    // The rejected request left nothing behind: series b does not exist.
    expect(head.numSeries).toBe(1);
    head.append('t', batch([up('a', [[D, 1]])]));
    expect(() => head.append('t', batch([up('c', [[D / 2 - 1, 1]])]))).toThrow(
      /out of bounds.*too old.*job="c"/,
    );
    // Another tenant has its own head and its own bounds.
    expect(head.append('u', batch([up('a', [[1500, 9]])])).samples).toBe(1);
  });

  it('holds the label strings of series it keeps, not of requests it refuses', () => {
    const head = new ReceiveHead({ blockDuration: D, maxSeriesPerTenant: 2 });
    head.append('t', batch([up('a', [[1, 1]])]));
    const held = head.heldStrings;
    expect(held).toBe(4); // __name__, up, job, a
    // Refused: over the series limit (429), and out of order after a new series (400).
    const fresh = (job: string, t: number): WriteSeriesInput => ({
      labels: { __name__: 'up', job, pod: `pod-${job}` },
      samples: [[t, 1]],
    });
    expect(() => head.append('t', batch([fresh('b', 2), fresh('c', 2)]))).toThrow(
      LimitExceededError,
    );
    expect(() => head.append('t', batch([fresh('d', 2), up('a', [[0, 1]])]))).toThrow(BadDataError);
    expect(head.heldStrings).toBe(held);
    head.append('t', batch([fresh('b', 3)]));
    expect(head.heldStrings).toBe(held + 3); // b, pod, pod-b
  });

  it('limits series per tenant with a LimitExceededError', () => {
    const head = new ReceiveHead({ blockDuration: D, maxSeriesPerTenant: 2 });
    head.append('t', batch([up('a', [[1, 1]]), up('b', [[1, 1]])]));
    expect(() => head.append('t', batch([up('c', [[2, 1]])]))).toThrow(LimitExceededError);
    expect(head.append('t', batch([up('a', [[2, 1]])])).samples).toBe(1);
  });

  it('replays its log rows into an equal head', () => {
    const a = new ReceiveHead({ blockDuration: D });
    const logged: Array<{ series: Array<[number, string]>; rows: Uint8Array }> = [];
    for (let i = 0; i < 5; i++) {
      const r = a.append('t', batch([up('a', [[i * 1000, i]]), up(`n${i}`, [[i * 1000, -i]])]));
      logged.push({
        series: r.newSeries.map((s) => [s.ref, labelsToString(s.labels)]),
        rows: r.rows,
      });
    }
    const b = new ReceiveHead({ blockDuration: D });
    for (const rec of logged) {
      for (const [ref] of rec.series) {
        const s = [...a.tenants.get('t')!.series.values()].find((x) => x.ref === ref)!;
        b.restoreSeries(ref, 't', s.labels);
      }
      b.replayRows(rec.rows);
    }
    // Replaying twice changes nothing.
    for (const rec of logged) expect(b.replayRows(rec.rows)).toBe(0);
    const dump = (h: ReceiveHead) =>
      [...h.tenants.get('t')!.series.values()].map((s) => [
        labelsToString(s.labels),
        s.maxT,
        s.app!.bytes(),
      ]);
    expect(dump(b)).toEqual(dump(a));
  });
});

describe('block cut and head store', () => {
  it('cuts a range by the clock only once the tenant is idle, never while a sender catches up', () => {
    const head = new ReceiveHead({ blockDuration: D });
    head.append('t', batch([up('a', [[D - 1000, 1]])]));
    const tenant = head.tenants.get('t')!;
    const wrote = tenant.lastAppendAt;
    // Long past the range's end by the clock, but the tenant wrote just now (a backlog): no cut.
    expect(cuttableRange(tenant, D, Math.max(wrote, 2 * D))).toBeUndefined();
    // Half a block without a write: the tenant is idle, its range goes to the bucket.
    const later = Math.max(wrote, D) + D / 2;
    expect(cuttableRange(tenant, D, later)).toEqual({ minTime: 0, maxTime: D });
    // A write that adds nothing (a resend) does not make the tenant active again.
    tenant.lastAppendAt = wrote - D;
    head.append('t', batch([up('a', [[D - 1000, 1]])]));
    expect(tenant.lastAppendAt).toBe(wrote - D);
  });

  it('cuts the oldest complete range into a block and keeps the rest servable', async () => {
    const head = new ReceiveHead({ blockDuration: D });
    const step = 15_000;
    for (let t = 0; t <= 1.6 * D; t += step) {
      head.append('t', batch([up('a', [[t, t / step]]), up('b', [[t, t % 7]])]));
    }
    const tenant = head.tenants.get('t')!;
    const range = cuttableRange(tenant, D, 1.6 * D)!;
    expect(range).toEqual({ minTime: 0, maxTime: D });
    const mem = new MemoryBlockSink();
    const ext = [
      { name: 'receive', value: '0' },
      { name: 'tenant_id', value: 't' },
    ];
    const { meta } = await cutBlock(head, tenant, range, {
      externalLabels: ext,
      openSink: () => mem,
    });
    expect(meta!.thanos).toMatchObject({
      labels: { receive: '0', tenant_id: 't' },
      source: 'receive',
    });
    expect([meta!.minTime, meta!.maxTime]).toEqual([0, D]);
    const block = await Block.open(memoryBlockDir(mem.files));
    const fromBlock: number[] = [];
    for await (const s of block.select([newMatcher('=', 'job', 'a')], -Infinity, Infinity)) {
      const d = decodeSeriesSamples(s, -Infinity, Infinity, block.id);
      fromBlock.push(...d.t.subarray(0, d.length));
    }
    expect(fromBlock).toEqual(Array.from({ length: D / step }, (_, i) => i * step));
    // Now the block owns [0, D): older writes are out of bounds; the head serves the rest.
    expect(() => head.append('t', batch([up('z', [[D - 1, 1]])]))).toThrow(/out of bounds/);
    const store = new HeadStore(head, { externalLabels: () => ext });
    const frames = [];
    for await (const f of store.series({
      minTime: 0,
      maxTime: 2 * D,
      matchers: [newMatcher('=', '__name__', 'up'), newMatcher('=', 'tenant_id', 't')],
      maxResolutionWindow: 0,
      aggregates: [],
      partialResponseStrategy: 'abort',
      skipChunks: false,
    })) {
      frames.push(f);
    }
    expect(frames.map((f) => (f.type === 'series' ? labelsToString(f.labels) : f.type))).toEqual([
      '{__name__="up", job="a", receive="0", tenant_id="t"}',
      '{__name__="up", job="b", receive="0", tenant_id="t"}',
    ]);
    const first = frames[0]!;
    const ts: number[] = [];
    if (first.type === 'series') {
      for (const c of first.chunks) {
        const n = xorSampleCount(c.raw!.data);
        const t = new Float64Array(n);
        decodeXor(c.raw!.data, -Infinity, Infinity, t, new Float64Array(n), 0);
        ts.push(...t);
      }
    }
    expect(ts[0]).toBe(D);
    expect(ts.at(-1)).toBe(1.6 * D);
    expect(ts.length).toBe((0.6 * D) / step + 1);
    // A tenant matcher that differs selects nothing.
    const none = store.series({
      minTime: 0,
      maxTime: 2 * D,
      matchers: [newMatcher('=', 'tenant_id', 'other')],
      maxResolutionWindow: 0,
      aggregates: [],
      partialResponseStrategy: 'abort',
      skipChunks: true,
    });
    for await (const f of none) expect(f).toBeUndefined();
  });

  it('keeps a cut range servable until truncated, without cutting it into the next block', async () => {
    const head = new ReceiveHead({ blockDuration: D });
    const step = 15_000;
    for (let t = 0; t <= 2.6 * D; t += step) head.append('t', batch([up('a', [[t, t]])]));
    const tenant = head.tenants.get('t')!;
    const ext = [{ name: 'tenant_id', value: 't' }];
    const times = async (): Promise<number[]> => {
      const store = new HeadStore(head, { externalLabels: () => ext });
      const out: number[] = [];
      for await (const f of store.series({
        minTime: 0,
        maxTime: 3 * D,
        matchers: [newMatcher('=', 'job', 'a')],
        maxResolutionWindow: 0,
        aggregates: [],
        partialResponseStrategy: 'abort',
        skipChunks: false,
      })) {
        if (f.type !== 'series') continue;
        for (const c of f.chunks) {
          const n = xorSampleCount(c.raw!.data);
          const t = new Float64Array(n);
          decodeXor(c.raw!.data, -Infinity, Infinity, t, new Float64Array(n), 0);
          out.push(...t);
        }
      }
      return out;
    };
    const all = Array.from({ length: (2.6 * D) / step + 1 }, (_, i) => i * step);
    const cut = async (): Promise<number[]> => {
      const mem = new MemoryBlockSink();
      const range = cuttableRange(tenant, D, 0)!;
      await cutBlock(head, tenant, range, {
        externalLabels: ext,
        openSink: () => mem,
        keepInHead: true,
      });
      const block = await Block.open(memoryBlockDir(mem.files));
      const out: number[] = [];
      for await (const s of block.select([newMatcher('=', 'job', 'a')], -Infinity, Infinity)) {
        const d = decodeSeriesSamples(s, -Infinity, Infinity, block.id);
        out.push(...d.t.subarray(0, d.length));
      }
      return out;
    };
    expect(await cut()).toEqual(all.filter((t) => t < D));
    // The first range is refused to writers but still answered to readers.
    expect(() => head.append('t', batch([up('a', [[D - 1, 1]])]))).toThrow(/out of bounds/);
    expect(await times()).toEqual(all);
    // The next cut is the next range, and its block holds only that range.
    expect(cuttableRange(tenant, D, 0)).toEqual({ minTime: D, maxTime: 2 * D });
    expect(await cut()).toEqual(all.filter((t) => t >= D && t < 2 * D));
    expect(cuttableRange(tenant, D, 0)).toBeUndefined();
    truncateHead(head, tenant, 2 * D);
    expect(await times()).toEqual(all.filter((t) => t >= 2 * D));
    expect(tenant.minTime).toBe(2 * D);
  });
});
