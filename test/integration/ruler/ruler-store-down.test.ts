/**
 * A store down while the ruler evaluates (a StoreAPI endpoint nobody listens on): a group with
 * Thanos's default `partial_response_strategy` (abort) shows the failure as its rules' error in
 * /api/v1/rules, and a group with `warn` goes on evaluating over the stores that answer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../helpers/ports.ts';
import { remoteWriteBody, remoteWriteHeaders } from '../../helpers/remote-write.ts';
import { startWorker, type WorkerHandle } from '../../helpers/worker.ts';

const TOKEN = 'ruler-down-token';
const RULES = `groups:
  - name: strict
    interval: 1s
    rules:
      - record: strict:value
        expr: sum(down_test)
  - name: lenient
    interval: 1s
    partial_response_strategy: warn
    rules:
      - record: lenient:value
        expr: sum(down_test)
`;

describe('ruler with a store down', () => {
  let worker: WorkerHandle;

  beforeAll(async () => {
    const dead = await freePort();
    worker = await startWorker({
      receive: true,
      ruler: true,
      vars: {
        STORE_TOKEN: TOKEN,
        STORES: `http://127.0.0.1:${dead}`,
        STORES_TOKEN: TOKEN,
        RULE_RELOAD_INTERVAL: '1s',
        QUERY_FRONTEND: 'false',
      },
    });
    const r = await worker.fetch('/api/v1/receive', {
      method: 'POST',
      headers: remoteWriteHeaders(TOKEN),
      body: remoteWriteBody([
        { labels: { __name__: 'down_test', job: 'x' }, samples: [[Date.now(), 3]] },
      ]),
    });
    expect(r.status).toBe(204);
    await (await worker.mf.getR2Bucket('BLOCKS', 'querier')).put('rules/down.yml', RULES);
  });
  afterAll(async () => {
    await worker?.stop();
  });

  it('fails the abort group with the store error and keeps the warn group running', async () => {
    type Groups = Array<{ name: string; rules: Array<{ health: string; lastError: string }> }>;
    let groups: Groups = [];
    for (let i = 0; i < 40; i++) {
      const body = (await (await worker.fetch('/api/v1/rules')).json()) as {
        data: { groups: Groups };
      };
      groups = body.data.groups;
      if (groups.length === 2 && groups.every((g) => g.rules[0]!.health !== 'unknown')) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const strict = groups.find((g) => g.name === 'strict')!.rules[0]!;
    const lenient = groups.find((g) => g.name === 'lenient')!.rules[0]!;
    expect(strict.health).toBe('err');
    expect(strict.lastError).toMatch(/127\.0\.0\.1/);
    expect(lenient.health).toBe('ok');
    // Its result went through the receive path: queryable (with a warning for the dead store).
    let result: Array<{ value: [number, string] }> = [];
    for (let i = 0; i < 20 && result.length === 0; i++) {
      const r = await worker.fetch('/api/v1/query?query=lenient:value&partial_response=true');
      result = ((await r.json()) as { data: { result: typeof result } }).data.result;
      if (result.length === 0) await new Promise((res) => setTimeout(res, 500));
    }
    expect(result.map((s) => s.value[1])).toEqual(['3']);
  });
});
