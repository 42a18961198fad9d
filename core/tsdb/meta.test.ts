import { describe, expect, it } from 'vitest';
import { CorruptBlockError } from '../errors.ts';
import { parseMeta, serializeMeta, type BlockMeta } from './meta.ts';

// As written by promtool 2.42 `tsdb create-blocks-from openmetrics` (no trailing newline).
const PROM = `{
\t"ulid": "01M8AX4B10T4ESSMY1AN1DAX0S",
\t"minTime": 1700000000000,
\t"maxTime": 1700000015001,
\t"stats": {
\t\t"numSamples": 3,
\t\t"numSeries": 2,
\t\t"numChunks": 2
\t},
\t"compaction": {
\t\t"level": 1,
\t\t"sources": [
\t\t\t"01M8AX4B10T4ESSMY1AN1DAX0S"
\t\t]
\t},
\t"version": 1
}`;

describe('meta.json', () => {
  it('round-trips a Prometheus meta byte-for-byte', () => {
    const m = parseMeta(PROM, '01M8AX4B10T4ESSMY1AN1DAX0S');
    expect(m.stats).toEqual({ numSamples: 3, numSeries: 2, numChunks: 2 });
    expect(serializeMeta(m)).toBe(PROM);
  });
  it('writes the thanos section as Thanos does', () => {
    const m: BlockMeta = {
      ...parseMeta(PROM),
      thanos: {
        labels: { z: '1', a: '<&>' },
        downsample: { resolution: 300000 },
        source: 'sidecar',
        files: [{ rel_path: 'chunks/000001', size_bytes: 10 }, { rel_path: 'meta.json' }],
      },
    };
    const s = serializeMeta(m);
    expect(s.endsWith('}\n')).toBe(true);
    expect(s).toContain('"labels": {\n\t\t\t"a": "\\u003c\\u0026\\u003e",\n\t\t\t"z": "1"\n\t\t}');
    expect(s).toContain('"index_stats": {}');
    expect(s).toContain('{\n\t\t\t\t"rel_path": "meta.json"\n\t\t\t}');
    expect(parseMeta(s)).toEqual({ ...m, thanos: { ...m.thanos, index_stats: {} } });
  });
  it('rejects corrupt metas with CorruptBlockError naming block and file', () => {
    const bad = [
      PROM.slice(0, 50),
      PROM.replace('"version": 1', '"version": 2'),
      PROM.replace('"minTime": 1700000000000', '"minTime": "x"'),
      PROM.replace('"ulid": "01M8AX4B10T4ESSMY1AN1DAX0S"', '"ulid": "nope"'),
      '[]',
      new Uint8Array([0xff, 0xfe]),
    ];
    for (const b of bad) {
      let err: unknown;
      try {
        parseMeta(b, '01M8AX4B10T4ESSMY1AN1DAX0S');
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(CorruptBlockError);
      expect((err as CorruptBlockError).location).toEqual({
        block: '01M8AX4B10T4ESSMY1AN1DAX0S',
        file: 'meta.json',
      });
    }
    expect(() => parseMeta(PROM, '01M8AX4B10T4ESSMY1AN1DAX0T')).toThrow(/does not match/);
  });
});
