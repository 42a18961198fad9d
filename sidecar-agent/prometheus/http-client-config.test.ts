import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newMatcher } from '../../core/labels/matcher.ts';
import { PrometheusClient } from './client.ts';
import { loadPrometheusHttpClient } from './http-client-config.ts';

let server: Server;
let url = '';
let dir = '';
const seen: { method: string; path: string; headers: IncomingHttpHeaders }[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'http-client-'));
  // Records what the agent sends; answers like Prometheus would to a config and a remote read.
  server = createServer((req, res) => {
    seen.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers });
    req.resume();
    if (req.url?.startsWith('/api/v1/status/config')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({ status: 'success', data: { yaml: 'global: {external_labels: {a: b}}' } }),
      );
    } else {
      res.writeHead(200, {
        'content-type': 'application/x-streamed-protobuf; proto=prometheus.ChunkedReadResponse',
      });
      res.end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  await rm(dir, { recursive: true, force: true });
});

describe('--prometheus.http-client', () => {
  it('sends basic auth (password_file) on API calls and on remote read', async () => {
    await writeFile(join(dir, 'pw'), 's3cret\n');
    const hc = await loadPrometheusHttpClient(
      `basic_auth: {username: agent, password_file: ${join(dir, 'pw')}}\n`,
    );
    const client = new PrometheusClient(url, { httpClient: hc });
    expect(await client.externalLabels()).toEqual([{ name: 'a', value: 'b' }]);
    const sink = { push: () => undefined };
    for await (const _ of client.remoteReadInto(
      { start: 0, end: 1, matchers: [newMatcher('=', '__name__', 'up')], hints: {} },
      sink,
    ));
    const want = `Basic ${Buffer.from('agent:s3cret').toString('base64')}`;
    expect(seen.map((s) => [s.method, s.path.split('?')[0], s.headers.authorization])).toEqual([
      ['GET', '/api/v1/status/config', want],
      ['POST', '/api/v1/read', want],
    ]);
  });

  it('sends a bearer token; rejects unknown fields and missing files by name', async () => {
    seen.length = 0;
    const hc = await loadPrometheusHttpClient('bearer_token: tok\n');
    await new PrometheusClient(url, { httpClient: hc }).externalLabels();
    expect(seen[0]!.headers.authorization).toBe('Bearer tok');
    await expect(loadPrometheusHttpClient('bearer_tokn: x\n')).rejects.toThrow(
      /field bearer_tokn not found/,
    );
    await expect(
      loadPrometheusHttpClient(`tls_config: {ca_file: ${join(dir, 'nope.pem')}}\n`),
    ).rejects.toThrow(/tls_config.ca_file .*nope.pem: .*ENOENT/);
    await expect(
      loadPrometheusHttpClient(`bearer_token_file: ${join(dir, 'nope')}\n`),
    ).rejects.toThrow(/bearer_token_file .*nope: .*ENOENT/);
  });
});
