/**
 * @module test/helpers/access-keys — a stand-in for a Cloudflare Access team: RSA signing keys
 * generated in the test (WebCrypto), served as a JWKS at `/cdn-cgi/access/certs` on a loopback
 * port (real HTTP), and a signer for Access-shaped JWTs, including deliberately bad ones
 * (alg none, HS256, a key the team never published). Always `stop()` it.
 */
import { createServer, type Server } from 'node:http';

export const RS256 = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } as const;

export interface TestKey {
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly publicJwk: JsonWebKey;
}

export async function generateTestKey(kid: string): Promise<TestKey> {
  const pair = await crypto.subtle.generateKey(
    { ...RS256, modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) },
    true,
    ['sign', 'verify'],
  );
  return {
    kid,
    privateKey: pair.privateKey,
    publicJwk: await crypto.subtle.exportKey('jwk', pair.publicKey),
  };
}

const b64url = (bytes: Uint8Array): string =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
const json64 = (v: unknown): string => b64url(new TextEncoder().encode(JSON.stringify(v)));

/** An RS256 JWT over `claims`, signed by `key` (header kid defaults to the key's). */
export async function signJwt(
  key: TestKey,
  claims: Record<string, unknown>,
  header: Record<string, unknown> = {},
): Promise<string> {
  const input = `${json64({ alg: 'RS256', kid: key.kid, typ: 'JWT', ...header })}.${json64(claims)}`;
  const sig = await crypto.subtle.sign(RS256, key.privateKey, new TextEncoder().encode(input));
  return `${input}.${b64url(new Uint8Array(sig))}`;
}

/** An HS256 JWT keyed with `secret` (an attacker trying the public key as an HMAC secret). */
export async function signHs256(
  secret: string,
  kid: string,
  claims: Record<string, unknown>,
): Promise<string> {
  const input = `${json64({ alg: 'HS256', kid, typ: 'JWT' })}.${json64(claims)}`;
  const key = await crypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  const sig = await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(input));
  return `${input}.${b64url(new Uint8Array(sig))}`;
}

/** An unsigned JWT (`alg: none`, empty signature). */
export function unsignedJwt(kid: string, claims: Record<string, unknown>): string {
  return `${json64({ alg: 'none', kid, typ: 'JWT' })}.${json64(claims)}.`;
}

export interface AccessTeam {
  /** `http://127.0.0.1:<port>`: the team domain and the tokens' issuer. */
  readonly origin: string;
  /** The keys the certs endpoint publishes now (replace to rotate). */
  keys: TestKey[];
  /** When the certs endpoint was fetched (ms since epoch), in order. */
  readonly fetches: number[];
  stop(): Promise<void>;
}

/** Serves `GET /cdn-cgi/access/certs` with the team's public keys on a free loopback port. */
export async function startAccessTeam(keys: TestKey[]): Promise<AccessTeam> {
  const fetches: number[] = [];
  const team = { keys } as { keys: TestKey[] };
  const server: Server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/cdn-cgi/access/certs') {
      fetches.push(Date.now());
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          keys: team.keys.map((k) => ({ ...k.publicJwk, kid: k.kid, alg: 'RS256', use: 'sig' })),
        }),
      );
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    origin: `http://127.0.0.1:${port}`,
    get keys() {
      return team.keys;
    },
    set keys(k: TestKey[]) {
      team.keys = k;
    },
    fetches,
    stop: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
