import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTransport } from './http-transport.ts';
import { createNodeFetch } from './node-fetch.ts';

let silent: Server;
let port = 0;
const sockets: Socket[] = [];

beforeAll(async () => {
  // Accepts TCP and never speaks: a TLS handshake with it never finishes.
  silent = createServer((s) => void sockets.push(s));
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  port = (silent.address() as AddressInfo).port;
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((r) => silent.close(r));
});

describe('http transport (Go http.Transport settings)', () => {
  it('tls_handshake_timeout ends a handshake that never finishes', async () => {
    const agents = makeTransport({ tlsHandshakeTimeoutMs: 300 }, 'test');
    const started = Date.now();
    await expect(createNodeFetch({ agents })(`https://127.0.0.1:${port}/`)).rejects.toThrow(
      /TLS handshake timeout after 300 ms/,
    );
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('TLS files must exist; cert and key come together', () => {
    expect(() =>
      makeTransport(
        { tls: { certFile: '/nonexistent/c.pem', keyFile: '/nonexistent/k.pem' } },
        'cfg',
      ),
    ).toThrow(/cfg: tls_config.cert_file \/nonexistent\/c.pem: .*ENOENT/);
    expect(() => makeTransport({ tls: { certFile: '/etc/hostname' } }, 'cfg')).toThrow(
      /both cert_file and key_file/,
    );
  });
});
