/**
 * Index headers of blocks written by promtool 2.42 (`tsdb create-blocks-from openmetrics`): a
 * 300-series 2h block, a 20k-series block (an index of several MiB) and the seeded fixture with
 * its awkward label values. For each: building reads the index file at most twice, an
 * IndexReader from the header opens with no request and answers exactly as `IndexReader.open`
 * (label names and values, postings for =, !=, =~, !~ matchers, every series), and one from a
 * header carrying the whole index never reads the file. Header sizes are logged.
 */
import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_INLINE_BELOW, buildIndexHeader } from '../../../core/tsdb/index-header.ts';
import { IndexReader } from '../../../core/tsdb/index-reader.ts';
import { FileSource } from '../../../sidecar-agent/tsdb/file-source.ts';
import { clusterOpenMetrics, clusterSeries } from '../../fixtures/cluster-series.ts';
import { generateOpenMetrics } from '../../fixtures/openmetrics-gen.ts';
import { CountingSource, expectSameAnswers } from '../../helpers/index-header.ts';
import { promtoolCreateBlocks } from '../../helpers/promtool.ts';
import { makeTmpDir, type TmpDir } from '../../helpers/tmp.ts';

const H2 = 2 * 3600_000;
/** A 2h-aligned start, so each data set lands in one block. */
const T0 = Math.ceil(1_700_000_000_000 / H2) * H2;

interface PromtoolIndex {
  what: string;
  id: string;
  path: string;
  size: number;
}

let tmp: TmpDir;
const indexes: PromtoolIndex[] = [];
const files: FileSource[] = [];

async function promtoolIndexes(what: string, text: string): Promise<void> {
  const dir = join(tmp.path, what.replace(/\W+/g, '-'));
  await mkdir(dir);
  const made = await promtoolCreateBlocks(text, dir);
  for (const id of made.blocks) {
    const path = join(made.db, id, 'index');
    indexes.push({ what, id, path, size: (await stat(path)).size });
  }
}

/** A counted source over a promtool index file (closed in afterAll). */
function source(ix: PromtoolIndex): CountingSource {
  const f = new FileSource(ix.path, 'index');
  files.push(f);
  return new CountingSource(f);
}

beforeAll(async () => {
  tmp = await makeTmpDir('tsdb-index-header-');
  await promtoolIndexes('300 series', clusterOpenMetrics(clusterSeries(300), T0, 8, H2 / 8));
  await promtoolIndexes('20k series', clusterOpenMetrics(clusterSeries(20_000), T0, 4, H2 / 4));
  await promtoolIndexes('fixture', generateOpenMetrics({ seed: 8, hours: 2 }).text);
  expect(indexes.filter((i) => i.what !== 'fixture').length).toBe(2);
}, 300_000);

afterAll(async () => {
  await Promise.all(files.map((f) => f.close()));
  await tmp?.remove();
});

describe('index headers of promtool-written blocks', () => {
  it('the 20k-series index is several MiB', () => {
    expect(indexes.find((i) => i.what === '20k series')!.size).toBeGreaterThan(2 * 2 ** 20);
  });

  it('build in ≤ 2 reads, open from the header with 0 requests, answer like open', async () => {
    for (const ix of indexes) {
      const b = source(ix);
      const header = await buildIndexHeader(b, { block: ix.id, size: ix.size, inlineBelow: 0 });
      expect([b.sizeCalls, b.reads <= 2], ix.what).toEqual([0, true]);
      const buildReads = b.reads;
      const s = source(ix);
      const r = IndexReader.fromHeader(s, header, { block: ix.id, indexSize: ix.size });
      expect(s.requests).toBe(0);
      expect(r.backing).toBe('header');
      const o = source(ix);
      const opened = await IndexReader.open(o, { block: ix.id });
      const openRequests = o.requests;
      expect(await expectSameAnswers(r, opened)).toBeGreaterThan(20);

      const inlineHeader = await buildIndexHeader(source(ix), { block: ix.id, size: ix.size });
      console.log(
        `index header, promtool block ${ix.id} (${ix.what}): index ${ix.size} B, header ${header.length} B (${((100 * header.length) / ix.size).toFixed(1)}%), default header ${inlineHeader.length} B${ix.size < DEFAULT_INLINE_BELOW ? ' (index inline)' : ''}; build ${buildReads} reads, IndexReader.open ${openRequests} requests`,
      );
    }
  }, 300_000);

  it('with the inline index: one read to build, no read ever after', async () => {
    for (const ix of indexes) {
      const b = source(ix);
      const header = await buildIndexHeader(b, { block: ix.id, inlineBelow: Infinity });
      expect([b.sizeCalls, b.reads], ix.what).toEqual([1, 1]);
      const s = source(ix);
      const r = IndexReader.fromHeader(s, header, { block: ix.id });
      expect(r.backing).toBe('inline');
      expect(await expectSameAnswers(r, await IndexReader.open(source(ix)))).toBeGreaterThan(20);
      expect(s.requests).toBe(0);
    }
  }, 300_000);
});
