import { describe, expect, it } from 'vitest';
import { labelsFrom } from '../../core/labels/labels.ts';
import { thanos } from '../../core/storeapi/proto/gen/rulespb.js';
import { labelSet, protoTimestamp, responses } from './prometheus-json.ts';

describe('protoTimestamp', () => {
  it('keeps the nanoseconds Go writes', () => {
    expect(protoTimestamp('2026-12-03T12:00:01.123456789Z')).toEqual({
      seconds: Date.UTC(2026, 11, 3, 12, 0, 1) / 1000,
      nanos: 123456789,
    });
    expect(protoTimestamp('2026-12-03T12:00:01.5Z')!.nanos).toBe(500_000_000);
    expect(protoTimestamp('2026-12-03T12:00:01Z')!.nanos).toBe(0);
  });

  it('applies a zone offset, and reads Go zero time', () => {
    expect(protoTimestamp('2026-12-03T13:00:00.25+01:00')).toEqual({
      seconds: Date.UTC(2026, 11, 3, 12) / 1000,
      nanos: 250_000_000,
    });
    expect(protoTimestamp('0001-01-01T00:00:00Z')!.seconds).toBe(-62135596800);
  });

  it('is undefined for none or an unreadable time', () => {
    expect(protoTimestamp(undefined)).toBeUndefined();
    expect(protoTimestamp(null)).toBeUndefined();
    expect(protoTimestamp('')).toBeUndefined();
    expect(protoTimestamp('yesterday')).toBeUndefined();
    expect(protoTimestamp('2026-12-03 12:00:00Z')).toBeUndefined();
  });
});

describe('labelSet', () => {
  it('sorts by name, keeps empty values, and external labels win a clash', () => {
    expect(
      labelSet(
        { job: 'x', __meta_empty: '', cluster: 'mine' },
        labelsFrom({ cluster: 'ext', z: '1' }),
      ),
    ).toEqual({
      labels: [
        { name: '__meta_empty', value: '' },
        { name: 'cluster', value: 'ext' },
        { name: 'job', value: 'x' },
        { name: 'z', value: '1' },
      ],
    });
    expect(labelSet(undefined)).toEqual({ labels: [] });
  });
});

describe('responses', () => {
  it('frames each message, uvarint length first, in one batch', async () => {
    const a = thanos.RulesResponse.encode({ warning: 'a' }).finish();
    const b = thanos.RulesResponse.encode({ warning: 'b'.repeat(200) }).finish();
    const batches: Uint8Array[] = [];
    for await (const x of responses(Promise.resolve([a, b]))) batches.push(x);
    expect(batches).toHaveLength(1);
    const out = batches[0]!;
    expect(out[0]).toBe(a.length);
    expect([...out.subarray(1, 1 + a.length)]).toEqual([...a]);
    // 203 bytes: a two-byte uvarint.
    expect(b.length).toBeGreaterThan(127);
    expect([...out.subarray(1 + a.length, 3 + a.length)]).toEqual([
      (b.length & 0x7f) | 0x80,
      b.length >> 7,
    ]);
    expect(thanos.RulesResponse.decode(out.subarray(3 + a.length)).warning).toBe('b'.repeat(200));
  });

  it('sends nothing for no messages, and fails as the answer does', async () => {
    const none: Uint8Array[] = [];
    for await (const x of responses([])) none.push(x);
    expect(none).toEqual([]);
    const failing = responses(Promise.reject(new Error('prometheus down')));
    await expect(failing.next()).rejects.toThrow('prometheus down');
  });
});
