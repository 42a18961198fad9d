import { describe, expect, it } from 'vitest';
import { combineShardAnswers } from './shard-answers.ts';

describe('combined answer of receive shards', () => {
  it('is absent when every part was stored', () => {
    expect(combineShardAnswers([])).toBeUndefined();
  });

  it('asks for a retry when any part can be fixed by one, even beside bad data', () => {
    const bad = { status: 400, message: 'out of order sample for series a' };
    const down = { status: 500, message: 'receive shard 1: reset' };
    const limited = { status: 429, message: 'too many series' };
    expect(combineShardAnswers([bad, down])).toEqual({
      status: 503,
      message: 'out of order sample for series a; receive shard 1: reset',
    });
    expect(combineShardAnswers([bad, limited])?.status).toBe(429);
    expect(combineShardAnswers([bad])).toEqual({ status: 400, message: bad.message });
    expect(combineShardAnswers([{ status: 413, message: 'big' }])?.status).toBe(413);
  });
});
