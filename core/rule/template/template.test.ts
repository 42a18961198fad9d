/**
 * Go text/template semantics of the alert template engine, against strings promtool 2.42 printed:
 * each template below was an annotation of an alert in a `promtool test rules` file
 * (test/fixtures/rules/36-tmpl-go-semantics.test.yml, which the differential suite in
 * test/integration/rule re-checks against the live promtool), on the alert for
 * up{job="api",instance="host-b.example.com:9100"} = 2 with up{job="web",instance="host-a:80"} = 1
 * also stored, external label region="eu", external_url http://prom.example:9090/x.
 */
import { describe, expect, it } from 'vitest';
import { labelsFrom } from '../../labels/labels.ts';
import { Engine } from '../../promql/engine/engine.ts';
import { MemoryStorage } from '../../promql/storage/memory.ts';
import { engineQueryFunc } from '../engine-query.ts';
import { expandAlertTemplate, parseAlertTemplate } from './expander.ts';

/** [name, template, what promtool expanded it to]. */
const PROMTOOL_CASES: [string, string, string][] = [
  ['trim_both', 'a  {{- " b " -}}  c', 'a b c'],
  ['trim_newlines', 'x\n  {{- 1 -}}\n  y', 'x1y'],
  ['no_trim_minus', '{{ -1 }}|{{-1}}', '-1|-1'],
  ['comment', 'a{{/* hidden */}}b {{- /* trimmed */ -}} c', 'abc'],
  [
    'range_map',
    '{{ range $k, $v := $labels }}{{ $k }}={{ $v }};{{ end }}',
    '__name__=up;instance=host-b.example.com:9100;job=api;',
  ],
  ['range_else', '{{ range query "nothing_here" }}x{{ else }}empty{{ end }}', 'empty'],
  ['range_dot', '{{ range $labels }}[{{ . }}]{{ end }}', '[up][host-b.example.com:9100][api]'],
  [
    'range_break',
    '{{ range $i, $x := query "up" | sortByLabel "instance" }}{{ if eq $i 1 }}{{ break }}{{ end }}{{ $x.Labels.instance }}{{ end }}',
    'host-a:80',
  ],
  [
    'range_continue',
    '{{ range $i, $x := query "up" | sortByLabel "instance" }}{{ if eq $i 0 }}{{ continue }}{{ end }}{{ $x.Labels.instance }}{{ end }}',
    'host-b.example.com:9100',
  ],
  [
    'with_else',
    '{{ with $labels.nothere }}has{{ else }}none{{ end }} {{ with $labels.job }}{{ . }}{{ end }}',
    'none api',
  ],
  [
    'var_scope',
    '{{ $a := "outer" }}{{ if true }}{{ $a := "inner" }}{{ $a }}{{ end }} {{ $a }} {{ if true }}{{ $a = "set" }}{{ end }}{{ $a }}',
    'inner outer set',
  ],
  [
    'define',
    '{{ define "x" }}<{{ . }}>{{ end }}{{ template "x" $labels.job }}{{ template "x" 3 }}',
    '<api><3>',
  ],
  [
    'printf_widths',
    '{{ printf "[%5s][%-5s][%5d][%-5d][%+d][%05.1f][%x][%X][%t][%%]" "ab" "ab" 42 42 7 3.14159 "hi" "hi" true }}',
    '[   ab][ab   ][   42][42   ][+7][003.1][6869][6869][true][%]',
  ],
  [
    'printf_floats',
    '{{ printf "%f %.0f %.3e %g %.3g %v %8.2f" $value $value $value $value $value $value $value }}',
    '2.000000 2 2.000e+00 2 2 2     2.00',
  ],
  [
    'printf_bad',
    '{{ printf "%d|%s|%z" "str" 1.5 }} {{ printf "%s" }} {{ printf "x" 1 "y" }}',
    '%!d(string=str)|%!s(float64=1.5)|%!z(MISSING) %!s(MISSING) x%!(EXTRA int=1, string=y)',
  ],
  [
    'printf_q',
    '{{ printf "%q %v %s" $labels.instance $labels $labels }}',
    '"host-b.example.com:9100" map[__name__:up instance:host-b.example.com:9100 job:api] map[__name__:up instance:host-b.example.com:9100 job:api]',
  ],
  ['println_print', '{{ println 1 "a" 2.5 }}{{ print "a" "b" 1 2 true }}', '1 a 2.5\nab1 2 true'],
  [
    'len_index',
    '{{ len "héllo" }} {{ len $labels }} {{ index $labels "instance" }} [{{ index $labels "none" }}]',
    '6 3 host-b.example.com:9100 []',
  ],
  [
    'compare',
    '{{ lt "a" "b" }} {{ gt 2 1 }} {{ le 1.5 1.5 }} {{ ge "b" "a" }} {{ eq $labels.job "x" "api" }} {{ ne $value 2.0 }}',
    'true true true true true false',
  ],
  [
    'and_or',
    '{{ and 1 "" 3 }}|{{ or 0 "" }}|{{ and "x" 2 }}|{{ or "" "y" }}|{{ not 0 }}',
    '||2|y|true',
  ],
  ['missing_key', '[{{ $labels.nope }}][{{ .Labels.nope }}][{{ $externalLabels.nope }}]', '[][][]'],
  [
    'value_default',
    '{{ $value }} {{ .Value }} {{ $externalURL }}',
    '2 2 http://prom.example:9090/x',
  ],
  [
    'humanize_set',
    '{{ humanize 999.9 }} {{ humanize 1000 }} {{ humanize 0.001 }} {{ humanize -0.0000012 }} {{ humanize 1e30 }} {{ humanize1024 1023 }} {{ humanize1024 1048576 }} {{ humanize1024 0.5 }}',
    '999.9 1k 1m -1.2u 1e+06Y 1023 1Mi 0.5',
  ],
  [
    'humanize_dur',
    '{{ humanizeDuration 0.5 }} {{ humanizeDuration 59 }} {{ humanizeDuration 60 }} {{ humanizeDuration 3600 }} {{ humanizeDuration 86400.7 }} {{ humanizeDuration -3.5 }} {{ humanizeDuration 1.23456 }}',
    '500ms 59s 1m 0s 1h 0m 0s 1d 0h 0m 0s -3.5s 1.235s',
  ],
  [
    'humanize_pct_ts',
    '{{ humanizePercentage 0.5 }} {{ humanizePercentage 1 }} {{ humanizePercentage 0.000123 }} {{ humanizeTimestamp 0 }} {{ humanizeTimestamp 1.5 }} {{ humanizeTimestamp "1234567890" }}',
    '50% 100% 0.0123% 1970-01-01 00:00:00 +0000 UTC 1970-01-01 00:00:01.5 +0000 UTC 2009-02-13 23:31:30 +0000 UTC',
  ],
  [
    'nested_pipes',
    '{{ (query "up" | sortByLabel "instance" | first).Labels.instance }} {{ "up" | query | len }}',
    'host-a:80 2',
  ],
  [
    'string_funcs',
    '{{ title "foo_bar baz-qux 9lives" }} {{ reReplaceAll "a*" "-" "baaac" }} {{ reReplaceAll "(?P<x>o+)" "[${x}]" "foo boo" }} {{ match "b+" "abc" }}',
    'Foo_bar Baz-Qux 9lives -b-c- f[oo] b[oo] true',
  ],
  [
    'strip',
    '{{ stripPort "host" }} {{ stripPort "host:1" }} {{ stripDomain "a.b.c" }} {{ stripDomain "[::1]:80" }} {{ stripDomain "h.example.com" }}',
    'host host a [::1]:80 h',
  ],
  [
    'external',
    '{{ externalURL }} {{ pathPrefix }} {{ graphLink "sum(x) by (y)" }}',
    '<error expanding template: error executing template __alert_T: template: __alert_T:1:115: executing "__alert_T" at <externalURL>: error calling externalURL: runtime error: invalid memory address or nil pointer dereference>',
  ],
  [
    'html_funcs',
    '{{ safeHtml "<i>" }} {{ html "a<b>&" }} {{ "<x>" | html }}',
    '<i> a&lt;b&gt;&amp; &lt;x&gt;',
  ],
];

