import { describe, expect, it } from 'vitest';
import { ExecutionError } from '../../errors.ts';
import { call, evalRange, rows, str, vector } from './test-helpers.ts';

const r = evalRange(0, 0, 1);
const testmetric = () =>
  vector([
    {
      labels: { __name__: 'testmetric', src: 'source-value-10', dst: 'original-destination-value' },
      values: [0],
    },
    {
      labels: { __name__: 'testmetric', src: 'source-value-20', dst: 'original-destination-value' },
      values: [1],
    },
  ]);
const dsts = (v: ReturnType<typeof call>) =>
  rows(v).map((x) => x.labels.find((l) => l.name === 'dst')?.value);
const replace = (dst: string, repl: string, src: string, re: string) =>
  call('label_replace', [testmetric(), str(dst), str(repl), str(src), str(re)], r);

describe('label_replace (functions.test cases)', () => {
  it('full-string match and replace, keeping the metric name', () => {
    const out = replace('dst', 'destination-value-$1', 'src', 'source-value-(.*)');
    expect(dsts(out)).toEqual(['destination-value-10', 'destination-value-20']);
    expect(rows(out)[0]!.labels[0]).toEqual({ name: '__name__', value: 'testmetric' });
  });
  it('no substring match', () => {
    expect(dsts(replace('dst', 'destination-value-$1', 'src', 'value-(.*)'))).toEqual([
      'original-destination-value',
      'original-destination-value',
    ]);
  });
  it('several groups', () => {
    expect(dsts(replace('dst', '$1-value-$2', 'src', '(.*)-value-(.*)'))).toEqual([
      'source-value-10',
      'source-value-20',
    ]);
  });
  it('missing source label matches as empty', () => {
    expect(dsts(replace('dst', 'value-$1', 'nonexistent-src', 'source-value-(.*)'))).toEqual([
      'original-destination-value',
      'original-destination-value',
    ]);
    expect(dsts(replace('dst', 'value-$1', 'nonexistent-src', '(.*)'))).toEqual([
      'value-',
      'value-',
    ]);
  });
  it('an empty result deletes the label', () => {
    expect(dsts(replace('dst', '', 'dst', '.*'))).toEqual([undefined, undefined]);
  });
  it('invalid regex and invalid destination fail, even on an empty vector', () => {
    expect(() => replace('dst', 'value-$1', 'src', '(.*')).toThrow(ExecutionError);
    expect(() => replace('dst', 'value-$1', 'src', '(.*')).toThrow(
      'invalid regular expression in label_replace(): (.*',
    );
    expect(() => replace('invalid-label-name', '', 'src', '(.*)')).toThrow(
      'invalid destination label name in label_replace(): invalid-label-name',
    );
    const empty = vector([]);
    expect(() =>
      call('label_replace', [empty, str('dst'), str(''), str('src'), str('(')], r),
    ).toThrow(ExecutionError);
  });
  it('the regex is anchored as a whole, so a top-level alternation binds inside the anchors', () => {
    expect(dsts(replace('dst', 'x', 'src', 'source|source-value-10'))).toEqual([
      'x',
      'original-destination-value',
    ]);
  });
});

describe('label_join', () => {
  const tm = () =>
    vector([
      {
        labels: {
          __name__: 'testmetric',
          src: 'a',
          src1: 'b',
          src2: 'c',
          dst: 'original-destination-value',
        },
        values: [0],
      },
      {
        labels: {
          __name__: 'testmetric',
          src: 'd',
          src1: 'e',
          src2: 'f',
          dst: 'original-destination-value',
        },
        values: [1],
      },
    ]);
  const join = (...a: string[]) => call('label_join', [tm(), ...a.map(str)], r);
  it('joins in order, missing labels as empty', () => {
    expect(dsts(join('dst', '-', 'src', 'src1', 'src2'))).toEqual(['a-b-c', 'd-e-f']);
    expect(dsts(join('dst', '-', 'src', 'src3', 'src1'))).toEqual(['a--b', 'd--e']);
  });
  it('an empty join deletes the destination; no sources deletes it too', () => {
    expect(dsts(join('dst', '', 'emptysrc', 'emptysrc1'))).toEqual([undefined, undefined]);
    expect(dsts(join('dst', ', '))).toEqual([undefined, undefined]);
  });
  it('creates the destination, sorted into place', () => {
    const out = rows(join('a_dst', ', ', 'src', 'src1'));
    expect(out[0]!.labels.map((l) => l.name)).toEqual([
      '__name__',
      'a_dst',
      'dst',
      'src',
      'src1',
      'src2',
    ]);
    expect(out[0]!.labels[1]!.value).toBe('a, b');
  });
  it('validates label names', () => {
    expect(() => join('dst', '-', 'bad-src')).toThrow(
      'invalid source label name in label_join(): bad-src',
    );
    expect(() => join('1dst', '-', 'src')).toThrow(
      'invalid destination label name in label_join(): 1dst',
    );
  });
});
