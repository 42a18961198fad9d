/**
 * The StoreAPI acceptance suite (test/helpers/store-acceptance.ts) over the sidecar's Prometheus
 * store: a real Prometheus 2.42 on a TSDB holding the acceptance data set as one block written by
 * core/tsdb/writer, its external labels in its configuration. Run twice: the PrometheusStore
 * itself (remote read, labels API) with the external labels it reads from Prometheus, and the
 * whole sidecar agent over HTTP (the encoded, transcoded series path) through an HttpStore.
 */
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { HttpStore } from '../../../core/storeapi/http-client.ts';
import { PrometheusClient } from '../../../sidecar-agent/prometheus/client.ts';
import { SidecarAgent } from '../../../sidecar-agent/sidecar/agent.ts';
import { PrometheusStore } from '../../../sidecar-agent/sidecar/prometheus-store.ts';
import { dirSinkFactory } from '../../../sidecar-agent/tsdb/dir-sink.ts';
import { startPrometheusOnTsdb, type PrometheusHandle } from '../../helpers/prometheus-tsdb.ts';
import { storeApiAcceptance } from '../../helpers/store-acceptance.ts';
import { writeDataBlock, type StoreDataSet } from '../../helpers/store-acceptance-data.ts';
import { makeTmpDir, type TmpDir } from '../../helpers/tmp.ts';

const TOKEN = 'acceptance-token';

let tmp: TmpDir | undefined;
let prometheus: Promise<PrometheusHandle> | undefined;

/** One Prometheus for both runs, started by whichever asks first. */
function startPrometheus(data: StoreDataSet): Promise<PrometheusHandle> {
  prometheus ??= (async () => {
    tmp = await makeTmpDir('sidecar-acceptance-');
    const tsdb = join(tmp.path, 'data');
    await writeDataBlock(dirSinkFactory(tsdb, { fsync: false }), data, data.series, {
      thanos: false,
    });
    const prom = await startPrometheusOnTsdb(tsdb, tmp.path);
    const ext = data.externalLabels.map((l) => `    ${l.name}: ${JSON.stringify(l.value)}`);
    await prom.reload(`global:\n  external_labels:\n${ext.join('\n')}\n`);
    return prom;
  })();
  return prometheus;
}

afterAll(async () => {
  await (await prometheus?.catch(() => undefined))?.stop();
  await tmp?.remove();
});

storeApiAcceptance('sidecar Prometheus store (Prometheus 2.42 remote read)', async (data) => {
  const prom = await startPrometheus(data);
  const client = new PrometheusClient(prom.url);
  const ext = await client.externalLabels();
  return {
    store: new PrometheusStore(client, { externalLabels: () => ext }),
    teardown: async () => undefined,
  };
});

storeApiAcceptance('sidecar agent over HTTP (Prometheus 2.42)', async (data) => {
  const prom = await startPrometheus(data);
  const agent = await SidecarAgent.start({
    prometheusUrl: prom.url,
    host: '127.0.0.1',
    port: 0,
    token: TOKEN,
  });
  return {
    store: new HttpStore(agent.url, { token: TOKEN }),
    teardown: () => agent.stop(),
  };
});
