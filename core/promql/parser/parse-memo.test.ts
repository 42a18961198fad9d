import { describe, expect, it } from 'vitest';
import { labelsFrom } from '../../labels/labels.ts';
import { Engine } from '../engine/engine.ts';
import { MemoryStorage } from '../storage/memory.ts';
import { DEFAULT_PARSE_LIMITS } from './limits.ts';
import {
  PARSE_MEMO_ENTRIES,
  PARSE_MEMO_MAX_CHARS,
  PARSE_MEMO_TOTAL_CHARS,
  parseExprMemo,
  parseMemoChars,
} from './parse-memo.ts';
import { parseExpr } from './parse.ts';

/** An AST as text: every field, numbers' bits included (-0, NaN). */
function shape(e: unknown): string {
  return JSON.stringify(e, (_k, v: unknown) =>
    typeof v === 'number' && (Object.is(v, -0) || Number.isNaN(v)) ? String(v) : v,
  );
}

describe('parseExprMemo', () => {
  it('answers the same text under the same limits with the AST it parsed, and nothing else', () => {
    const q = 'sum by (job) (rate(memo_a_total[5m]))';
    const a = parseExprMemo(q);
    expect(parseExprMemo(q)).toBe(a);
    expect(shape(a)).toBe(shape(parseExpr(q)));
    expect(parseExprMemo(q, { ...DEFAULT_PARSE_LIMITS, maxDepth: 50 })).not.toBe(a);
    // Failures are made again each time, the same.
    const bad = 'sum(rate(memo_x[5m])';
    expect(() => parseExprMemo(bad)).toThrow(/parse error/);
    expect(() => parseExprMemo(bad)).toThrow(/parse error/);
    // Long queries are not kept.
    const long = `memo_long{l="${'x'.repeat(PARSE_MEMO_MAX_CHARS)}"}`;
    expect(parseExprMemo(long)).not.toBe(parseExprMemo(long));
  });

  it('keeps the most recently used queries, at most PARSE_MEMO_ENTRIES', () => {
    const first = parseExprMemo('memo_lru_0');
    const kept = parseExprMemo('memo_lru_kept');
    for (let i = 1; i <= PARSE_MEMO_ENTRIES; i++) {
      parseExprMemo(`memo_lru_${i}`);
      // Used again and again: never the least recently used.
      expect(parseExprMemo('memo_lru_kept')).toBe(kept);
    }
    expect(parseExprMemo('memo_lru_0')).not.toBe(first);
  });

  it('holds at most PARSE_MEMO_TOTAL_CHARS of query text, however dense the queries asked', () => {
    // ~820 KiB of AST each: 512 of them would be ~400 MB.
    const dense = (i: number): string =>
      `memo_dense_${i}` + '+up'.repeat((PARSE_MEMO_MAX_CHARS - 20) / 3);
    const first = parseExprMemo(dense(0));
    for (let i = 1; i < 40; i++) {
      parseExprMemo(dense(i));
      expect(parseMemoChars()).toBeLessThanOrEqual(PARSE_MEMO_TOTAL_CHARS);
    }
    expect(parseMemoChars()).toBeGreaterThan(PARSE_MEMO_TOTAL_CHARS - PARSE_MEMO_MAX_CHARS);
    expect(parseExprMemo(dense(0))).not.toBe(first);
    expect(parseExprMemo(dense(39))).toBe(parseExprMemo(dense(39)));
  });

  it('hands out ASTs that evaluating them leaves as parsed (one AST serves every request)', async () => {
    const s = new MemoryStorage();
    const M = 60_000;
    for (const a of ['1', '2'])
      s.append(
        labelsFrom({ __name__: 'memo_m', a }),
        Array.from({ length: 61 }, (_, i) => i * M),
        Array.from({ length: 61 }, (_, i) => i * Number(a)),
      );
    const engine = new Engine(s, { parse: (q) => parseExprMemo(q) });
    const queries = [
      'memo_m @ start()',
      'memo_m @ end() offset 5m',
      'rate(memo_m[10m] @ 1800)',
      'max_over_time(sum(memo_m)[30m:1m] offset -2m)',
      'topk(1, memo_m) + on(a) group_left memo_m',
      'label_replace(memo_m, "b", "$1", "a", "(.*)") * 2 > bool 3',
      'quantile(0.5, memo_m offset 1m) - scalar(sum(memo_m @ start()))',
      'count_values("v", memo_m) or vector(time())',
    ];
    for (const q of queries) {
      const before = shape(parseExprMemo(q));
      await engine.rangeQuery(q, 10 * M, 50 * M, M);
      await engine.instantQuery(q, 40 * M);
      await engine.rangeQuery(q, 0, 20 * M, 2 * M);
      expect(shape(parseExprMemo(q)), q).toBe(before);
      expect(shape(parseExprMemo(q)), q).toBe(shape(parseExpr(q)));
    }
  });
});
