/**
 * @module ui/alerts-page — alerting rules and their alerts (/api/v1/rules?type=alert) as
 * Prometheus's /alerts page shows them: counts per state (firing red, pending yellow, inactive
 * green) that filter the list, each rule coloured by its state and expandable to its definition
 * and active alerts (labels, state, active since, value).
 */
import { apiGet } from './api.ts';
import { append, h, labelBadges, replace } from './dom.ts';
import {
  isNever,
  noRules,
  type AlertState,
  type AlertingRule,
  type RuleGroup,
} from './rules-api.ts';
import { definition } from './rules-page.ts';
import { formatTime } from './time.ts';

const STATES: AlertState[] = ['inactive', 'pending', 'firing'];
const TITLE = { inactive: 'Inactive', pending: 'Pending', firing: 'Firing' } as const;

function alertsTable(rule: AlertingRule): HTMLElement {
  if (rule.alerts.length === 0) return h('div', { class: 'muted' }, 'No active alerts.');
  return h(
    'table',
    { class: 'alerts-table' },
    h(
      'thead',
      {},
      h('tr', {}, ...['Labels', 'State', 'Active since', 'Value'].map((c) => h('th', {}, c))),
    ),
    h(
      'tbody',
      {},
      ...rule.alerts.map((a) =>
        h(
          'tr',
          { class: 'alert-row' },
          h('td', { class: 'label-set' }, ...labelBadges(a.labels)),
          h('td', {}, h('span', { class: `badge state-${a.state}` }, a.state.toUpperCase())),
          h(
            'td',
            { class: 'time', title: a.activeAt },
            isNever(a.activeAt) ? '–' : `${formatTime(Date.parse(a.activeAt))} UTC`,
          ),
          h('td', { class: 'value' }, a.value),
        ),
      ),
    ),
  );
}

function ruleItem(rule: AlertingRule): HTMLDetailsElement {
  const active = rule.alerts.length;
  return h(
    'details',
    { class: `alert-rule state-${rule.state}`, 'data-rule': rule.name, 'data-state': rule.state },
    h(
      'summary',
      {},
      h('span', { class: 'alert-rule-name' }, rule.name),
      ` (${active} active)`,
      h('span', { class: `badge state-${rule.state}` }, rule.state.toUpperCase()),
    ),
    h('div', { class: 'alert-rule-body' }, definition(rule), alertsTable(rule)),
  );
}

export async function renderAlertsPage(root: HTMLElement): Promise<void> {
  replace(root, h('h1', {}, 'Alerts'), h('div', { class: 'muted' }, 'Loading…'));
  const res = await apiGet<{ groups: RuleGroup[] }>(
    '/api/v1/rules',
    new URLSearchParams({ type: 'alert' }),
  );
  const groups = (res.data?.groups ?? [])
    .map((g) => ({
      ...g,
      rules: g.rules.filter((r): r is AlertingRule => r.type === 'alerting'),
    }))
    .filter((g) => g.rules.length > 0);
  const rules = groups.flatMap((g) => g.rules);
  const shown = new Set<AlertState>(STATES);
  const list = h('div', { class: 'alert-groups' });
  const draw = () =>
    replace(
      list,
      ...groups.map((g) => {
        const items = g.rules.filter((r) => shown.has(r.state)).map(ruleItem);
        if (items.length === 0) return null;
        const section = h(
          'section',
          { class: 'alert-group', 'data-group': g.name },
          h('h2', {}, g.name, h('span', { class: 'muted group-file' }, ` ${g.file}`)),
        );
        append(section, ...items);
        return section;
      }),
    );
  const filters = h(
    'div',
    { class: 'alert-filters' },
    ...STATES.map((s) =>
      h(
        'label',
        { class: `alert-filter state-${s}`, 'data-state': s },
        h('input', {
          type: 'checkbox',
          checked: true,
          onchange: (e: Event) => {
            if ((e.target as HTMLInputElement).checked) shown.add(s);
            else shown.delete(s);
            draw();
          },
        }),
        ` ${TITLE[s]} (${rules.filter((r) => r.state === s).length})`,
      ),
    ),
  );
  draw();
  replace(
    root,
    h('h1', {}, 'Alerts'),
    res.error ? h('div', { class: 'alert error' }, h('strong', {}, 'Error: '), res.error) : null,
    ...res.warnings.map((w) => h('div', { class: 'alert warning' }, w)),
    !res.error && rules.length === 0 ? noRules() : null,
    rules.length > 0 ? filters : null,
    list,
  );
}
