/**
 * Label names and values under matchers, against the real Prometheus 2.42 serving the same
 * promtool-written blocks: `/api/v1/labels?match[]=` and `/api/v1/label/<name>/values?match[]=`
 * must list exactly what labelNamesFor / labelValuesFor find across our blocks.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareStrings } from '../../../core/labels/labels.ts';
import { parseSeriesSelector } from '../../../core/labels/selector.ts';
import { Block } from '../../../core/tsdb/block-reader.ts';
import { labelNamesFor, labelValuesFor } from '../../../core/tsdb/index-labels.ts';
import { FileBlockDir } from '../../../sidecar-agent/tsdb/file-source.ts';
import { generateOpenMetrics } from '../../fixtures/openmetrics-gen.ts';
import { promtoolCreateBlocks } from '../../helpers/promtool.ts';
import { startPrometheusOnTsdb, type PrometheusHandle } from '../../helpers/prometheus-tsdb.ts';
import { makeTmpDir, type TmpDir } from '../../helpers/tmp.ts';

let tmp: TmpDir;
let prom: PrometheusHandle | undefined;
const blocks: Block[] = [];
const dirs: FileBlockDir[] = [];

beforeAll(async () => {
  tmp = await makeTmpDir('tsdb-labels-');
  const gen = generateOpenMetrics({ seed: 21, hours: 3, scale: 0.3 });
  const made = await promtoolCreateBlocks(gen.text, tmp.path);
  for (const id of made.blocks) {
    const d = new FileBlockDir(join(made.db, id));
    dirs.push(d);
    blocks.push(await Block.open(d, { id }));
  }
  prom = await startPrometheusOnTsdb(made.db, tmp.path);
});

afterAll(async () => {
  await Promise.all(dirs.map((d) => d.close()));
  await prom?.stop();
  await tmp?.remove();
});

async function api(path: string, match: string): Promise<string[]> {
  const q = new URLSearchParams({ 'match[]': match, start: '1600000000', end: '1800000000' });
  const r = await fetch(`${prom!.url}${path}?${q}`);
  const body = (await r.json()) as { status: string; data: string[] };
  expect(body.status).toBe('success');
  return body.data;
}

const union = (lists: string[][]) => [...new Set(lists.flat())].sort(compareStrings);

const SELECTORS = [
  'edge_special_values',
  'http_requests_total{code="500", path=""}',
  '{__name__=~"rpc.*", le=~"0\\\\.0.*"}',
  '{path!="", __name__=~".+"}',
  '{instance="host-1:9100", sensor=~"temp1.|temp2"}',
  'nonexistent_metric',
  '{path=~"/ü.*|line.*"}',
];

describe('label names and values with matchers vs Prometheus', () => {
  for (const sel of SELECTORS) {
    it(`labels and values for ${sel}`, async () => {
      const ms = parseSeriesSelector(sel);
      const names = union(await Promise.all(blocks.map((b) => labelNamesFor(b.index, ms))));
      expect(names).toEqual(await api('/api/v1/labels', sel));
      for (const name of ['__name__', 'path', 'le', 'instance', 'kind']) {
        const values = union(
          await Promise.all(blocks.map((b) => labelValuesFor(b.index, name, ms))),
        );
        expect(values, name).toEqual(await api(`/api/v1/label/${name}/values`, sel));
      }
    });
  }
});

describe('hasLabelName', () => {
  it('is true exactly for the names Prometheus lists', async () => {
    const all = await api('/api/v1/labels', '{__name__=~".+"}');
    for (const b of blocks) {
      const own = b.index.labelNames();
      for (const name of [...all, 'no_such_label', '']) {
        expect(b.index.hasLabelName(name), `${b.meta.ulid} ${name}`).toBe(own.includes(name));
      }
      // Every name of the block is one Prometheus knows; the all-postings key is none of them.
      for (const name of own) expect(all).toContain(name);
      expect(own).not.toContain('');
    }
  });
});
