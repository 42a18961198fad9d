/** @module ui/table — an instant query's result as Prometheus's table: series labels and value. */
import type { QueryData } from './api.ts';
import { h, seriesLabel } from './dom.ts';

const MAX_ROWS = 10_000;

export function renderTable(data: QueryData): HTMLElement {
  const rows: HTMLTableRowElement[] = [];
  const row = (label: Node | string, value: Node | string) =>
    h('tr', {}, h('td', { class: 'labels' }, label), h('td', { class: 'value' }, value));
  switch (data.resultType) {
    case 'vector':
      for (const s of data.result.slice(0, MAX_ROWS))
        rows.push(row(seriesLabel(s.metric), s.value[1]));
      break;
    case 'matrix':
      for (const s of data.result.slice(0, MAX_ROWS))
        rows.push(
          row(
            seriesLabel(s.metric),
            h('span', {}, ...s.values.flatMap(([t, v], i) => [i ? h('br') : null, `${v} @${t}`])),
          ),
        );
      break;
    case 'scalar':
    case 'string':
      rows.push(row(data.resultType, data.result[1]));
      break;
  }
  const count =
    data.resultType === 'vector' || data.resultType === 'matrix' ? data.result.length : 1;
  if (count === 0)
    rows.push(h('tr', {}, h('td', { class: 'empty', colspan: 2 }, 'Empty query result')));
  return h(
    'div',
    {},
    count > MAX_ROWS
      ? h('div', { class: 'alert warning' }, `Showing ${MAX_ROWS} of ${count} series.`)
      : null,
    h('table', { class: 'result-table' }, h('tbody', {}, ...rows)),
  );
}