function setup(): { query: ReturnType<typeof engineQueryFunc> } {
  const storage = new MemoryStorage();
  storage.append(
    labelsFrom({ __name__: 'up', job: 'api', instance: 'host-b.example.com:9100' }),
    [0],
    [2],
  );
  storage.append(labelsFrom({ __name__: 'up', job: 'web', instance: 'host-a:80' }), [0], [1]);
  return { query: engineQueryFunc(new Engine(storage)) };
}

const data = {
  labels: labelsFrom({ __name__: 'up', job: 'api', instance: 'host-b.example.com:9100' }),
  externalLabels: labelsFrom({ region: 'eu' }),
  externalURL: 'http://prom.example:9090/x',
  value: 2,
};

describe('alert templates expand as promtool 2.42 does', () => {
  const { query } = setup();
  it.each(PROMTOOL_CASES)('%s', async (_name, text, expected) => {
    expect(await expandAlertTemplate('T', text, data, { time: 0, query })).toBe(expected);
  });

  it('gives externalURL()/pathPrefix() the manager URL when there is one', async () => {
    const out = await expandAlertTemplate('T', '{{ externalURL }} {{ pathPrefix }}', data, {
      time: 0,
      externalURL: 'http://prom.example:9090/x',
    });
    expect(out).toBe('http://prom.example:9090/x /x');
  });
});

// Messages as `promtool check rules` printed them for these annotations.
describe('template parse errors name the problem as Go does', () => {
  it.each([
    ['{{ $labels.job ', 'template: __alert_A:1: unclosed action'],
    ['{{ nosuch 1 }}', 'template: __alert_A:1: function "nosuch" not defined'],
    ['{{ $nosuch }}', 'template: __alert_A:1: undefined variable "$nosuch"'],
    ['{{ if true }}x', 'template: __alert_A:1: unexpected EOF'],
    ['x{{ end }}', 'template: __alert_A:1: unexpected {{end}}'],
    ['{{ }}', 'template: __alert_A:1: missing value for command'],
  ])('%s', (text, msg) => {
    expect(parseAlertTemplate('A', text)?.message).toBe(msg);
  });

  it('accepts trim markers, comments, else-if chains and range declarations', () => {
    for (const t of [
      '{{- 1 -}}',
      '{{/* c */}}',
      '{{ if 1 }}a{{ else if 2 }}b{{ else }}c{{ end }}',
      '{{ range $i, $v := $labels }}{{ $i }}{{ end }}',
    ])
      expect(parseAlertTemplate('A', t)).toBeUndefined();
  });
});
