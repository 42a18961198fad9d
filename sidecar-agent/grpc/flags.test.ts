import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSecureContext, DEFAULT_CIPHERS } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTmpDir, type TmpDir } from '../../test/helpers/tmp.ts';
import { parseFlags } from '../cli/bucket-flags.ts';
import { parseTimeOrDuration } from '../cli/store.ts';
import { loggerFromFunction } from '../log.ts';
import { GRPC_FLAGS, grpcConfigFromFlags, parseListenAddress } from './flags.ts';
import { GO_CIPHER_SUITES } from './tls-names.ts';

let tmp: TmpDir;
beforeAll(async () => {
  tmp = await makeTmpDir('grpc-flags-');
  writeFileSync(join(tmp.path, 'a.pem'), 'cert');
  writeFileSync(join(tmp.path, 'b.pem'), 'key');
});
afterAll(() => tmp.remove());

const config = (...args: string[]) => grpcConfigFromFlags(parseFlags(args, GRPC_FLAGS));

describe('gRPC server flags', () => {
  it("Thanos's defaults: 0.0.0.0:10901, 2m grace, 60m max connection age, no TLS", async () => {
    expect(await config()).toEqual({
      host: '0.0.0.0',
      port: 10901,
      graceMs: 120_000,
      maxConnectionAgeMs: 3_600_000,
    });
  });

  it('reads the values and the TLS files; mutual TLS with a client CA', async () => {
    const c = await config(
      '--grpc-address=[::1]:0',
      '--grpc-grace-period=5s',
      '--grpc-server-max-connection-age=1m30s',
      `--grpc-server-tls-cert=${join(tmp.path, 'a.pem')}`,
      `--grpc-server-tls-key=${join(tmp.path, 'b.pem')}`,
      `--grpc-server-tls-client-ca=${join(tmp.path, 'a.pem')}`,
      '--grpc-server-tls-min-version=1.2',
    );
    expect(c).toMatchObject({ host: '::1', port: 0, graceMs: 5000, maxConnectionAgeMs: 90_000 });
    expect(c.tls?.cert.toString()).toBe('cert');
    expect(c.tls?.key.toString()).toBe('key');
    expect(c.tls?.clientCa?.toString()).toBe('cert');
    expect(c.tls?.minVersion).toBe('TLSv1.2');
  });

  it('refuses what does not go together or cannot be read', async () => {
    await expect(config('--grpc-server-tls-key=x')).rejects.toThrow(/go together/);
    await expect(config('--grpc-server-tls-client-ca=x')).rejects.toThrow(/needs/);
    await expect(config('--grpc-grace-period=soon')).rejects.toThrow(/--grpc-grace-period/);
    await expect(config('--grpc-server-tls-min-version=1.4')).rejects.toThrow(
      /expected one of 1\.0, 1\.1, 1\.2, 1\.3, got 1\.4/,
    );
    await expect(
      config(`--grpc-server-tls-cert=${join(tmp.path, 'a.pem')}`, '--grpc-server-tls-key=/nope'),
    ).rejects.toThrow(/--grpc-server-tls-key: cannot read \/nope/);
    expect(() => parseListenAddress('grpc-address', '10901')).toThrow(/host:port/);
    expect(parseListenAddress('grpc-address', ':10901')).toEqual({ host: '0.0.0.0', port: 10901 });
  });
});

