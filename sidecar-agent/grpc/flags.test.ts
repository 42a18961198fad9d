import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTmpDir, type TmpDir } from '../../test/helpers/tmp.ts';
import { parseFlags } from '../cli/bucket-flags.ts';
import { parseTimeOrDuration } from '../cli/store.ts';
import { GRPC_FLAGS, grpcConfigFromFlags, parseListenAddress } from './flags.ts';

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
    await expect(config('--grpc-server-tls-min-version=1.0')).rejects.toThrow(/1\.2 or 1\.3/);
    await expect(
      config(`--grpc-server-tls-cert=${join(tmp.path, 'a.pem')}`, '--grpc-server-tls-key=/nope'),
    ).rejects.toThrow(/--grpc-server-tls-key: cannot read \/nope/);
    expect(() => parseListenAddress('grpc-address', '10901')).toThrow(/host:port/);
    expect(parseListenAddress('grpc-address', ':10901')).toEqual({ host: '0.0.0.0', port: 10901 });
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
