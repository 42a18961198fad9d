/**
 * @module test/helpers/fault-proxy — a FAKE in front of a real server (s3rver): a forwarding
 * proxy that records every request (method, path, headers) and can fail the next N requests
 * with a 503, which the real server cannot be made to do. Listens on loopback, plain HTTP or
 * HTTPS (with a given key and certificate, to test TLS client settings against a test CA).
 */
import { createServer as createHttpServer, request, type IncomingHttpHeaders } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  /** The status the client got. */
  status: number;
}

export interface FaultProxy {
  /** `http://127.0.0.1:<port>` or `https://localhost:<port>`. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly requests: RecordedRequest[];
  /** The next `n` requests are answered 503 SlowDown without reaching the server. */
  failNext(n: number): void;
  stop(): Promise<void>;
}

export interface FaultProxyOptions {
  /** Base URL of the real server. */
  readonly target: string;
  /** Serve HTTPS with this key and certificate (PEM). */
  readonly tls?: { readonly key: string | Buffer; readonly cert: string | Buffer };
}

export async function startFaultProxy(o: FaultProxyOptions): Promise<FaultProxy> {
  const target = new URL(o.target);
  const requests: RecordedRequest[] = [];
  let failing = 0;
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const rec: RecordedRequest = {
      method: req.method ?? '',
      path: req.url ?? '',
      headers: req.headers,
      status: 0,
    };
    requests.push(rec);
    if (failing > 0) {
      failing--;
      req.resume();
      rec.status = 503;
      res.writeHead(503, { 'content-type': 'application/xml' });
      res.end('<Error><Code>SlowDown</Code><Message>injected by the fault proxy</Message></Error>');
      return;
    }
    const up = request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (upRes) => {
        rec.status = upRes.statusCode ?? 502;
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
      },
    );
    up.on('error', () => res.destroy());
    req.pipe(up);
  };
  const server = o.tls
    ? createHttpsServer({ key: o.tls.key, cert: o.tls.cert }, handler)
    : createHttpServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const port = (server.address() as AddressInfo).port;
  const host = o.tls ? 'localhost' : '127.0.0.1';
  return {
    url: `${o.tls ? 'https' : 'http'}://${host}:${port}`,
    host,
    port,
    requests,
    failNext(n) {
      failing = n;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
