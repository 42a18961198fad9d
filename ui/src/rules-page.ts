/**
 * @module ui/rules-page — the ruler's rule groups (/api/v1/rules) as Prometheus's /rules page shows
 * them: per group its name, file, interval, last evaluation and evaluation time; per rule its
 * definition (alerting rules with `for`, labels and annotations), health, last error and last
 * evaluation.
 */
import { apiGet } from './api.ts';
import { h, replace } from './dom.ts';
import { isNever, noRules, type Rule, type RuleGroup } from './rules-api.ts';
import { formatAgo, formatDuration } from './time.ts';

const HEALTH_TEXT = { ok: 'OK', err: 'ERR', unknown: 'UNKNOWN' } as const;

const seconds = (s: number): string => (s < 1 ? `${Math.round(s * 1e6) / 1e3}ms` : `${s}s`);
const lastEval = (iso: string): string => (isNever(iso) ? 'never' : formatAgo(iso));

/** The rule as its YAML reads: record/alert, expr, for, labels, annotations. */
export function definition(rule: Rule): HTMLElement {
  const line = (key: string, ...value: Array<Node | string>) =>
    h('div', { class: 'rule-line' }, h('span', { class: 'rule-key' }, `${key}: `), ...value);
  const map = (key: string, m: Record<string, string>) =>
    Object.keys(m).length === 0
      ? null
      : h(
          'div',
          { class: 'rule-line' },
          h('span', { class: 'rule-key' }, `${key}:`),
          ...Object.entries(m).map(([k, v]) =>
            h('div', { class: 'rule-map-entry' }, `${k}: `, h('span', { class: 'rule-value' }, v)),
          ),
        );
  return h(
    'div',
    { class: 'rule-def' },
    rule.type === 'alerting'
      ? line('alert', h('span', { class: 'rule-name' }, rule.name))
      : line('record', h('span', { class: 'rule-name' }, rule.name)),
    line('expr', h('code', { class: 'rule-expr' }, rule.query)),
    rule.type === 'alerting' && rule.duration > 0
      ? line('for', formatDuration(rule.duration))
      : null,
    map('labels', rule.labels),
    rule.type === 'alerting' ? map('annotations', rule.annotations) : null,
  );
}

function groupTable(g: RuleGroup): HTMLElement {
  const rows = g.rules.map((r) =>
    h(
      'tr',
      { class: 'rule', 'data-rule': r.name },
      h('td', {}, definition(r)),
      h('td', {}, h('span', { class: `badge health-${r.health}` }, HEALTH_TEXT[r.health])),
      h('td', { class: 'last-error' }, r.lastError),
      h('td', { title: r.lastEvaluation }, lastEval(r.lastEvaluation)),
      h('td', {}, seconds(r.evaluationTime)),
    ),
  );
  return h(
    'section',
    { class: 'rule-group', 'data-group': g.name },
    h(
      'div',
      { class: 'rule-group-head' },
      h('h2', {}, g.name),
      h(
        'div',
        { class: 'muted rule-group-meta' },
        h('span', { class: 'group-file' }, `file: ${g.file}`),
        h('span', {}, `interval: ${formatDuration(g.interval)}`),
        h('span', { title: g.lastEvaluation }, `last evaluation: ${lastEval(g.lastEvaluation)}`),
        h('span', {}, `evaluation time: ${seconds(g.evaluationTime)}`),
      ),
    ),
    h(
      'table',
      { class: 'rules-table' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ...['Rule', 'State', 'Error', 'Last evaluation', 'Evaluation time'].map((c) =>
            h('th', {}, c),
          ),
        ),
      ),
      h('tbody', {}, ...rows),
    ),
  );
}

export async function renderRulesPage(root: HTMLElement): Promise<void> {
  replace(root, h('h1', {}, 'Rules'), h('div', { class: 'muted' }, 'Loading…'));
  const res = await apiGet<{ groups: RuleGroup[] }>('/api/v1/rules');
  const groups = res.data?.groups ?? [];
  replace(
    root,
    h('h1', {}, 'Rules'),
    res.error ? h('div', { class: 'alert error' }, h('strong', {}, 'Error: '), res.error) : null,
    ...res.warnings.map((w) => h('div', { class: 'alert warning' }, w)),
    !res.error && groups.length === 0 ? noRules() : null,
    ...groups.map(groupTable),
  );
}
