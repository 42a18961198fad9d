/**
 * @module test/integration/regex-cases — the input strings and regexes the Go-oracle test runs.
 * Inputs cover ASCII, line terminators JS and Go treat differently, case-fold oddities (Kelvin
 * sign, long s, dotted/dotless i, final sigma), code points assigned after Unicode 13, and
 * astral characters. Regexes cover every RE2 construct and every rejection class.
 */

export const INPUTS: readonly string[] = [
  '', 'a', 'b', 'A', 'B', 'ab', 'abc', 'abcd', 'ABC', 'aBc', 'aA', 'Aa', 'AA', 'zz', 'aaa', 'aaaa',
  'aaaaaaaaaa', 'abab', 'xyz', 'XYZ', 'foo', 'foobar', 'foo\nbar', 'foo\n', '\nfoo', 'bar', 'barfoo',
  'xfoo', 'fo', 'fooo', 'FOO', 'Foo', 'a.b', 'a-b', 'a_b', 'a b', 'a\tb', 'a\nb', 'a\rb', 'a\r\nb',
  'a\u2028b', 'a\u2029b', 'a\u0085b', '\n', '\r', '\r\n', ' ', '  ', '\t', '\v', '\f', '\u00a0', '\u3000',
  '\u2003', '\u0085', '0', '9', '123', '0123456789', '\u0663', '\u0661\u0662\u0663', '\uff11\uff12',
  'x1', '_', '__name__', 'k', 'K', '\u212a', 's', 'S', '\u017f', 'ss', 'SS', 'st', '\u00df', '\u1e9e',
  'i', 'I', '\u0130', '\u0131', '\u03c3', '\u03c2', '\u03a3', '\u03a9', '\u03c9', '\u2126', '\u03b8',
  '\u03d1', '\u03f4', '\u01c4', '\u01c5', '\u01c6', '\u00e9', 'e\u0301', '\u00c9', '\u00f1', '\u00b5',
  '\u039c', '\u03bc', '\u00c5', '\u00e5', '\u212b', '\u0345', '\u03b9', '\u1fbe', '\u13a0', '\uab70',
  '\u65e5\u672c', '\u65e5\u672c\u8a9e', '\u4e2d', '\u{1F600}', '\u{1F600}\u{1F600}', 'a\u{1F600}b',
  '\u{10FFFF}', '\u{10000}', '\u{E000}', '\u{F0000}', '\u0870', '\u{1E290}', '\u{11F00}', '\u0295',
  '\u1734', '\u{16FE2}', '\u{1FAE8}', '\u2c2f', '\u2c5f', '\ua7c0', '\ua7c1', '\u0000', '\u007f',
  '\u0001', '\u0000x', '\u200b', '\u00ad', '\ufeff', 'word word', 'word.word', 'word', 'words',
  '\u03b1', '\u0394\u03b4', '\\', '"', "'", '`', '(', ')', '[', ']', '{', '}', '{2}', 'a{2}', 'a{,2}',
  'a{', '*', '+', '?', '.', '|', '^', '$', '-', '/', 'Hello, World!', 'http://x.y/z?q=1',
  '10.0.0.1:9090', 'job:rate5m', 'tab\t', ' lead', 'trail ', 'ab\n', 'a\n\nb', 'S\u017f', 'KELVIN',
  '\u212aelvin', 'x\u212a', '\u017fx', 'a)', '(b', 'ab)', 'a.b.c', '\u10a0', '\u2d00', '\u1c90',
  '\u10d0', 'A\u030a', '\u0041\u0042', '\u00ff', '\u0178', '\u1e9b', '\u1e61', '\u1e60', '\u1c80',
];

