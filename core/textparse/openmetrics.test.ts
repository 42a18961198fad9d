import { describe, expect, it } from 'vitest';
import { OpenMetricsParser, unescapeLabelValue } from './openmetrics.ts';
import { GO_NAN } from '../gocompat/math.ts';
import { parseTextFloat } from './parse-float.ts';
import { BadDataError } from '../errors.ts';
import { Random } from '../../test/helpers/random.ts';

interface Sample {
  labels: Record<string, string>;
  t: number | undefined;
  v: number;
}

function parseAll(text: string, chunkSize = 1_000_000): Sample[] {
  const bytes = new TextEncoder().encode(text);
  const p = new OpenMetricsParser();
  const out: Sample[] = [];
  let off = 0;
  for (;;) {
    const e = p.next();
    if (e === 'eof') return out;
    if (e === 'more') {
      if (off >= bytes.length) p.close();
      else {
        p.push(bytes.slice(off, off + chunkSize));
        off += chunkSize;
      }
      continue;
    }
    if (e === 'series') {
      out.push({
        labels: Object.fromEntries(p.labels().map((l) => [l.name, l.value])),
        t: p.hasTimestamp ? p.timestamp : undefined,
        v: p.value,
      });
    }
  }
}

const bits = (v: number) => {
  const d = new DataView(new ArrayBuffer(8));
  d.setFloat64(0, v);
  return d.getBigUint64(0).toString(16);
};

describe('parseTextFloat', () => {
  it('accepts Go syntax and rejects what Go rejects', () => {
    expect(parseTextFloat('1.5e3')).toBe(1500);
    expect(parseTextFloat('.5')).toBe(0.5);
    expect(parseTextFloat('5.')).toBe(5);
    expect(parseTextFloat('+Inf')).toBe(Infinity);
    expect(parseTextFloat('-inf')).toBe(-Infinity);
    expect(parseTextFloat('Infinity')).toBe(Infinity);
    expect(bits(parseTextFloat('NaN'))).toBe('7ff8000000000001');
    expect(bits(parseTextFloat('nan'))).toBe(bits(GO_NAN));
    for (const bad of [
      '',
      ' 1',
      '1 ',
      '0x10',
      '1_0',
      '+NaN',
      '1e',
      'e1',
      '.',
      '1e400',
      'Inf1',
      '0x1p3',
    ]) {
      expect(() => parseTextFloat(bad), bad).toThrow();
    }
  });
});

