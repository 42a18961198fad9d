/**
 * Series selector parsing vs Prometheus 2.42's `match[]` parsing: the same selectors are accepted,
 * and rejected ones fail with the same `line:col: parse error: …` text.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BadDataError } from '../../../core/errors.ts';
import { parseSeriesSelector } from '../../../core/labels/selector.ts';
import { type GoRegexOracle, startGoRegexOracle } from '../../helpers/go-regex-oracle.ts';

const SELECTORS: readonly string[] = [
  '',
  '   ',
  '{}',
  '{a=""}',
  'foo',
  'foo{}',
  'foo{a="b"',
  'foo{a}',
  'foo{a=b}',
  'foo bar',
  'foo{__name__="bar"}',
  '{__name__="bar"}',
  'foo{a="b",}',
  'foo{,}',
  'foo{a="b" c="d"}',
  '{a=~"(a"}',
  'foo{a="\\q"}',
  "foo{a='b'}",
  'foo{a=`b\\q`}',
  'foo{a="b\n"}',
  'sum',
  'sum{a="b"}',
  'rate',
  'inf',
  'nan',
  'by',
  'foo:bar',
  ':foo',
  'foo{1a="b"}',
  'foo{a:b="c"}',
  'foo{a!="x"}',
  '{a!="x"}',
  '{a=~".*"}',
  '{a=~".+"}',
  '{a!~".*"}',
  'foo{a="\\u00e9"}',
  'foo{a="\\ud800"}',
  'foo{a="\\U0010FFFF"}',
  'foo{a="\\x4"}',
  'foo{a="\\\'"}',
  "foo{a='\\\"'}",
  'foo{a="b"}}',
  'foo{a="b"} offset 5m',
  'foo[5m]',
  '{',
  '}',
  'foo{a=="b"}',
  'foo{a=~`\\d+`}',
  '{a="é", b=~"(x"}',
  'é',
  'foo{é="x"}',
  'foo{a="x"',
  'foo{a="x',
  'foo{a=',
  'foo{a',
  'foo{',
  'foo{on="x"}',
  'on{a="b"}',
  'foo{a="b"} or bar',
  'Sum',
  'SUM{a="b"}',
  'foo\n{a="b"}',
  '{a=~"x",__name__="y"}',
  'and',
  'atan2',
  'ATAN2{a="b"}',
  'On',
  'Inf',
  'NaN{a="b"}',
  'offset',
  'foo{a="\\777"}',
  'foo{a="\\x"}',
  'foo{a="\\',
  'foo{a="\\u12"}',
  'foo{a="\\z\\q"}',
  "foo{a='\\\\n'}",
  'foo{a=`x',
  'foo{a="b"} x',
  'foo{a="b"} "x"',
  'foo{a="b"} 1',
  'foo{"a"="b"}',
  'foo{a="b" "c"}',
  'foo{a=~"x",b}',
  'foo{a!"b"}',
  'foo{a~"b"}',
  'foo{a=!"b"}',
  '{a="b"}{c="d"}',
  'foo bar{a="b"}',
  'foo{a=1}',
  'foo{=}',
  'é{a="b"}',
  'foo{a="é\\q"}',
  'x{a="é"} é',
  '\n\n  foo{a="b" c}',
  '{a=~"x{1001}"}',
  '{a=~"\\\\p{Toto}"}',
  'up{job=~"api|web",instance!~"10\\\\..*"}',
  '{__name__=~"node_.+",mode!="idle"}',
  "{a='\\x41'}",
  '{a="\\101"}',
  'ns:metric:rate5m{a="b"}',
];

let oracle: GoRegexOracle;
beforeAll(async () => {
  oracle = await startGoRegexOracle(['a']);
});
afterAll(async () => {
  await oracle?.stop();
});

describe('parseSeriesSelector vs Prometheus 2.42 match[]', () => {
  it(`accepts and rejects ${SELECTORS.length} selectors with the same texts`, async () => {
    const failures: string[] = [];
    let rejected = 0;
    for (const sel of SELECTORS) {
      // The API words the empty-matcher rule as `match[] must …`; PromQL itself as below.
      const go = (await oracle.selectorError(sel))
        .replace(/^invalid parameter "match\[\]": /, '')
        .replace(
          /^match\[\] must contain at least one non-empty matcher$/,
          '1:1: parse error: vector selector must contain at least one non-empty matcher',
        );
      let us = '';
      try {
        parseSeriesSelector(sel);
      } catch (err) {
        if (!(err instanceof BadDataError)) throw err;
        us = err.message;
      }
      if (go !== '') rejected++;
      if (go !== us) failures.push(`${JSON.stringify(sel)}\n  go: ${go}\n  us: ${us}`);
    }
    expect(failures, failures.join('\n')).toEqual([]);
    expect(rejected).toBeGreaterThan(40);
  });
});