/** Regexes whose Go answer (match set or error text) the oracle test compares with ours. */
export const REGEXES: readonly string[] = [
  // literals, alternation, anchoring
  'a', 'ab', 'abc', '', 'foo', 'foo|bar', 'foo|', '|foo', '(foo)', '(?:foo)bar', 'a|b|c', 'a|ab|abc',
  'ab|a', 'abc|ABC', 'foo|foobar', '\u00e9', 'e\u0301', '\u{1F600}', '\u65e5\u672c', '__name__',
  // dot
  '.', '..', '.*', '.+', '.?', 'a.b', '(?s).', '(?s)a.b', '(?s:.)+', 'a.*', '.*b', '.*o.*', 'foo.*',
  '(?s)foo.*', '.*foo', '(?s).*foo', '.+foo', 'f.+', '.*\n.*', '(?s).*', '(?s).+', 'a.*b', 'a.+b',
  '.{2}', '.{3,}', '.{0,2}', 'a.', '..*', '(?s).{2}', '.*bar', '.*oo.*', 'fo.*r', 'x.*', '.*.*',
  // anchors
  '^a', 'a$', '^a$', '(?m)^a$', '(?m)a$', '(?m)^b', '(?m)^bar', '(?m)foo$', '(?m)^foo\\nbar$',
  'a\\z', '\\Aa', '^', '$', '^$', '(?m)^$', 'a^b', 'a$b', '(?m)a$\\nb', '(?m).*$', '(?m)^.*$',
  '(?m)(^|x)b', '(?m)b$', '(?m)a$.b', '(?m)a$\\r\\nb', '(?m)foo$\\n', '(?m)\\nfoo', '(?m)^foo',
  '(?m)^\\nfoo', '(?m)$', '(?m)^', '(?m)$\\n^', '(?m)a\\z', '(?m)\\Aa', '.*$', '(?m).*\\z',
  // word boundaries (ASCII in Go)
  '\\b', 'a\\b', '\\ba\\b', '.*\\bb', 'a\\Bb', '\\Bb', 'word\\b.*', '.*\\bword\\b.*', '(?i)\\bk',
  '(?i)k\\b', '.\\b.', '(?i).\\b.', '(?i)x\\b.', '(?i)\\b\\w+\\b', '\\b\\w+\\b', '.\\B.', '\\B',
  '\u00e9\\b', '.*\\b', '(?i)s\\B.',
  // Perl classes
  '\\d', '\\d+', '\\D', '\\D+', '\\s', '\\s*', '\\s+', '\\S+', '\\w+', '\\W', '\\W+', '[\\d]',
  '[^\\d]', '[\\D]', '[\\s\\d]', '[^\\s]', '[\\w.]+', '[^\\W]', '(?i)\\w', '(?i)\\W', '(?i)[\\W]',
  '(?i)[^\\w]', '(?i)\\w+', '(?i)\\S', '(?i)\\d', '\\w*', '[\\W\\d]', '[^\\D\\s]',
  // POSIX classes
  '[[:alpha:]]', '[[:alpha:]]+', '[[:digit:]]+', '[[:space:]]', '[[:^space:]]', '[[:upper:]]',
  '(?i)[[:upper:]]', '(?i)[[:^upper:]]', '[[:punct:]]', '[[:word:]]+', '[[:xdigit:]]+',
  '[[:print:]]+', '[[:graph:]]', '[[:cntrl:]]', '[[:blank:]]', '[[:ascii:]]+', '[[:^ascii:]]',
  '[[:alnum:]_]+', '[^[:alpha:]]', '[[:lower:][:digit:]]+', '(?i)[[:lower:]]', '(?i)[^[:lower:]]',
  '(?i)[[:^lower:]]', '[[:^alpha:][:digit:]]', '[[:foo:]]', '[[:alpha:]', '[[:alpha]]', '[[:]]',
  '[[:^:]]', '[[:Alpha:]]',
  // Unicode classes
  '\\pL', '\\pL+', '\\p{L}', '\\PL', '\\p{^L}', '\\P{^L}', '\\p{Lu}', '\\p{Ll}', '\\p{Lt}', '\\p{Lo}',
  '\\p{Lm}', '\\pN', '\\p{Nd}+', '\\p{Greek}', '\\p{Greek}+', '\\P{Greek}', '\\p{Han}+', '\\p{Latin}',
  '\\p{Common}', '\\p{Inherited}', '\\p{Cherokee}', '\\p{Z}', '\\p{Zs}', '\\pZ', '\\p{C}', '\\p{Cc}',
  '\\p{Cf}', '\\p{Co}', '\\pC', '\\PC', '\\pM', '\\p{Mn}', '\\p{Mc}', '\\pS', '\\p{So}', '\\p{Sm}',
  '\\pP', '\\p{Any}', '\\p{Any}+', '\\P{Any}', '[\\pL\\d]+', '[^\\pL]', '[\\PL]', '[^\\PL]',
  '(?i)\\p{Lu}', '(?i)\\p{Ll}', '(?i)\\P{Lu}', '(?i)[^\\p{Lu}]', '(?i)\\p{Greek}', '(?i)\\P{Greek}',
  '(?i)\\p{Cherokee}', '\\p{Arabic}', '\\p{Toto}', '\\p{Kawi}', '\\p{Cn}', '\\p{LC}', '\\p{L&}',
  '\\p{Lu', '\\pLu', '\\p{ L}', '\\p{greek}', '\\p{IsGreek}', '\\p{Script=Greek}', '\\p{}', '\\pX',
  '\\p', '\\P', '\\p{^}', '\\p{Assigned}', '\\p{ASCII}', '[\\p{Lu}\\p{Nd}]+', '[\\p{Greek}a]+',
  '(?i)[\\p{Lu}]', '(?i)[^\\P{Lu}]', '\\p{Han}\\p{Han}', '\\pS+', '\\p{Mc}\\p{Mn}', '\\p{Lo}',
  // case folding
  '(?i)a', '(?i)abc', '(?i)k', '(?i)K', '(?i)\u212a', '(?i)s', '(?i)\u017f', '(?i)ss', '(?i)\u00df',
  '(?i)\u1e9e', '(?i)\u03c3', '(?i)\u03c2', '(?i)\u03a3', '(?i)\u03c9', '(?i)\u03a9', '(?i)\u03b8',
  '(?i)\u03d1', '(?i)\u01c5', '(?i)\u00b5', '(?i)\u03bc', '(?i)\u00e5', '(?i)i', '(?i)\u0130',
  '(?i)\u0131', '(?i)\u00e9', '(?i)[a-z]+', '(?i)[k-l]', '(?i)[^k]', '(?i)[^a-z]', '(?i)[\u017f]',
  '(?i)[\\x{212a}]', 'a(?i)b', 'a(?i:b)c', '(?i:a)b', '(?i)a(?-i)b', '(?i)a(?-i:b)', '(?i)foo',
  '(?i)hello, world!', '(?i)\uab70', '(?i)\u13a0', '(?i)\u03b9', '(?i)\u0345', '(?i)\\pL', '(?i)foo|bar',
  '(?i)FOO.*', 'x(?i)|y', '(?i)kelvin', '(?i)\u2c2f', '(?i)\ua7c0', '(?i)\u10a0', '(?i)\u1c90',
  '(?i)\u00ff', '(?i)\u1e9b', '(?i)\u1c80', '(?i)[\u00c0-\u00ff]+', '(?i)[^\u017f]', '(?i)\\x{1E9E}',
  '(?i)[\\x{100}-\\x{17f}]', '(?i)\u01c4\u01c5', '(?i)st',
  // flags
  '(?s-s)a.b', '(?m-m)^a$', '(?U)a+', '(?U)a+?', '(?i)(?-i)a', '(?ims)a', '(?i-s)a', '(?:(?i)a)b',
  '(?i)a|b', '(?U)(a+)(a*)', '(?s:a.)b.', '(?sm)^a.b$', '(?)', '(?)a', '(?i)', '(?-i)A', '(?i:)',
  // repetition
  'a*', 'a+', 'a?', 'a{2}', 'a{2,}', 'a{2,3}', 'a{0}', 'a{0,}', 'a{,2}', 'a{', 'a{1', 'a{1,', 'a{x}',
  'a{01}', 'a{1000}', 'a{1001}', 'a{2,1}', '(a{2}){500}', '(a{2}){501}', '(?:a{10}){100}',
  '(?:a{10}){101}', 'a*?', 'a+?', 'a??', 'a{2}?', 'a**', 'a*+', 'a+*', 'a??*', '(a*)*', '(a*)+',
  '(a|b)*', '(ab)+', '(a+)+b', 'a{1,3}b{2}', '(?:)*', '(|a)+', '\\b*', '^*', '$+', 'x*{2}', '(?i)*',
  'a(?i)*', 'a*(?i)*', '*', '+a', '?', '{', '{2}', 'a|*', '(*)', 'a{100000000}', 'a{99999999}',
  'a{1000,}', 'a{0,1000}', 'a{0,1001}', '(a{1000}){1}', '((a{1000}){1}){2}', '(a{0}){1001}',
  'a{2}{3}', 'a{2}*', 'a{,}', 'a{1,2}{3}', '(?:a*)*b', '(?:a?){2,}b', 'a{1}?', 'a{0}b',
  // escapes
  '\\.', '\\-', '\\_', '\\ ', '\\"', '\\\\', '\\x41', '\\x{41}', '\\x{1F600}', '\\x{10FFFF}',
  '\\x{110000}', '\\x{}', '\\x4', '\\xg1', '\\x', '\\101', '\\0', '\\00', '\\08', '\\1', '\\12',
  '\\1234', '\\18', '\\n', '\\t', '\\r', '\\f', '\\v', '\\a', '\\e', '\\z', '\\Z', '\\A', '\\C',
  '\\Qa.b\\E', '\\Q*\\E', '\\Q\\E', '\\Qa', '\\Qab\\E+', '\\Q\\Ea', '\\u0041', '\\cA', '\\k<n>',
  '\\g1', '\\N', '\\h', '\\R', '\\X', '\\G', '\\K', '\\E', '\\', 'a\\', '\\x{0041}', '\\x{00000041}',
  '\\x{7f}', '\\x00', '\\x{D800}', '\\#', '\\~', '\\/', '\\<', '\\y', '\\\u00e9', '\\x{FFFFFFFFF}',
  // classes
  '[abc]', '[a-c]+', '[^abc]', '[^a]', '[]a]', '[^]a]', '[a-]', '[-a]', '[a-c-e]', '[\\]]', '[\\[]',
  '[[]', '[a\\-z]', '[\\^]', '[^^]', '[.]', '[\\n]', '[^\\n]', '[\\x00-\\x{10FFFF}]',
  '[^\\x00-\\x{10FFFF}]', '[a-a]', '[z-a]', '[a', '[]', '[^]', '[\\d-z]', '[a-\\d]', '[[:alpha:]-z]',
  '[\\b]', '[\\pL-z]', '[\\Q]\\E]', '[\u{1F600}]', '[\u{1F600}-\u{1F602}]', '[^\u{1F600}]',
  '[\\x{1F600}]', '[\\x{D7FF}-\\x{E000}]', '[a-z&&[^k]]', '[[a]]', '[a]]', '[\\s\\S]', '[^\\s\\S]',
  '[\\w-]', '[--/]', '[%--]', '[\\-]', '[\\.\\*]', '[|]', '[$^]', '[^\\x{0}-\\x{7f}]+', '[\\x{80}-\\x{10FFFF}]',
  '[\\z]', '[\\A]', '[\\Q]', '[\\C]', '[\\1]', '[\\0]', '[\\p{L}&&\\p{Lu}]', '[a-\\x{10FFFF}]',
  // groups and unsupported Perl syntax
  '(a)(b)', '(?P<x>a)', '(?P<x>a)(?P<x>b)', '(?P<>a)', '(?P<1>a)', '(?P<a-b>a)', '(?P<\u00e9>a)',
  '(?<x>a)', '(?P=x)', '(?P>x)', '(?=a)', '(?!a)', '(?<=a)', '(?<!a)', '(?>a)', '(?#comment)',
  '(?|a)', '(?x)a', '(?i', '(?', '(?-)a', '(?i-)a', '(?--i)', '(?:)', '()', '(|)', '(a|)', 'a|',
  '|', '||a', '(a))', '((a)', ')', '(', 'a)|(b', '((((((((((a))))))))))', '(?P<x', '(?P<x>',
  '(?i)(?P<n>k)', '(?:a|(b))+', '(a)|b)', '(?:', '(?i:', '(?P<name>a)|(?P<name2>b)',
  // realistic Prometheus selectors
  'api|web', 'api-.*', '.*-canary', 'prod|staging|dev', '5..', '[45]..', '2\\d\\d', '.*:9090',
  '10\\.0\\..*', 'job:.*', '(?i)ERROR|warn', 'node_.*_total', '.+_bucket', '/api/v1/.*', 'GET|POST',
  // negated classes in quantified groups (V8's v flag got these wrong)
  '(?:a[^b])+', '(?:\\n[^\\p{Greek}])+', '(?:\\n\\B[^a])+', '(?:.[^\\pL])*', '(?:x[^[:alpha:]])+',
  '(?:(?-i:.))+|s|(?:(\\n)\\B[^\\p{Greek}])+', '(?:[^a]b)+', '(?:a[^\\n])*a',
  // `.*lit.*` shapes (a fast path)
  '.+o.+', '.*o.+', '.+o.*', '(?s).*o.*', '(?s).+\n.+', '.*a.b.*', '.*\n.*', '(?s).*ab.+', '.*(?s:.*)',
  // size and nesting limits
  '('.repeat(500) + 'a' + ')'.repeat(500), '('.repeat(1001) + 'a' + ')'.repeat(1001),
  '(?:'.repeat(3000) + 'a' + ')'.repeat(3000), '(?:a*'.repeat(1000) + ')'.repeat(1000),
  '(?:(?:a{2}){2}){250}', '(?:(?:a{2}){2}){251}', 'a{1000}b{1000}', '[\\pL\\pN]{1000}',
  'a|'.repeat(2000) + 'b', '(?:a|b)'.repeat(1000),
];