describe('OpenMetricsParser', () => {
  it('parses samples, labels, escapes, timestamps in seconds and meta lines', () => {
    const s = parseAll(
      [
        '# HELP foo_seconds Some \\n help.',
        '# TYPE foo_seconds gauge',
        '# UNIT foo_seconds seconds',
        'foo_seconds{b="2",a="x\\"y\\\\z\\nw"} 1.5 1600000000.123',
        'foo_seconds{} -Inf 1600000001',
        'bar_total 7 1600000002 # {trace_id="abc"} 1 1600000002.5',
        'bar_total 8 # {} 2',
        'baz NaN -1.5',
        '# EOF',
      ].join('\n') + '\n',
      7,
    );
    expect(s).toHaveLength(5);
    expect(s[0]).toEqual({
      labels: { __name__: 'foo_seconds', a: 'x"y\\z\nw', b: '2' },
      t: 1600000000123,
      v: 1.5,
    });
    expect(s[1]).toEqual({ labels: { __name__: 'foo_seconds' }, t: 1600000001000, v: -Infinity });
    expect(s[2]!.t).toBe(1600000002000);
    expect(s[3]!.t).toBeUndefined();
    expect(s[4]!.t).toBe(-1500);
    expect(bits(s[4]!.v)).toBe('7ff8000000000001');
  });

  it('truncates timestamps like Go int64(ts*1000)', () => {
    const s = parseAll('a 1 0.0019\na 1 -0.0019\na 1 1600000000.0005\n# EOF');
    expect(s.map((x) => x.t)).toEqual([1, -1, Math.trunc(1600000000.0005 * 1000)]);
  });

  it('keeps series key identity and label order independent of input order', () => {
    const p = new OpenMetricsParser();
    p.push(new TextEncoder().encode('m{z="1",a="2"} 1 1\n# EOF\n'));
    p.close();
    expect(p.next()).toBe('series');
    expect(p.seriesKey()).toBe('m{z="1",a="2"}');
    expect(p.labels().map((l) => l.name)).toEqual(['__name__', 'a', 'z']);
    expect(p.next()).toBe('eof');
  });

  it('unescapes like Prometheus lvalReplacer', () => {
    expect(unescapeLabelValue('a\\tb\\\\n\\"')).toBe('a\\tb\\n"');
  });

  const bad: [string, RegExp][] = [
    ['a 1 1\n', /line 2: data does not end with # EOF/],
    ['a 1 1\n# EOF\nb 1 1\n', /line 3: unexpected data after # EOF/],
    ['a 1 1\n# EOF\n\n', /unexpected data after # EOF/],
    ['\n# EOF\n', /line 1: .*not a valid start token/],
    ['# random comment\n# EOF\n', /line 1/],
    ['a  1 1\n# EOF\n', /expected value after metric/],
    ['a 1 1 \n# EOF\n', /line 1: expected next entry after timestamp/],
    ['a{b="c",} 1 1\n# EOF\n', /expected label name/],
    ['a{b="c" c="d"} 1 1\n# EOF\n', /expected comma/],
    ['a{b=c} 1 1\n# EOF\n', /expected label value/],
    ['a{b:x="c"} 1 1\n# EOF\n', /expected equal/],
    ['a 1 NaN\n# EOF\n', /invalid timestamp/],
    ['a 1e999 1\n# EOF\n', /out of range/],
    ['a 0x1 1\n# EOF\n', /invalid syntax/],
    ['# TYPE a foo\n# EOF\n', /invalid metric type "foo"/],
    ['# TYPE a\n# EOF\n', /expected text in TYPE/],
    ['# UNIT a_bytes seconds\n# EOF\n', /unit not a suffix/],
    ['a 1 1 # {x="y"} 1\n# EOF\n', /does not support exemplars/],
    ['a_total 1 1 # {x="y"} 1 NaN\n# EOF\n', /invalid exemplar timestamp/],
    ['a{b="\xff"} 1 1\n# EOF\n', /invalid UTF-8/],
    ['a 1', /data does not end with # EOF/],
  ];
  it.each(bad)('rejects %j', (text, re) => {
    const bytes = text.includes('\xff')
      ? Uint8Array.from(text, (c) => c.charCodeAt(0))
      : new TextEncoder().encode(text);
    const p = new OpenMetricsParser();
    p.push(bytes);
    p.close();
    let err: unknown;
    try {
      while (p.next() !== 'eof');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(BadDataError);
    expect((err as Error).message).toMatch(re);
  });

  it('accepts # EOF without a trailing newline', () => {
    expect(parseAll('a 1 1\n# EOF')).toHaveLength(1);
  });
});

describe('parseSimpleFloat', () => {
  it('agrees with the general parser wherever it answers', async () => {
    const { parseSimpleFloat } = await import('./parse-float.ts');
    const enc = new TextEncoder();
    const rnd = new Random(12345);
    const cases = [
      '0',
      '-0',
      '+5',
      '1.',
      '.5',
      '007',
      '1e22',
      '1e23',
      '123456789012345',
      '1234567890123456',
      '1700000000.123',
      '-1.5e-7',
      '9007199254740993',
      '4.35',
      '1e-22',
      '0.1e-22',
    ];
    for (let i = 0; i < 20000; i++) {
      const d = rnd.int(18) + 1;
      let x = String(Math.floor(rnd.next() * 10 ** Math.min(d, 15)));
      if (rnd.chance(0.6)) x = x.slice(0, rnd.int(x.length)) + '.' + x.slice(rnd.int(x.length));
      if (rnd.chance(0.3)) x += `e${rnd.chance(0.5) ? '-' : ''}${rnd.int(30)}`;
      if (rnd.chance(0.3)) x = '-' + x;
      cases.push(x);
    }
    let answered = 0;
    for (const c of cases) {
      const b = enc.encode(c);
      const fast = parseSimpleFloat(b, 0, b.length);
      let slow: number | undefined;
      try {
        slow = parseTextFloat(c);
      } catch {
        slow = undefined;
      }
      if (fast === undefined) continue;
      answered++;
      expect(Object.is(fast, slow), c).toBe(true);
    }
    expect(answered).toBeGreaterThan(10000);
  });
});
