/**
 * Differential test against Prometheus 2.42: promtool writes a block from OpenMetrics text; every
 * chunk in its chunks/000001 must decode to the input samples, and re-encoding those samples with
 * XorAppender must reproduce promtool's bytes exactly. The WASM kernels must do the same.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSeries, type SeriesKind } from '../../helpers/chunk-testdata.ts';
import {
  ENCODING_XOR,
  XorAppender,
  decodeXor,
  xorSampleCount,
} from '../../../core/chunkenc/xor.ts';
import { crc32c } from '../../../core/tsdb/crc32c.ts';
import { loadXorCodecNode } from '../../../sidecar-agent/wasm.ts';

/** Block chunk segment magic (tsdb/docs/format/chunks.md). */
const MAGIC_CHUNKS = 0x85bd40dd;

export interface SegmentChunk {
  offset: number;
  encoding: number;
  data: Uint8Array;
}

/** Splits a chunk segment file into its chunks, checking header and every CRC32C. */
export function parseSegment(file: Uint8Array): SegmentChunk[] {
  const dv = new DataView(file.buffer, file.byteOffset, file.byteLength);
  expect(dv.getUint32(0)).toBe(MAGIC_CHUNKS);
  expect(file[4]).toBe(1);
  const out: SegmentChunk[] = [];
  let p = 8;
  while (p < file.length) {
    const offset = p;
    let len = 0;
    for (let s = 0; ; s += 7) {
      const b = file[p++]!;
      len += (b & 0x7f) * 2 ** s;
      if (b < 0x80) break;
    }
    const encoding = file[p]!;
    const data = file.subarray(p + 1, p + 1 + len);
    expect(dv.getUint32(p + 1 + len)).toBe(crc32c(file, 0, p, p + 1 + len));
    out.push({ offset, encoding, data });
    p += 1 + len + 4;
  }
  return out;
}

function fmtValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (Object.is(v, -0)) return '-0';
  return String(v);
}

/** ms → OpenMetrics seconds string that Go parses back to exactly ms (int64(ts*1000)). */
function fmtTs(ms: number): string | undefined {
  const s = (ms / 1000).toString();
  const back = Number(s) * 1000;
  return Math.trunc(back) === ms && Math.round(back) === ms ? s : undefined;
}

const T0 = 1_699_999_200_000 + 1000; // just after a 2h block boundary: one block
const SERIES: [SeriesKind, number][] = [
  ['counter', 400],
  ['gauge', 300],
  ['irregular', 150],
  ['special', 200],
  ['counter', 1],
  ['gauge', 121],
];

describe('XOR chunks vs promtool 2.42', () => {
  let dir = '';
  const want: { t: number[]; v: number[] }[] = [];
  let chunks: SegmentChunk[] = [];

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'chunkenc-promtool-'));
    const lines = ['# TYPE m gauge'];
    SERIES.forEach(([kind, n], i) => {
      const s = makeSeries(kind, n, 100 + i, T0);
      const w = { t: [] as number[], v: [] as number[] };
      for (let k = 0; k < n; k++) {
        const ts = fmtTs(s.t[k]!);
        if (ts === undefined) continue; // not exactly representable as decimal seconds
        lines.push(
          `m{s="s${String(i).padStart(3, '0')}",z_kind="${kind}"} ${fmtValue(s.v[k]!)} ${ts}`,
        );
        w.t.push(s.t[k]!);
        w.v.push(s.v[k]!);
      }
      want.push(w);
    });
    lines.push('# EOF', '');
    writeFileSync(join(dir, 'in.om'), lines.join('\n'));
    execFileSync(
      'promtool',
      ['tsdb', 'create-blocks-from', 'openmetrics', join(dir, 'in.om'), join(dir, 'out')],
      {
        stdio: 'pipe',
      },
    );
    const blocks = readdirSync(join(dir, 'out'));
    expect(blocks).toHaveLength(1);
    chunks = parseSegment(readFileSync(join(dir, 'out', blocks[0]!, 'chunks', '000001')));
  });

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('decodes every chunk to the input samples, in series order', () => {
    expect(chunks.length).toBeGreaterThan(SERIES.length);
    const gotT: number[] = [];
    const gotV: number[] = [];
    for (const c of chunks) {
      expect(c.encoding).toBe(ENCODING_XOR);
      const n = xorSampleCount(c.data);
      const t = new Float64Array(n);
      const v = new Float64Array(n);
      expect(decodeXor(c.data, -Infinity, Infinity, t, v, 0)).toBe(n);
      gotT.push(...t);
      gotV.push(...v);
    }
    const wantT = want.flatMap((w) => w.t);
    const wantV = want.flatMap((w) => w.v);
    expect(gotT).toEqual(wantT);
    // toEqual treats NaN as equal to NaN and distinguishes -0 from 0.
    expect(gotV).toEqual(wantV);
  });

  it('re-encodes every chunk to promtool’s exact bytes', () => {
    for (const c of chunks) {
      const n = xorSampleCount(c.data);
      const t = new Float64Array(n);
      const v = new Float64Array(n);
      decodeXor(c.data, -Infinity, Infinity, t, v, 0);
      const words = new Uint32Array(v.buffer);
      const app = new XorAppender();
      for (let i = 0; i < n; i++) app.appendBits(t[i]!, words[2 * i + 1]!, words[2 * i]!);
      expect(Buffer.from(app.bytes()).toString('hex')).toBe(Buffer.from(c.data).toString('hex'));
    }
  });

  it('WASM decodes the block’s chunks like the TS decoder and re-encodes them to the same bytes', async () => {
    const codec = await loadXorCodecNode();
    const datas = chunks.map((c) => c.data); // subarrays of one segment buffer
    const got = codec.decode(datas, -Infinity, Infinity, { copy: true });
    // The same chunks as ranges of the segment file itself, as a store gateway holds them.
    const seg =
      datas[0]!.buffer === datas.at(-1)!.buffer ? new Uint8Array(datas[0]!.buffer) : undefined;
    expect(seg).toBeDefined();
    const base = datas[0]!.byteOffset; // the segment's bytes from the first chunk's data on
    const ranged = codec.decodeRanges(
      seg!.subarray(base),
      datas.map((d) => d.byteOffset - base),
      datas.map((d) => d.length),
      -Infinity,
      Infinity,
      { copy: true },
    );
    expect(Array.from(ranged.t)).toEqual(Array.from(got.t));
    expect(Array.from(new Uint32Array(ranged.v.buffer))).toEqual(
      Array.from(new Uint32Array(got.v.buffer)),
    );
    let k = 0;
    const series = datas.map((d, i) => {
      const n = xorSampleCount(d);
      const t = new Float64Array(n);
      const v = new Float64Array(n);
      decodeXor(d, -Infinity, Infinity, t, v, 0);
      expect(got.offsets[i]).toBe(k);
      expect(Array.from(got.t.subarray(k, k + n))).toEqual(Array.from(t));
      const gotBits = new Uint32Array(got.v.buffer, got.v.byteOffset + k * 8, n * 2);
      expect(Array.from(gotBits)).toEqual(Array.from(new Uint32Array(v.buffer)));
      k += n;
      return { t, v };
    });
    expect(got.count).toBe(k);
    const encoded = codec.encode(series);
    encoded.forEach((e, i) =>
      expect(Buffer.from(e).toString('hex')).toBe(Buffer.from(datas[i]!).toString('hex')),
    );
  });
});
