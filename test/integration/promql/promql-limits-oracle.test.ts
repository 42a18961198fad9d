/**
 * @module test/integration/promql/promql-limits-oracle.test — the max-samples limit trips on exactly the
 * queries where Prometheus 2.42's does: the oracle queries run as instant and range queries on
 * Prometheus with `--query.max-samples=N` and on our Engine with `maxSamples: N`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TooManySamplesError } from '../../../core/errors.ts';
import { Engine } from '../../../core/promql/engine/engine.ts';
import { MemoryStorage } from '../../../core/promql/storage/memory.ts';
import { startPrometheusOnTsdb, type PrometheusHandle } from '../../helpers/prometheus-tsdb.ts';
import { promtoolCreateBlocks } from '../../helpers/promtool.ts';
import { makeTmpDir, type TmpDir } from '../../helpers/tmp.ts';
import {
  ORACLE_QUERIES,
  SPAN,
  T0,
  makeOracleData,
  toOpenMetrics,
} from '../../helpers/promql-oracle-data.ts';

const LIMIT = 1000;

describe(`max samples (${LIMIT}) vs Prometheus 2.42`, () => {
  let tmp: TmpDir;
  let prom: PrometheusHandle;
  const storage = new MemoryStorage();

  beforeAll(async () => {
    tmp = await makeTmpDir('promql-limits-');
    const data = makeOracleData();
    for (const s of data) storage.append(s.labels, s.t, s.v);
    const { db } = await promtoolCreateBlocks(toOpenMetrics(data), tmp.path);
    prom = await startPrometheusOnTsdb(db, tmp.path, [`--query.max-samples=${LIMIT}`]);
  });

  afterAll(async () => {
    await prom?.stop();
    await tmp?.remove();
  });

  it('fails the same queries', async () => {
    const engine = new Engine(storage, { maxSamples: LIMIT });
    const diffs: string[] = [];
    let tripped = 0;
    for (const q of ORACLE_QUERIES) {
      const modes: { path: string; params: Record<string, string>; run: () => Promise<unknown> }[] =
        [
          {
            path: 'query',
            params: { query: q, time: String((T0 + 3600_000) / 1000) },
            run: () => engine.instantQuery(q, T0 + 3600_000),
          },
          {
            path: 'query_range',
            params: {
              query: q,
              start: String(T0 / 1000),
              end: String((T0 + SPAN) / 1000),
              step: '60',
            },
            run: () => engine.rangeQuery(q, T0, T0 + SPAN, 60_000),
          },
        ];
      for (const m of modes) {
        const res = await fetch(`${prom.url}/api/v1/${m.path}`, {
          method: 'POST',
          body: new URLSearchParams(m.params),
        });
        const body = (await res.json()) as { status: string; error?: string };
        const promTripped = body.status !== 'success' && /too many samples/.test(body.error ?? '');
        const ours = await m.run().then(
          () => false,
          (err: unknown) => err instanceof TooManySamplesError,
        );
        if (promTripped) tripped++;
        if (promTripped !== ours)
          diffs.push(
            `${m.path} ${q}: prometheus ${promTripped ? 'tripped' : 'passed'}, ours ${ours ? 'tripped' : 'passed'}`,
          );
      }
    }
    expect(diffs.join('\n')).toBe('');
    expect(tripped).toBeGreaterThan(10);
  });
});
