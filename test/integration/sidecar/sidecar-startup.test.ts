/**
 * Sidecar agent start-up against a real Prometheus 2.42: without external labels it refuses to
 * start with Thanos's message; with them it starts and warns when Prometheus compacts locally
 * (min block duration 2h ≠ max block duration, 31d here: 10% of the 100y retention, capped).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NO_EXTERNAL_LABELS, SidecarAgent } from '../../../sidecar-agent/sidecar/agent.ts';
import { startPrometheusOnTsdb, type PrometheusHandle } from '../../helpers/prometheus-tsdb.ts';
import { makeTmpDir, type TmpDir } from '../../helpers/tmp.ts';

let tmp: TmpDir;
let prom: PrometheusHandle;

beforeAll(async () => {
  tmp = await makeTmpDir('sidecar-startup-');
  prom = await startPrometheusOnTsdb(tmp.path, tmp.path); // config: `global: {}`
}, 90_000);

afterAll(async () => {
  await prom?.stop();
  await tmp?.remove();
});

describe('sidecar agent start-up', () => {
  it('refuses to start without external labels, saying why', async () => {
    await expect(
      SidecarAgent.start({ prometheusUrl: prom.url, host: '127.0.0.1', port: 0, token: 't' }),
    ).rejects.toThrow(NO_EXTERNAL_LABELS);
    expect(NO_EXTERNAL_LABELS).toMatch(/^no external labels configured on Prometheus server/);
  });

  it('starts with external labels and warns that local compaction is on', async () => {
    await prom.reload('global:\n  external_labels:\n    cluster: c1\n');
    const log: string[] = [];
    const agent = await SidecarAgent.start({
      prometheusUrl: prom.url,
      host: '127.0.0.1',
      port: 0,
      token: 't',
      log: (m) => log.push(m),
    });
    try {
      expect(log.join('\n')).toMatch(
        /TSDB max time is 31d and min time is 2h. Compaction needs to be disabled/,
      );
      expect(log.join('\n')).toMatch(/uploads will be disabled/);
      expect((await fetch(`${agent.url}/-/ready`)).status).toBe(200);
    } finally {
      await agent.stop();
    }
  });
});
