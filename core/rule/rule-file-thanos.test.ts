import { describe, expect, it } from 'vitest';
import { parseRuleFile, RuleFileError } from './rule-file.ts';

const file = (strategy: string) => `groups:
  - name: g
    partial_response_strategy: ${strategy}
    rules:
      - record: r
        expr: up
`;

describe("Thanos Rule's rule-file dialect", () => {
  it('reads partial_response_strategy only as Thanos Rule does', () => {
    expect(parseRuleFile(file('warn'), { thanos: true })[0]!.partialResponseStrategy).toBe('warn');
    expect(parseRuleFile(file('ABORT'), { thanos: true })[0]!.partialResponseStrategy).toBe(
      'abort',
    );
    expect(() => parseRuleFile(file('maybe'), { thanos: true })).toThrow(
      /unknown partial_response_strategy "maybe"/,
    );
    // promtool (Prometheus's rulefmt) knows no such field.
    expect(() => parseRuleFile(file('warn'))).toThrow(RuleFileError);
    expect(() => parseRuleFile(file('warn'))).toThrow(/field partial_response_strategy not found/);
  });
});
