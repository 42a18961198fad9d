/**
 * @module ui/panel — one query panel: expression editor, Thanos's controls (dedup, partial
 * response, max source resolution), Table (instant query) and Graph (range query) tabs, warnings
 * and errors above the result. State changes are reported so the page can keep the URL current.
 */
import type uPlot from 'uplot';
import { apiGet, errorPosition, type ApiResponse, type QueryData } from './api.ts';
import { drawChart } from './chart.ts';
import { h, replace } from './dom.ts';
import { createEditor, type ExprEditor } from './editor.ts';
import { renderTable } from './table.ts';
import { formatDuration, formatTime, parseDuration, parseTime, RANGE_STEPS } from './time.ts';
import { RESOLUTIONS, type PanelState, type Resolution } from './url-state.ts';

export interface Panel {
  readonly el: HTMLElement;
  readonly state: PanelState;
  run(): void;
}

export function createPanel(state: PanelState, onChange: () => void, onRemove: () => void): Panel {
  let chart: uPlot | undefined;
  let inflight: AbortController | undefined;
  const changed = () => onChange();

  const messages = h('div', { class: 'messages' });
  const body = h('div', { class: 'tab-body' });
  const stats = h('span', { class: 'stats' });

  const editorHost = h('div', { class: 'editor' });
  const runBtn = h(
    'button',
    { class: 'btn primary execute', type: 'button', onclick: () => run() },
    'Execute',
  );
  const formatBtn = h(
    'button',
    {
      class: 'btn format',
      type: 'button',
      title: 'Format expression (/api/v1/format_query)',
      onclick: () => void format(),
    },
    'Format',
  );
  const exprRow = h('div', { class: 'expr-row' }, editorHost, formatBtn, runBtn);

  const checkbox = (label: string, cls: string, get: () => boolean, set: (v: boolean) => void) =>
    h(
      'label',
      { class: `check ${cls}` },
      h('input', {
        type: 'checkbox',
        checked: get(),
        onchange: (e: Event) => (set((e.target as HTMLInputElement).checked), changed(), run()),
      }),
      label,
    );
  const resolution = h(
    'select',
    {
      class: 'resolution',
      onchange: (e: Event) => (
        (state.resolution = (e.target as HTMLSelectElement).value as Resolution),
        changed(),
        run()
      ),
    },
    ...RESOLUTIONS.map((r) =>
      h(
        'option',
        { value: r, selected: r === state.resolution },
        r === 'raw' ? 'Only raw data' : r === 'auto' ? 'Auto downsampled' : `Max ${r}`,
      ),
    ),
  );
  const options = h(
    'div',
    { class: 'options' },
    checkbox(
      'Use deduplication',
      'dedup',
      () => state.dedup,
      (v) => (state.dedup = v),
    ),
    checkbox(
      'Use partial response',
      'partial',
      () => state.partialResponse,
      (v) => (state.partialResponse = v),
    ),
    h('label', { class: 'select' }, 'Max source resolution ', resolution),
    h(
      'button',
      {
        class: 'btn link remove',
        type: 'button',
        title: 'Remove panel',
        onclick: () => (inflight?.abort(), chart?.destroy(), onRemove()),
      },
      'Remove panel',
    ),
  );

  const tabBtn = (tab: PanelState['tab'], label: string) =>
    h(
      'button',
      {
        type: 'button',
        class: `tab tab-${tab}`,
        onclick: () => ((state.tab = tab), changed(), layout(), run()),
      },
      label,
    );
  const tabs = h(
    'div',
    { class: 'tabs' },
    tabBtn('table', 'Table'),
    tabBtn('graph', 'Graph'),
    stats,
  );

  // Time controls: the end (graph) or evaluation time (table) shared in state.end.
  const endInput = h('input', {
    class: 'end-input',
    type: 'text',
    placeholder: state.tab === 'graph' ? 'End time (now)' : 'Evaluation time (now)',
    value: state.end === null ? '' : formatTime(state.end),
    onchange: (e: Event) => {
      const v = (e.target as HTMLInputElement).value.trim();
      state.end = v === '' ? null : parseTime(v);
      endInput.value = state.end === null ? '' : formatTime(state.end);
      changed();
      run();
    },
  });
  const shiftEnd = (dir: number) => {
    const base = state.end ?? Date.now();
    state.end = base + dir * (state.tab === 'graph' ? state.range / 2 : 3600) * 1000;
    endInput.value = formatTime(state.end);
    changed();
    run();
  };
  const endControls = h(
    'span',
    { class: 'group' },
    h(
      'button',
      { class: 'btn', type: 'button', title: 'Earlier', onclick: () => shiftEnd(-1) },
      '‹',
    ),
    endInput,
    h('button', { class: 'btn', type: 'button', title: 'Later', onclick: () => shiftEnd(1) }, '›'),
    h(
      'button',
      {
        class: 'btn',
        type: 'button',
        title: 'Now',
        onclick: () => ((state.end = null), (endInput.value = ''), changed(), run()),
      },
      'Now',
    ),
  );
  const rangeInput = h('input', {
    class: 'range-input',
    type: 'text',
    value: formatDuration(state.range),
    onchange: (e: Event) =>
      setRange(parseDuration((e.target as HTMLInputElement).value) ?? state.range),
  });
  const setRange = (sec: number) => {
    state.range = sec;
    rangeInput.value = formatDuration(sec);
    changed();
    run();
  };
  const stepRange = (dir: number) => {
    const next =
      dir < 0
        ? [...RANGE_STEPS].reverse().find((s) => s < state.range)
        : RANGE_STEPS.find((s) => s > state.range);
    if (next !== undefined) setRange(next);
  };
  const stepInput = h('input', {
    class: 'step-input',
    type: 'text',
    placeholder: 'Res. (s)',
    value: state.step === null ? '' : String(state.step),
    onchange: (e: Event) => {
      const v = Number((e.target as HTMLInputElement).value);
      state.step = Number.isFinite(v) && v > 0 ? v : null;
      changed();
      run();
    },
  });
  const stackBtn = (stacked: boolean, label: string) =>
    h(
      'button',
      {
        type: 'button',
        class: `btn toggle ${stacked ? 'stacked' : 'unstacked'}`,
        title: label,
        onclick: () => ((state.stacked = stacked), changed(), layout(), run()),
      },
      label,
    );
  const stackControls = h(
    'span',
    { class: 'group' },
    stackBtn(false, 'Unstacked'),
    stackBtn(true, 'Stacked'),
  );
  const rangeControls = h(
    'span',
    { class: 'group' },
    h(
      'button',
      { class: 'btn', type: 'button', title: 'Shorter range', onclick: () => stepRange(-1) },
      '−',
    ),
    rangeInput,
    h(
      'button',
      { class: 'btn', type: 'button', title: 'Longer range', onclick: () => stepRange(1) },
      '+',
    ),
  );
  const controls = h('div', { class: 'controls' });

  const el = h(
    'section',
    { class: 'panel' },
    exprRow,
    options,
    tabs,
    h('div', { class: 'tab-content' }, controls, messages, body),
  );

  const editor: ExprEditor = createEditor(
    editorHost,
    state.expr,
    () => run(),
    (v) => {
      state.expr = v;
      changed();
    },
  );

  function layout(): void {
    for (const b of tabs.querySelectorAll('.tab'))
      b.classList.toggle('active', b.classList.contains(`tab-${state.tab}`));
    for (const b of stackControls.querySelectorAll('.toggle'))
      b.classList.toggle('active', b.classList.contains(state.stacked ? 'stacked' : 'unstacked'));
    endInput.placeholder = state.tab === 'graph' ? 'End time (now)' : 'Evaluation time (now)';
    if (state.tab === 'graph')
      replace(controls, rangeControls, endControls, stepInput, stackControls);
    else replace(controls, endControls);
  }

  function showMessages(res: ApiResponse<unknown>): void {
    replace(
      messages,
      ...res.warnings.map((w) =>
        h('div', { class: 'alert warning' }, h('strong', {}, 'Warning: '), w),
      ),
    );
    if (res.error === undefined) return;
    const pos = errorPosition(res.error);
    let where: HTMLElement | null = null;
    if (pos) {
      const line = state.expr.split('\n')[pos.line - 1] ?? '';
      where = h(
        'div',
        { class: 'error-position' },
        h('div', {}, `at line ${pos.line}, column ${pos.column}:`),
        h('pre', {}, `${line}\n${' '.repeat(Math.max(0, pos.column - 1))}^`),
      );
    }
    messages.append(
      h('div', { class: 'alert error' }, h('strong', {}, 'Error: '), `${res.error}`, where),
    );
  }

  function params(extra: Record<string, string>): URLSearchParams {
    return new URLSearchParams({
      query: state.expr,
      dedup: String(state.dedup),
      partial_response: String(state.partialResponse),
      max_source_resolution: state.resolution === 'raw' ? '0s' : state.resolution,
      ...extra,
    });
  }

  async function format(): Promise<void> {
    const expr = editor.value();
    if (expr.trim() === '') return;
    const res = await apiGet<string>('/api/v1/format_query', new URLSearchParams({ query: expr }));
    if (res.data !== undefined) editor.set(res.data);
    showMessages(res);
    editor.view.focus();
  }

  async function run(): Promise<void> {
    state.expr = editor.value();
    if (state.expr.trim() === '') return;
    inflight?.abort();
    const ctrl = (inflight = new AbortController());
    const endMs = state.end ?? Date.now();
    const began = performance.now();
    el.classList.add('loading');
    runBtn.disabled = true;
    try {
      if (state.tab === 'table') {
        const res = await apiGet<QueryData>(
          '/api/v1/query',
          params({ time: String(endMs / 1000) }),
          ctrl.signal,
        );
        if (ctrl.signal.aborted) return;
        showMessages(res);
        chart?.destroy();
        chart = undefined;
        replace(body, res.data ? renderTable(res.data) : null);
        const n =
          res.data && (res.data.resultType === 'vector' || res.data.resultType === 'matrix')
            ? res.data.result.length
            : res.data
              ? 1
              : 0;
        stats.textContent = res.data
          ? `Load time: ${Math.round(performance.now() - began)}ms · Result series: ${n}`
          : '';
      } else {
        const end = Math.floor(endMs / 1000);
        const start = end - state.range;
        const step = state.step ?? Math.max(Math.floor(state.range / 250), 1);
        const res = await apiGet<QueryData>(
          '/api/v1/query_range',
          params({ start: String(start), end: String(end), step: String(step) }),
          ctrl.signal,
        );
        if (ctrl.signal.aborted) return;
        showMessages(res);
        chart?.destroy();
        chart = undefined;
        replace(body);
        if (res.data?.resultType === 'matrix') {
          const host = h('div', { class: 'graph' });
          body.append(host);
          if (res.data.result.length === 0)
            host.append(h('div', { class: 'empty' }, 'Empty query result'));
          else
            chart = drawChart(host, {
              series: res.data.result,
              start,
              end,
              step,
              stacked: state.stacked,
            });
          stats.textContent = `Load time: ${Math.round(performance.now() - began)}ms · Resolution: ${step}s · Result series: ${res.data.result.length}`;
        } else if (res.data) {
          showMessages({
            warnings: res.warnings,
            error: `the graph needs a range query result (instant vector or scalar expression), got ${res.data.resultType}`,
          });
        }
      }
    } catch (err) {
      if ((err as Error).name !== 'AbortError') showMessages({ warnings: [], error: String(err) });
    } finally {
      if (inflight === ctrl) {
        el.classList.remove('loading');
        runBtn.disabled = false;
      }
    }
  }

  // uPlot draws at a fixed size: follow the panel's width.
  new ResizeObserver(() => {
    if (chart && body.clientWidth > 0 && Math.abs(chart.width - body.clientWidth) > 2)
      chart.setSize({ width: body.clientWidth, height: chart.height });
  }).observe(body);

  layout();
  return { el, state, run: () => void run() };
}
