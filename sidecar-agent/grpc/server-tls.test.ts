/**
 * The TLS settings of `--grpc-server-tls-min-version`, `-ciphers` and `-curves` reach the
 * handshake: a gRPC server started from the flags (as `sidecar` and `store` start theirs), and
 * raw TLS clients that offer one version, one suite or one curve.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect, type ConnectionOptions } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVER_CERT_EXT, makeCa, makeCert, opensslInstalled } from '../../test/helpers/test-ca.ts';
import { makeTmpDir, type TmpDir } from '../../test/helpers/tmp.ts';
import { parseFlags } from '../cli/bucket-flags.ts';
import { nopLogger } from '../log.ts';
import { GRPC_FLAGS, grpcConfigFromFlags } from './flags.ts';
import { GrpcServer } from './server.ts';

let tmp: TmpDir;
const file = (name: string): string => join(tmp.path, name);

beforeAll(async () => {
  expect(opensslInstalled(), 'openssl is installed').toBe(true);
  tmp = await makeTmpDir('grpc-server-tls-');
  makeCa(tmp.path, 'ca');
  makeCert(tmp.path, 'ca', 'server', SERVER_CERT_EXT); // P-256 ECDSA: ECDHE-ECDSA suites
});
afterAll(() => tmp?.remove());

/** A gRPC server from TLS flags; runs `f` against it and stops it. */
async function withServer(flags: string[], f: (port: number) => Promise<void>): Promise<void> {
  const config = await grpcConfigFromFlags(
    parseFlags(
      [
        '--grpc-address=127.0.0.1:0',
        `--grpc-server-tls-cert=${file('server.crt')}`,
        `--grpc-server-tls-key=${file('server.key')}`,
        ...flags,
      ],
      GRPC_FLAGS,
    ),
    nopLogger,
  );
  const server = await GrpcServer.listen({
    host: config.host,
    port: config.port,
    methods: new Map(),
    name: 'tls test',
    tls: config.tls!,
  });
  try {
    await f(server.port);
  } finally {
    await server.stop();
  }
}

interface Handshake {
  readonly protocol?: string | null;
  readonly cipher?: string;
  readonly group?: string;
  readonly error?: string;
}

/** One TLS handshake (ALPN h2, as a gRPC client): what was agreed, or the error. */
function handshake(port: number, o: ConnectionOptions): Promise<Handshake> {
  return new Promise((resolve) => {
    const socket = connect({
      host: '127.0.0.1',
      port,
      servername: 'localhost',
      ca: readFileSync(file('ca.crt')),
      ALPNProtocols: ['h2'],
      ...o,
    });
    socket.once('secureConnect', () => {
      resolve({
        protocol: socket.getProtocol(),
        cipher: socket.getCipher().name,
        group: (socket.getEphemeralKeyInfo() as { name?: string } | null)?.name,
      });
      socket.destroy();
    });
    socket.once('error', (err: NodeJS.ErrnoException) =>
      resolve({ error: err.code ?? err.message }),
    );
  });
}

// Clients below TLS 1.2 need OpenSSL's security level 0 too, as the server does for them.
const LEGACY_CLIENT = { ciphers: 'DEFAULT:@SECLEVEL=0', minVersion: 'TLSv1' } as const;

describe('--grpc-server-tls-min-version', () => {
  it('1.3 (the default) refuses a TLS 1.2 client; 1.2 takes it', async () => {
    await withServer([], async (port) => {
      expect((await handshake(port, {})).protocol).toBe('TLSv1.3');
      expect((await handshake(port, { maxVersion: 'TLSv1.2' })).error).toBeDefined();
    });
    await withServer(['--grpc-server-tls-min-version=1.2'], async (port) => {
      expect((await handshake(port, { maxVersion: 'TLSv1.2' })).protocol).toBe('TLSv1.2');
      const old = await handshake(port, { ...LEGACY_CLIENT, maxVersion: 'TLSv1.1' });
      expect(old.error).toBeDefined();
    });
  });

  it('1.0 and 1.1 let TLS 1.0 and 1.1 clients in, and no older one', async () => {
    await withServer(['--grpc-server-tls-min-version=1.0'], async (port) => {
      const v10 = await handshake(port, { ...LEGACY_CLIENT, maxVersion: 'TLSv1' });
      expect(v10.protocol).toBe('TLSv1');
      expect((await handshake(port, {})).protocol).toBe('TLSv1.3');
    });
    await withServer(['--grpc-server-tls-min-version=1.1'], async (port) => {
      const v11 = await handshake(port, { ...LEGACY_CLIENT, maxVersion: 'TLSv1.1' });
      expect(v11.protocol).toBe('TLSv1.1');
      expect(
        (await handshake(port, { ...LEGACY_CLIENT, maxVersion: 'TLSv1' })).error,
      ).toBeDefined();
    });
  });
});

describe('--grpc-server-tls-ciphers', () => {
  it('a TLS 1.2 client gets a listed suite, and none other', async () => {
    const flags = [
      '--grpc-server-tls-min-version=1.2',
      '--grpc-server-tls-ciphers=TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
      '--grpc-server-tls-ciphers=TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256',
    ];
    await withServer(flags, async (port) => {
      const tls12 = { maxVersion: 'TLSv1.2' } as const;
      // Offered first by the client but not listed: the server picks a listed one.
      const any = await handshake(port, {
        ...tls12,
        ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-CHACHA20-POLY1305',
      });
      expect(any.cipher).toBe('ECDHE-ECDSA-CHACHA20-POLY1305');
      const listed = await handshake(port, { ...tls12, ciphers: 'ECDHE-ECDSA-AES256-GCM-SHA384' });
      expect(listed.cipher).toBe('ECDHE-ECDSA-AES256-GCM-SHA384');
      const other = await handshake(port, { ...tls12, ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256' });
      expect(other.error).toBeDefined();
      // Only TLS 1.2 suites were listed: TLS 1.3 keeps its defaults, as in Go.
      expect((await handshake(port, {})).protocol).toBe('TLSv1.3');
    });
  });

  it('a listed TLS 1.3 suite is the only TLS 1.3 one', async () => {
    await withServer(['--grpc-server-tls-ciphers=TLS_CHACHA20_POLY1305_SHA256'], async (port) => {
      expect((await handshake(port, {})).cipher).toBe('TLS_CHACHA20_POLY1305_SHA256');
      expect((await handshake(port, { ciphers: 'TLS_AES_256_GCM_SHA384' })).error).toBeDefined();
    });
  });
});

describe('--grpc-server-tls-curves', () => {
  it('key exchange uses a listed curve, and a client with none of them is refused', async () => {
    const flags = ['--grpc-server-tls-curves=CurveP384', '--grpc-server-tls-curves=CurveP521'];
    await withServer(flags, async (port) => {
      expect((await handshake(port, {})).group).toBe('secp384r1');
      expect((await handshake(port, { ecdhCurve: 'P-521' })).group).toBe('secp521r1');
      expect((await handshake(port, { ecdhCurve: 'X25519' })).error).toBeDefined();
    });
    // Without the flag, Node's defaults: X25519 first.
    await withServer([], async (port) => {
      expect((await handshake(port, {})).group).toBe('X25519');
    });
  });
});
