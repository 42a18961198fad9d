import { describe, expect, it } from 'vitest';
import { labelsFrom } from '../../core/labels/labels.ts';
import { STALE, expandItem, parseNumber, parseScript, parseSeriesDesc } from './script.ts';
import { almostEqual, withAtModifier } from './runner.ts';
import { parseExpr } from '../../core/promql/parser/parse.ts';

describe('test script format', () => {
  it('expands value sequences as promql/parser does', () => {
    expect(expandItem('1+2x4')).toEqual([1, 3, 5, 7, 9]);
    expect(expandItem('-1-1x3')).toEqual([-1, -2, -3, -4]);
    expect(expandItem('1x4')).toEqual([1, 1, 1, 1, 1]);
    expect(expandItem('_x3')).toEqual([undefined, undefined, undefined]);
    expect(expandItem('_')).toEqual([undefined]);
    expect(expandItem('stale')).toEqual([STALE]);
    expect(expandItem('Inf')).toEqual([Infinity]);
    expect(expandItem('-inf')).toEqual([-Infinity]);
    expect(expandItem('NaN')).toEqual([NaN]);
    expect(expandItem('1e+2x1')).toEqual([100, 100]);
    expect(() => expandItem('1+')).toThrow();
  });

  it('parses series descriptions, durations and numbers', () => {
    expect(parseSeriesDesc('http_requests{job="api-server", instance="0"} 0+10x10 _')).toEqual({
      labels: labelsFrom({ __name__: 'http_requests', job: 'api-server', instance: '0' }),
      items: ['0+10x10', '_'],
    });
    expect(parseSeriesDesc('{a="x\\"y"} 1').labels).toEqual(labelsFrom({ a: 'x"y' }));
    expect(parseNumber('0x10')).toBe(16);
    expect(parseNumber('-Inf')).toBe(-Infinity);
    expect(parseNumber('0.00001234')).toBe(0.00001234);
    expect(parseNumber('{} 1')).toBeUndefined();
  });

  it('reads load, eval and clear commands with line numbers', () => {
    const cmds = parseScript(
      '# c\nload 5m\n  a 1 2\n\neval_ordered instant at 10m a\n  a 2\n\nclear\neval instant at 0 1\n  1\n',
    );
    expect(cmds.map((c) => [c.kind, c.line])).toEqual([
      ['load', 2],
      ['eval', 5],
      ['clear', 8],
      ['eval', 9],
    ]);
    const ev = cmds[1]!;
    expect(
      ev.kind === 'eval' && [ev.time, ev.ordered, ev.expected[0]!.value, ev.expected[0]!.pos],
    ).toEqual([600_000, true, 2, 1]);
    const sc = cmds[3]!;
    expect(sc.kind === 'eval' && sc.scalar).toBe(1);
  });

  it('compares like test.go almostEqual', () => {
    expect(almostEqual(NaN, NaN)).toBe(true);
    expect(almostEqual(1, 1 + 1e-9)).toBe(true);
    expect(almostEqual(1, 1.0001)).toBe(false);
    expect(almostEqual(0, 1e-300)).toBe(false);
  });

  it('adds @ to selectors outside subqueries only (atModifierTestCases)', () => {
    const e = withAtModifier(
      parseExpr(
        'rate(a[5m]) + max_over_time(b[5m:1m] @ 10) * c @ start() - min_over_time(d[5m:1m])',
      ),
      42_000,
    );
    const seen: string[] = [];
    const visit = (x: unknown, inSub: boolean): void => {
      if (!x || typeof x !== 'object') return;
      const n = x as { kind?: string; name?: string; timestamp?: number };
      if (n.kind === 'VectorSelector')
        seen.push(`${n.name}@${n.timestamp}${inSub ? ' (in subquery)' : ''}`);
      for (const v of Object.values(x)) visit(v, inSub || n.kind === 'SubqueryExpr');
    };
    visit(e, false);
    expect(seen.sort()).toEqual([
      'a@42000',
      'b@undefined (in subquery)',
      'c@42000',
      'd@undefined (in subquery)',
    ]);
  });
});
