/**
 * Rule groups: rules run in order (a later rule sees an earlier one's output), staleness markers
 * for series a rule stopped returning, errors kept per rule without stopping the group, and
 * Prometheus's evaluation timestamp alignment.
 */
import { describe, expect, it } from 'vitest';
import { isStaleNaNNumber as isStaleNaN } from '../chunkenc/stale.ts';
import { labelsFrom, labelsToString, type Labels } from '../labels/labels.ts';
import { Engine } from '../promql/engine/engine.ts';
import { MemoryStorage } from '../promql/storage/memory.ts';
import { engineQueryFunc } from './engine-query.ts';
import { evalTimestamp, Group, groupHash } from './group.ts';
import { parseRuleFile } from './rule-file.ts';

const M = 60_000;

const RULES = `
groups:
  - name: g
    rules:
      - record: job:x:sum
        expr: sum by (job) (x)
      - record: job:x:double
        expr: job:x:sum * 2
      - record: bad
        expr: '{__name__=~"x|y"}'
`;

describe('Group', () => {
  it('evaluates in order, writes staleness markers, and keeps each rule error', async () => {
    const storage = new MemoryStorage();
    const appended: { m: Labels; t: number; v: number }[] = [];
    const appender = {
      append(m: Labels, t: number, v: number) {
        appended.push({ m, t, v });
        storage.append(m, Float64Array.of(t), Float64Array.of(v));
      },
    };
    storage.append(labelsFrom({ __name__: 'x', job: 'a', i: '1' }), [0], [1]);
    storage.append(labelsFrom({ __name__: 'y', job: 'a', i: '1' }), [0], [5]);
    storage.append(labelsFrom({ __name__: 'x', job: 'b', i: '1' }), [0, M], [3, 4]);
    const g = new Group(parseRuleFile(RULES)[0]!, 'f.yml', M);
    const deps = {
      query: engineQueryFunc(new Engine(storage)),
      appender,
      externalLabels: [],
      externalURL: '',
    };
    await g.eval(0, deps);
    expect(appended.filter((s) => s.t === 0).map((s) => `${labelsToString(s.m)} ${s.v}`)).toEqual([
      '{__name__="job:x:sum", job="a"} 1',
      '{__name__="job:x:sum", job="b"} 3',
      '{__name__="job:x:double", job="a"} 2',
      '{__name__="job:x:double", job="b"} 6',
    ]);
    expect(g.lastErrors.map((e) => e?.message)).toEqual([
      undefined,
      undefined,
      'vector contains metrics with the same labelset after applying rule labels',
    ]);
    // At 5m1s job a's only sample is out of the lookback window; job b's is not (sampled at 1m).
    await g.eval(5 * M + 1000, deps);
    const later = appended.filter((s) => s.t === 5 * M + 1000);
    expect(later.filter((s) => isStaleNaN(s.v)).map((s) => labelsToString(s.m))).toEqual([
      '{__name__="job:x:sum", job="a"}',
      '{__name__="job:x:double", job="a"}',
    ]);
    // The third rule now sees one series (y is gone too) and succeeds again.
    expect(later.filter((s) => !isStaleNaN(s.v)).map((s) => s.v)).toEqual([4, 8, 4]);
    expect(g.lastErrors[2]).toBeUndefined();
  });
});

describe('evalTimestamp', () => {
  it('aligns to the interval with a per-group offset below the interval', () => {
    const h = groupHash('g', 'f.yml');
    const itv = 30_000;
    const ts = new Set<number>();
    for (const now of [0, 1, 29_999, 1_700_000_000_123]) {
      const t = evalTimestamp(now, itv, h);
      expect(t).toBeLessThanOrEqual(now);
      expect(now - t).toBeLessThan(itv);
      // Every time in the same window maps to the same evaluation; the next window is one interval on.
      expect(evalTimestamp(t + 1, itv, h)).toBe(t);
      expect(evalTimestamp(t + itv + 1, itv, h)).toBe(t + itv);
      ts.add(((t % itv) + itv) % itv);
    }
    // The offset within the interval is the group's own, the same for every window.
    expect(ts.size).toBe(1);
    const g = new Group(parseRuleFile(RULES)[0]!, 'f.yml', itv);
    const now = 1_700_000_000_123;
    expect(g.evalTimestamp(now)).toBe(evalTimestamp(now, itv, groupHash('g', 'f.yml')));
    expect(g.nextEvaluation(now)).toBe(g.evalTimestamp(now) + itv);
    expect(g.nextEvaluation(now)).toBeGreaterThan(now);
    expect(groupHash('g', 'f.yml')).not.toBe(groupHash('h', 'f.yml'));
  });

  it('evaluates at the instants Prometheus 2.42 does', () => {
    // Observed: Prometheus 2.42 with group "diff" (interval 2s) in /tmp/rt/diff.yml recorded its
    // samples at ...157.358, ...159.358 s: the offset is 1358 ms into each 2 s window.
    const h = groupHash('diff', '/tmp/rt/diff.yml');
    expect(evalTimestamp(1796288158000, 2000, h)).toBe(1796288157358);
    expect(evalTimestamp(1796288159358, 2000, h)).toBe(1796288157358);
    expect(evalTimestamp(1796288159359, 2000, h)).toBe(1796288159358);
  });
});
