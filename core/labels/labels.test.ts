import { describe, expect, it } from 'vitest';
import { LabelsBuilder } from './builder.ts';
import {
  labelsEqual,
  labelsFrom,
  labelsHash,
  labelsToString,
  onlyLabels,
  withoutLabels,
  withExternal,
  compareLabels,
  compareLabelsIgnoring,
  compareStrings,
  type Label,
  type Labels,
} from './labels.ts';

describe('withExternal', () => {
  /**
   * The rule spelled out: the series' labels minus clashing names, plus the external ones,
   * sorted; no external labels leave the series' labels as they are.
   */
  const reference = (ls: Labels, ext: Labels): Labels =>
    ext.length === 0
      ? ls
      : ls
          .filter((l) => !ext.some((e) => e.name === l.name))
          .concat(ext)
          .sort((a, b) => compareStrings(a.name, b.name));

  it('equals the rule for sorted and unsorted sets, clashes and empty sides', () => {
    let seed = 11;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const names = ['__name__', 'a', 'b', 'cluster', 'instance', 'job', 'replica', 'zone', 'é'];
    const pick = (n: number, sorted: boolean): Label[] => {
      const chosen = [...new Set(Array.from({ length: n }, () => names[random(names.length)]!))];
      if (sorted) chosen.sort(compareStrings);
      return chosen.map((name) => ({ name, value: `${name}-${random(3)}` }));
    };
    for (let i = 0; i < 2000; i++) {
      const ls = pick(random(7), random(10) > 0);
      const ext = pick(random(4), random(10) > 0);
      expect(withExternal(ls, ext)).toEqual(reference(ls, ext));
    }
    const ls = [{ name: 'a', value: '1' }];
    expect(withExternal(ls, [])).toBe(ls);
  });
});

describe('label helpers', () => {
  const ls = labelsFrom({ __name__: 'up', job: 'api', instance: 'a:1' });

  it('labelsEqual compares names and values', () => {
    expect(labelsEqual(ls, labelsFrom({ job: 'api', instance: 'a:1', __name__: 'up' }))).toBe(true);
    expect(labelsEqual(ls, labelsFrom({ job: 'api', instance: 'a:2', __name__: 'up' }))).toBe(
      false,
    );
    expect(labelsEqual(ls, labelsFrom({ job: 'api' }))).toBe(false);
  });

  it('labelsHash is equal exactly for equal sets, whatever the content', () => {
    expect(labelsHash(ls)).toBe(
      labelsHash(labelsFrom({ instance: 'a:1', job: 'api', __name__: 'up' })),
    );
    // Separator forgery: these differ but naive joins with \xff (a valid JS char) would collide.
    const a = [{ name: 'a', value: 'x\xffb\xffy' }];
    const b = [
      { name: 'a', value: 'x' },
      { name: 'b', value: 'y' },
    ];
    expect(labelsHash(a)).not.toBe(labelsHash(b));
    expect(labelsHash([{ name: 'ab', value: '' }])).not.toBe(
      labelsHash([{ name: 'a', value: 'b' }]),
    );
    expect(labelsHash([])).toBe('');
  });

  it('withoutLabels and onlyLabels keep order', () => {
    expect(withoutLabels(ls, ['job']).map((l) => l.name)).toEqual(['__name__', 'instance']);
    expect(withoutLabels(ls, new Set(['__name__', 'nope'])).map((l) => l.name)).toEqual([
      'instance',
      'job',
    ]);
    expect(onlyLabels(ls, ['job', '__name__']).map((l) => l.name)).toEqual(['__name__', 'job']);
  });

  it('labelsToString quotes like Go', () => {
    expect(labelsToString(labelsFrom({ a: 'x"\n\u00a0é' }))).toBe('{a="x\\"\\n\\u00a0é"}');
  });

  it('LabelsBuilder sets, deletes, keeps and sorts', () => {
    const b = new LabelsBuilder(ls);
    expect(b.labels()).toBe(ls);
    b.set('zone', 'eu').set('job', 'web').del('instance').set('a', 'first');
    expect(labelsToString(b.labels())).toBe('{__name__="up", a="first", job="web", zone="eu"}');
    expect(b.get('job')).toBe('web');
    expect(b.get('instance')).toBe('');
    b.set('zone', '');
    expect(b.labels().map((l) => l.name)).toEqual(['__name__', 'a', 'job']);
    b.keep('job', 'a');
    expect(labelsToString(b.labels())).toBe('{a="first", job="web"}');
    expect(labelsToString(ls)).toBe('{__name__="up", instance="a:1", job="api"}');
    expect(b.reset(ls).labels()).toBe(ls);
  });
});

describe('compareLabelsIgnoring', () => {
  /** The order spelled out: without the ignored labels first, then by the full sets. */
  const reference = (a: Labels, b: Labels, ignored: ReadonlySet<string>): number => {
    const strip = (ls: Labels): Labels => ls.filter((l) => !ignored.has(l.name));
    return compareLabels(strip(a), strip(b)) || compareLabels(a, b);
  };

  it('orders as the rule does, equal prefixes, replicas and lengths included', () => {
    let seed = 5;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const names = ['__name__', 'a', 'instance', 'job', 'prometheus_replica', 'replica', 'zone'];
    const set = (): Label[] =>
      names.filter(() => random(3) > 0).map((name) => ({ name, value: `v${random(2)}` }));
    for (const ignored of [new Set(['replica']), new Set(['replica', 'prometheus_replica'])]) {
      for (let i = 0; i < 3000; i++) {
        const a = set();
        // Often b shares a's start: the prefix the fast path skips.
        const b = random(2)
          ? [...a.slice(0, random(a.length + 1)), ...set()]
              .filter((l, k, all) => all.findIndex((m) => m.name === l.name) === k)
              .sort((x, y) => compareStrings(x.name, y.name))
          : set();
        expect(Math.sign(compareLabelsIgnoring(a, b, ignored))).toBe(
          Math.sign(reference(a, b, ignored)),
        );
        expect(compareLabelsIgnoring(a, a, ignored)).toBe(0);
      }
    }
  });
});
