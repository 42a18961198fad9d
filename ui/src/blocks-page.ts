/**
 * @module ui/blocks-page — the bucket's blocks (/api/v1/blocks) drawn as Thanos's bucket web draws
 * them: a row per external label set and resolution, time on the x axis, each block a rectangle
 * coloured by compaction level; clicking one shows its meta.json.
 */
import { apiGet } from './api.ts';
import {
  layoutBlocks,
  resolutionName,
  timeTicks,
  type BlockInfo,
  type BlocksLayout,
  type PlacedBlock,
} from './blocks-layout.ts';
import { h, labelBadges, replace } from './dom.ts';
import { formatDuration, formatTime } from './time.ts';

interface BlocksData {
  blocks: BlockInfo[];
  skipped: Array<{ id: string; reason: string; detail: string; shard?: string }>;
}

/** Height of one lane of a row, px. */
const LANE_PX = 26;

/** The meta as meta.json has it (the Worker adds `shard`, which is not part of the file). */
function metaJson(b: BlockInfo): string {
  const { shard: _shard, ...meta } = b;
  return JSON.stringify(meta, null, 2);
}

function details(b: BlockInfo): HTMLElement {
  const facts: Array<[string, string]> = [
    ['ULID', b.ulid],
    ['Start', `${formatTime(b.minTime)} UTC`],
    ['End', `${formatTime(b.maxTime)} UTC`],
    ['Duration', formatDuration((b.maxTime - b.minTime) / 1000)],
    ['Series', String(b.stats?.numSeries ?? '–')],
    ['Samples', String(b.stats?.numSamples ?? '–')],
    ['Chunks', String(b.stats?.numChunks ?? '–')],
    ['Compaction level', String(b.compaction.level)],
    ['Resolution', resolutionName(b.thanos?.downsample?.resolution ?? 0)],
    ['Source', b.thanos?.source || '–'],
  ];
  if (b.shard) facts.push(['Store shard', b.shard]);
  return h(
    'section',
    { class: 'block-details' },
    h('h2', {}, `Block ${b.ulid}`),
    h(
      'table',
      { class: 'block-facts' },
      h('tbody', {}, ...facts.map(([k, v]) => h('tr', {}, h('th', {}, k), h('td', {}, v)))),
    ),
    h('div', { class: 'label-set' }, ...labelBadges(b.thanos?.labels ?? {})),
    h('h3', {}, 'meta.json'),
    h('pre', { class: 'block-meta' }, metaJson(b)),
  );
}

function rect(p: PlacedBlock, onPick: (b: BlockInfo, el: HTMLElement) => void): HTMLElement {
  const b = p.block;
  const res = resolutionName(b.thanos?.downsample?.resolution ?? 0);
  const el = h(
    'div',
    {
      class: `block-rect level-${Math.min(b.compaction.level, 6)} res-${res}`,
      'data-ulid': b.ulid,
      title:
        `${b.ulid}\n${formatTime(b.minTime)} – ${formatTime(b.maxTime)} UTC` +
        `\nlevel ${b.compaction.level}, ${res}, ${b.stats?.numSeries ?? '?'} series`,
      style: `left:${p.left}%;width:max(${p.width}%, 3px);top:${p.lane * LANE_PX + 2}px;height:${LANE_PX - 4}px`,
    },
    h('span', { class: 'block-text' }, `L${b.compaction.level} · ${res}`),
  );
  el.addEventListener('click', () => onPick(b, el));
  return el;
}

function timeline(layout: BlocksLayout, onPick: (b: BlockInfo, el: HTMLElement) => void) {
  const span = Math.max(1, layout.maxTime - layout.minTime);
  const ticks = timeTicks(layout.minTime, layout.maxTime);
  const axis = h(
    'div',
    { class: 'blocks-axis' },
    ...ticks.map((t) => {
      const at = ((t - layout.minTime) / span) * 100;
      // Labels at the ends stay inside the axis.
      const shift = at > 92 ? -100 : at < 8 ? 0 : -50;
      return h(
        'span',
        { class: 'tick', style: `left:${at}%;transform:translateX(${shift}%)` },
        formatTime(t).slice(0, 16),
      );
    }),
  );
  return h(
    'div',
    { class: 'blocks-timeline' },
    ...layout.rows.map((r) =>
      h(
        'div',
        { class: 'blocks-row' },
        h(
          'div',
          { class: 'row-head' },
          h('div', { class: 'label-set' }, ...labelBadges(r.labels)),
          h(
            'div',
            { class: 'row-meta' },
            `resolution ${resolutionName(r.resolution)} · ${r.blocks.length} blocks`,
          ),
        ),
        h(
          'div',
          { class: 'row-track', style: `height:${r.lanes * LANE_PX}px` },
          ...r.blocks.map((p) => rect(p, onPick)),
        ),
      ),
    ),
    h('div', { class: 'blocks-row axis-row' }, h('div', { class: 'row-head' }), axis),
  );
}

function legend(levels: number[]): HTMLElement {
  return h(
    'div',
    { class: 'blocks-legend' },
    'Compaction level: ',
    ...levels.map((l) =>
      h(
        'span',
        { class: `legend-item` },
        h('span', { class: `swatch level-${Math.min(l, 6)}` }),
        `${l}`,
      ),
    ),
    h('span', { class: 'muted' }, ' · downsampled blocks are hatched (5m) or dotted (1h)'),
  );
}

export async function renderBlocksPage(root: HTMLElement): Promise<void> {
  replace(root, h('h1', {}, 'Blocks'), h('div', { class: 'muted' }, 'Loading…'));
  const res = await apiGet<BlocksData>('/api/v1/blocks');
  const blocks = res.data?.blocks ?? [];
  const skipped = res.data?.skipped ?? [];
  const detail = h('div', { class: 'block-detail-slot' });
  let picked: HTMLElement | undefined;
  const onPick = (b: BlockInfo, el: HTMLElement): void => {
    picked?.classList.remove('picked');
    picked = el;
    el.classList.add('picked');
    replace(detail, details(b));
  };
  const levels = [...new Set(blocks.map((b) => b.compaction.level))].sort((a, b) => a - b);
  const layout = blocks.length > 0 ? layoutBlocks(blocks) : undefined;
  replace(
    root,
    h('h1', {}, 'Blocks'),
    res.error ? h('div', { class: 'alert error' }, h('strong', {}, 'Error: '), res.error) : null,
    ...res.warnings.map((w) => h('div', { class: 'alert warning' }, w)),
    layout
      ? h(
          'div',
          { class: 'muted blocks-summary' },
          `${blocks.length} blocks in ${layout.rows.length} rows, ${formatTime(layout.minTime)} – ${formatTime(layout.maxTime)} UTC`,
        )
      : null,
    !res.error && !layout ? h('div', { class: 'muted' }, 'No blocks.') : null,
    layout ? legend(levels) : null,
    layout ? timeline(layout, onPick) : null,
    detail,
    skipped.length > 0
      ? h(
          'section',
          { class: 'blocks-skipped' },
          h('h2', {}, `Not served (${skipped.length})`),
          h('ul', {}, ...skipped.map((s) => h('li', {}, `${s.reason}: ${s.detail}`))),
        )
      : null,
  );
}
