import { describe, expect, it } from 'vitest';
import { BadDataError } from '../errors.ts';
import { fnvString, shardOf, shardOfHash, tenantSeed } from './hashring.ts';
import { KEY_SEED, keyString } from './series-keys.ts';
import { encodeWriteRequest } from './write-encode.ts';
import { decodeWriteRequest, scanSeriesSpans } from './write-request.ts';

const series = Array.from({ length: 50 }, (_, i) => ({
  labels: [
    { name: '__name__', value: `m_${i % 7}` },
    { name: 'instance', value: `host-${i}:9100` },
    { name: 'job', value: i % 2 ? 'node' : 'ünïcode' },
  ],
  t: [1000, 2000, 3000].slice(0, 1 + (i % 3)),
  v: [i, i + 0.5, NaN].slice(0, 1 + (i % 3)),
}));

/** A TimeSeries field with a sample between its two label fields (legal protobuf, unusual). */
function interleaved(): Uint8Array {
  const label = (n: string, v: string): number[] => {
    const inner = [
      0x0a,
      n.length,
      ...new TextEncoder().encode(n),
      0x12,
      v.length,
      ...new TextEncoder().encode(v),
    ];
    return [0x0a, inner.length, ...inner];
  };
  const sample = [0x09, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 0x10, 0x01]; // value 1.0, timestamp 1
  const ts = [...label('__name__', 'up'), 0x12, sample.length, ...sample, ...label('job', 'x')];
  return new Uint8Array([0x0a, ts.length, ...ts]);
}

describe('write request scan for the receive splitter', () => {
  it('finds the byte ranges the decoder finds, and hashes the bytes its series keys hold', () => {
    for (const body of [encodeWriteRequest(series), interleaved()]) {
      const batch = decodeWriteRequest(body);
      const spans = scanSeriesSpans(body, tenantSeed('team-a'));
      expect(spans.map((s) => [s.start, s.end])).toEqual(batch.series.map((s) => [s.start, s.end]));
      for (const [k, s] of batch.series.entries()) {
        for (const n of [2, 3, 4, 7]) {
          expect(shardOfHash(spans[k]!.hash, n)).toBe(shardOf('team-a', keyString(body, s), n));
        }
      }
    }
  });

  it('keys a series by all its label bytes even when a sample sits between them', () => {
    const body = interleaved();
    const [s] = decodeWriteRequest(body).series;
    const key = keyString(body, s!);
    expect(key).toContain('__name__');
    expect(key).toContain('job');
    expect(key).not.toContain('\u00f0\u003f');
    expect(s!.keyHash).toBe(fnvString(KEY_SEED, key));
  });

  it('refuses a request whose sample framing is cut short, before any shard sees it', () => {
    const label = [0x0a, 0x08, 0x0a, 0x02, 0x6a, 0x6f, 0x12, 0x02, 0x6e, 0x6f]; // jo="no"
    const sample = [0x09, 0, 0, 0]; // a double of 3 bytes
    const ts = [...label, 0x12, sample.length, ...sample];
    const body = new Uint8Array([0x0a, ts.length, ...ts]);
    expect(() => scanSeriesSpans(body, 0)).toThrow(BadDataError);
    expect(() => decodeWriteRequest(body)).toThrow(BadDataError);
  });
});
