/** @module ui/stores-page — the stores this querier fans out to (/api/v1/stores), grouped by type. */
import { apiGet } from './api.ts';
import { h, replace } from './dom.ts';
import { formatAgo, formatTime } from './time.ts';

interface StoreStatus {
  name: string;
  lastCheck: string | null;
  lastError: string | null;
  labelSets: Array<Record<string, string>>;
  minTime: number;
  maxTime: number;
  healthy?: boolean;
}

// Thanos reports open-ended stores with the int64 extremes; 0 means the store never said.
const timeCell = (ms: number) =>
  ms === 0 ? '–' : ms <= -9e15 ? '-∞' : ms >= 9e15 ? '+∞' : formatTime(ms);

function storeTable(type: string, stores: StoreStatus[]): HTMLElement {
  const rows = stores.map((s) => {
    const up = s.healthy ?? !s.lastError;
    return h(
      'tr',
      { class: 'store' },
      h('td', { class: 'endpoint' }, s.name),
      h('td', {}, h('span', { class: `badge ${up ? 'up' : 'down'}` }, up ? 'UP' : 'DOWN')),
      h(
        'td',
        { class: 'label-sets' },
        ...(s.labelSets.length === 0 ? [h('span', { class: 'muted' }, 'none')] : []),
        ...s.labelSets.map((ls) =>
          h(
            'div',
            { class: 'label-set' },
            ...Object.entries(ls).map(([k, v]) =>
              h('span', { class: 'badge label' }, `${k}="${v}"`),
            ),
          ),
        ),
      ),
      h('td', { class: 'time' }, timeCell(s.minTime)),
      h('td', { class: 'time' }, timeCell(s.maxTime)),
      h('td', { title: s.lastCheck ?? '' }, formatAgo(s.lastCheck)),
      h('td', { class: 'last-error' }, s.lastError ?? ''),
    );
  });
  return h(
    'section',
    { class: 'store-group' },
    h(
      'h2',
      {},
      type,
      h(
        'span',
        { class: 'count' },
        ` (${stores.filter((s) => s.healthy ?? !s.lastError).length}/${stores.length} up)`,
      ),
    ),
    h(
      'table',
      { class: 'stores-table' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ...[
            'Endpoint',
            'State',
            'Announced labels',
            'Min time (UTC)',
            'Max time (UTC)',
            'Last check',
            'Last error',
          ].map((c) => h('th', {}, c)),
        ),
      ),
      h('tbody', {}, ...rows),
    ),
  );
}

export async function renderStoresPage(root: HTMLElement): Promise<void> {
  replace(root, h('h1', {}, 'Stores'), h('div', { class: 'muted' }, 'Loading…'));
  const res = await apiGet<Record<string, StoreStatus[]>>('/api/v1/stores');
  const groups = Object.entries(res.data ?? {}).sort(([a], [b]) => a.localeCompare(b));
  replace(
    root,
    h('h1', {}, 'Stores'),
    res.error ? h('div', { class: 'alert error' }, h('strong', {}, 'Error: '), res.error) : null,
    ...res.warnings.map((w) => h('div', { class: 'alert warning' }, w)),
    !res.error && groups.length === 0 ? h('div', { class: 'muted' }, 'No stores.') : null,
    ...groups.map(([type, stores]) => storeTable(type, stores)),
  );
}
