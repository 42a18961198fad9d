import { describe, expect, it } from 'vitest';
import { aggrModeFor, aggregatesFor } from './aggr-read.ts';

describe('aggrModeFor (Thanos aggrsFromFunc)', () => {
  it('maps the function around a selector to the aggregate the stores send', () => {
    const cases: [string | undefined, string[]][] = [
      ['min', ['min']],
      ['min_over_time', ['min']],
      ['max_over_time', ['max']],
      ['count_over_time', ['count']],
      ['count', ['count']],
      ['sum_over_time', ['sum']],
      ['sum', ['count', 'sum']],
      ['rate', ['counter']],
      ['increase', ['counter']],
      ['irate', ['counter']],
      ['resets', ['counter']],
      ['avg_over_time', ['count', 'sum']],
      ['quantile_over_time', ['count', 'sum']],
      [undefined, ['count', 'sum']],
    ];
    for (const [func, want] of cases) expect(aggregatesFor(aggrModeFor(func)), func).toEqual(want);
  });
});
