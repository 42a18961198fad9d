import { describe, expect, it } from 'vitest';
import { compileSubmatch, expandTemplate } from './submatch.ts';

describe('Go ExpandString semantics', () => {
  const m = (re: string, s: string) => {
    const rx = compileSubmatch(`^(?:${re})$`);
    return { exec: rx.re.exec(s)!, names: rx.names };
  };
  it('$1x names a group "1x" (expands to nothing), ${1}x does not', () => {
    const { exec, names } = m('(a)(b)', 'ab');
    expect(expandTemplate('$1x', exec, names)).toBe('');
    expect(expandTemplate('${1}x', exec, names)).toBe('ax');
    expect(expandTemplate('$2$1', exec, names)).toBe('ba');
    expect(expandTemplate('$$1', exec, names)).toBe('$1');
    expect(expandTemplate('${1', exec, names)).toBe('${1');
    expect(expandTemplate('a$', exec, names)).toBe('a$');
    expect(expandTemplate('$01', exec, names)).toBe('');
    expect(expandTemplate('$9', exec, names)).toBe('');
  });
  it('named groups, and groups nested in repeats and alternations keep Go numbering', () => {
    const { exec, names } = m('(?P<first>x+)(?:-(y)|(z))*', 'xx-y');
    expect(expandTemplate('${first}/$first/$2/$3', exec, names)).toBe('xx/xx/y/');
  });
});

describe('captures inside repetitions keep their last value, as in Go (answers of the 2.42 binary)', () => {
  const cases: Array<[string, string, string]> = [
    ['(?:(a)|b)+', 'ab', '[a||]'],
    ['(a|(b))+', 'aab', '[b|b|]'],
    ['((a)|b)*', 'ab', '[b|a|]'],
    ['(a|ab)(c|bcd)(d*)', 'abcd', '[a|bcd|]'],
    ['(?:([a-z]+)-|([0-9]+))+', 'source-value-10', '[value|10|]'],
    ['((s)|[a-z-])*([0-9]*)', 'source-value-10', '[-|s|10]'],
    ['((s)|[a-z-])*([0-9]*)', 'other', '[r||]'],
    ['(?:(x)|y)*?(.*)', 'other', '[|other|]'],
    ['(?i)(?:(S)|[a-z-])+(.*)', 'source-value-10', '[s|10|]'],
    ['(?i)(?:(S)|[a-z-])+(.*)', 'other', '[||]'],
  ];
  it.each(cases)('%s on %s → %s', (re, src, want) => {
    const rx = compileSubmatch(`^(?:${re})$`);
    const m = rx.exec(src);
    expect(m && expandTemplate('[$1|$2|$3]', m, rx.names)).toBe(want);
  });
  it('no match is null', () => {
    expect(compileSubmatch('^(?:(?:(a)|b)+)$').exec('abc')).toBeNull();
  });
});

describe('engine choice for label_replace', () => {
  it('a pattern with many choice points runs in linear time on short values too', () => {
    const rx = compileSubmatch(`^(?:(${'a?'.repeat(60)})${'a'.repeat(60)})$`);
    for (const [s, want] of [
      ['api', false],
      ['a', false],
      ['b', false],
      ['a'.repeat(60), true],
      ['a'.repeat(90), true],
    ] as const) {
      const t = performance.now();
      expect(rx.exec(s) !== null, s).toBe(want);
      expect(performance.now() - t, s).toBeLessThan(200);
    }
  });
});
