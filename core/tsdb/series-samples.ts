/**
 * @module core/tsdb/series-samples — decodes a block series' chunks to columnar samples with the
 * TypeScript XOR decoder, trimmed to [mint, maxt] and with tombstoned samples removed.
 */
import { decodeXor, xorSampleCount } from '../chunkenc/xor.ts';
import { CorruptBlockError, NotSupportedError } from '../errors.ts';
import type { BlockSeries } from './block-reader.ts';
import {
  ENCODING_FLOAT_HISTOGRAM,
  ENCODING_HISTOGRAM,
  ENCODING_XOR,
  segmentName,
} from './chunk-reader.ts';
import { isDeleted } from './tombstones.ts';

export interface Samples {
  /** Timestamps (ms) and values; the first `length` entries are valid. */
  t: Float64Array;
  v: Float64Array;
  length: number;
}

/**
 * Decodes `s`'s chunks into `into` (grown as needed, so a caller can reuse it across series).
 * Errors name the block, the chunk's segment file and offset.
 */
export function decodeSeriesSamples(
  s: BlockSeries,
  mint: number,
  maxt: number,
  block: string,
  into?: Samples,
): Samples {
  let cap = 0;
  for (const c of s.chunks) {
    if (c.encoding === ENCODING_HISTOGRAM || c.encoding === ENCODING_FLOAT_HISTOGRAM) {
      throw new NotSupportedError(
        `chunk encoding ${c.encoding} (native histograms) is not supported`,
      );
    }
    if (c.encoding !== ENCODING_XOR)
      throw chunkError(block, c.ref, `unknown chunk encoding ${c.encoding}`);
    if (c.data.length < 2)
      throw chunkError(block, c.ref, 'xor chunk shorter than its 2-byte header');
    const n = xorSampleCount(c.data);
    // The first sample takes ≥ 9 bytes and every further one ≥ 2 bits: a larger count is a lie
    // that would only make us allocate.
    if (n > 1 + (c.data.length - 2) * 4)
      throw chunkError(block, c.ref, `sample count ${n} exceeds chunk of ${c.data.length} bytes`);
    cap += n;
  }
  let out = into ?? { t: new Float64Array(cap), v: new Float64Array(cap), length: 0 };
  if (out.t.length < cap) out = { t: new Float64Array(cap), v: new Float64Array(cap), length: 0 };
  let n = 0;
  for (const c of s.chunks) {
    try {
      n += decodeXor(c.data, mint, maxt, out.t, out.v, n);
    } catch (err) {
      if (err instanceof CorruptBlockError) throw chunkError(block, c.ref, err.message, err);
      throw err;
    }
  }
  if (s.deleted) {
    let w = 0;
    for (let i = 0; i < n; i++) {
      if (isDeleted(s.deleted, out.t[i]!)) continue;
      out.t[w] = out.t[i]!;
      out.v[w++] = out.v[i]!;
    }
    n = w;
  }
  out.length = n;
  return out;
}

function chunkError(block: string, ref: number, msg: string, cause?: unknown): CorruptBlockError {
  return new CorruptBlockError(
    msg,
    { block, file: segmentName(Math.floor(ref / 0x1_0000_0000)), offset: ref % 0x1_0000_0000 },
    cause === undefined ? undefined : { cause },
  );
}
