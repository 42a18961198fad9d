/**
 * @module core/labels/matcher — Prometheus label matchers (`model/labels.Matcher`, 2.42).
 * A series without the label is matched against the empty string, so `{a=""}` selects series
 * lacking `a` and `{a!~".+"}` does too.
 */
import { BadDataError } from '../errors.ts';
import { goQuote } from '../gocompat/quote.ts';
import { FastRegexMatcher } from '../regexp/fast-regex-matcher.ts';

export type MatchType = '=' | '!=' | '=~' | '!~';

export const MATCH_TYPES: readonly MatchType[] = ['=', '!=', '=~', '!~'];

export class Matcher {
  readonly type: MatchType;
  readonly name: string;
  readonly value: string;
  readonly #re: FastRegexMatcher | undefined;

  /** Prefer newMatcher; this throws the same errors. */
  constructor(type: MatchType, name: string, value: string) {
    this.type = type;
    this.name = name;
    this.value = value;
    this.#re = type === '=~' || type === '!~' ? new FastRegexMatcher(value) : undefined;
  }

  /** Whether a label value (the empty string for an absent label) satisfies the matcher. */
  matches(s: string): boolean {
    switch (this.type) {
      case '=':
        return s === this.value;
      case '!=':
        return s !== this.value;
      case '=~':
        return this.#re!.matchString(s);
      case '!~':
        return !this.#re!.matchString(s);
    }
  }

  /** The compiled regex matcher for `=~`/`!~`, for planners that want its fast path. */
  get regex(): FastRegexMatcher | undefined {
    return this.#re;
  }

  /**
   * For `=~` over a finite set of literal strings (`foo`, `a|b|c`, `(?:x|y)`), those strings:
   * an index can then look the values up directly instead of testing every label value
   * (Prometheus's findSetMatches). Undefined for other matchers.
   */
  setMatches(): readonly string[] | undefined {
    if (this.type !== '=~') return undefined;
    const f = this.#re!.fastPath;
    if (f.kind === 'literal') return [f.value];
    if (f.kind === 'set') return [...f.values];
    return undefined;
  }

  /** The matcher with the opposite type (`=` ↔ `!=`, `=~` ↔ `!~`). */
  inverse(): Matcher {
    const inv: Record<MatchType, MatchType> = { '=': '!=', '!=': '=', '=~': '!~', '!~': '=~' };
    return new Matcher(inv[this.type], this.name, this.value);
  }

  /** As Prometheus prints it: `name="value"`, `name=~"re"`, value quoted like Go's `%q`. */
  toString(): string {
    return `${this.name}${this.type}${goQuote(this.value)}`;
  }
}

/** Builds a matcher; an invalid regex throws BadDataError with Go's `error parsing regexp: …`. */
export function newMatcher(type: MatchType, name: string, value: string): Matcher {
  if (!MATCH_TYPES.includes(type))
    throw new BadDataError(`invalid match type ${JSON.stringify(type)}`);
  return new Matcher(type, name, value);
}

/** Whether every matcher accepts the label set's values (absent labels read as ''). */
export function matchesAll(matchers: readonly Matcher[], get: (name: string) => string): boolean {
  for (const m of matchers) if (!m.matches(get(m.name))) return false;
  return true;
}