describe('gRPC server TLS tuning (--grpc-server-tls-min-version, -ciphers, -curves)', () => {
  const tlsConfig = (...args: string[]) =>
    config(
      `--grpc-server-tls-cert=${join(tmp.path, 'a.pem')}`,
      `--grpc-server-tls-key=${join(tmp.path, 'b.pem')}`,
      ...args,
    );

  it("maps every Thanos version to Node's; below 1.2 lowers OpenSSL's security level, with a warning", async () => {
    for (const [v, node] of [
      ['1.0', 'TLSv1'],
      ['1.1', 'TLSv1.1'],
      ['1.2', 'TLSv1.2'],
      ['1.3', 'TLSv1.3'],
    ] as const) {
      const lines: string[] = [];
      const c = await grpcConfigFromFlags(
        parseFlags(
          [
            `--grpc-server-tls-cert=${join(tmp.path, 'a.pem')}`,
            `--grpc-server-tls-key=${join(tmp.path, 'b.pem')}`,
            `--grpc-server-tls-min-version=${v}`,
          ],
          GRPC_FLAGS,
        ),
        loggerFromFunction((m) => lines.push(m)),
      );
      expect(c.tls?.minVersion, v).toBe(node);
      const legacy = v === '1.0' || v === '1.1';
      expect(c.tls?.ciphers, v).toBe(legacy ? `${DEFAULT_CIPHERS}:@SECLEVEL=0` : undefined);
      expect(
        lines.some((l) => /^warn: .*security level lowered to 0/.test(l)),
        v,
      ).toBe(legacy);
    }
  });

  it('translates Go cipher suite and curve names to OpenSSL names, in order, repeatable', async () => {
    const c = await tlsConfig(
      '--grpc-server-tls-min-version=1.2',
      '--grpc-server-tls-ciphers=TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
      '--grpc-server-tls-ciphers=TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
      '--grpc-server-tls-ciphers=TLS_AES_128_GCM_SHA256',
      '--grpc-server-tls-curves=X25519',
      '--grpc-server-tls-curves=CurveP384',
    );
    expect(c.tls?.ciphers).toBe(
      'ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305:TLS_AES_128_GCM_SHA256',
    );
    expect(c.tls?.ecdhCurve).toBe('X25519:P-384');
    // Every name of the table is one OpenSSL knows (an unknown one makes no secure context).
    for (const name of Object.values(GO_CIPHER_SUITES))
      expect(() => createSecureContext({ ciphers: name }), name).not.toThrow();
    for (const group of ['P-256', 'P-384', 'P-521', 'X25519'])
      expect(() => createSecureContext({ ecdhCurve: group }), group).not.toThrow();
  });

  it("refuses names Thanos refuses (Go's insecure suites too), listing the valid ones", async () => {
    await expect(
      tlsConfig('--grpc-server-tls-ciphers=TLS_RSA_WITH_AES_128_CBC_SHA'),
    ).rejects.toThrow(
      /--grpc-server-tls-ciphers: invalid cipher suite: TLS_RSA_WITH_AES_128_CBC_SHA, valid values are TLS_AES_128_GCM_SHA256, /,
    );
    await expect(tlsConfig('--grpc-server-tls-curves=P-256')).rejects.toThrow(
      /--grpc-server-tls-curves: invalid curve: P-256, valid values are CurveP256, CurveP384, /,
    );
    // As in Thanos, they are read only with TLS on.
    expect((await config('--grpc-server-tls-ciphers=nonsense')).tls).toBeUndefined();
  });

  it('leaves out curves this OpenSSL lacks, with a warning; none left is an error', async () => {
    const mlkem = (() => {
      try {
        createSecureContext({ ecdhCurve: 'X25519MLKEM768' });
        return true;
      } catch {
        return false;
      }
    })();
    const lines: string[] = [];
    const flags = (...curves: string[]) =>
      parseFlags(
        [
          `--grpc-server-tls-cert=${join(tmp.path, 'a.pem')}`,
          `--grpc-server-tls-key=${join(tmp.path, 'b.pem')}`,
          ...curves.map((c) => `--grpc-server-tls-curves=${c}`),
        ],
        GRPC_FLAGS,
      );
    const log = loggerFromFunction((m) => lines.push(m));
    const c = await grpcConfigFromFlags(flags('X25519MLKEM768', 'X25519'), log);
    expect(c.tls?.ecdhCurve).toBe(mlkem ? 'X25519MLKEM768:X25519' : 'X25519');
    expect(lines.some((l) => /^warn: TLS curves not supported .*X25519MLKEM768/.test(l))).toBe(
      !mlkem,
    );
    const alone = grpcConfigFromFlags(flags('X25519MLKEM768'), log);
    if (mlkem) expect((await alone).tls?.ecdhCurve).toBe('X25519MLKEM768');
    else await expect(alone).rejects.toThrow(/none of X25519MLKEM768 is supported by OpenSSL/);
  });
});

describe("store --min-time/--max-time (Thanos's TimeOrDurationValue)", () => {
  const now = Date.UTC(2026, 0, 15);
  it('takes RFC 3339 times and durations relative to now', () => {
    expect(parseTimeOrDuration('min-time', '2026-01-01T00:00:00Z', now)).toBe(Date.UTC(2026, 0, 1));
    expect(parseTimeOrDuration('min-time', '2026-01-01T01:00:00+01:00', now)).toBe(
      Date.UTC(2026, 0, 1),
    );
    expect(parseTimeOrDuration('min-time', '-2w', now)).toBe(now - 14 * 86_400_000);
    expect(parseTimeOrDuration('max-time', '0d', now)).toBe(now);
    expect(parseTimeOrDuration('max-time', '1h30m', now)).toBe(now + 5_400_000);
    // Thanos's default --min-time, year 0.
    expect(parseTimeOrDuration('min-time', '0000-01-01T00:00:00Z', now)).toBe(-62167219200000);
  });
  it('refuses anything else', () => {
    expect(() => parseTimeOrDuration('min-time', 'yesterday', now)).toThrow(/--min-time/);
    expect(() => parseTimeOrDuration('min-time', '2026-01-01', now)).toThrow(/RFC 3339/);
  });
});
