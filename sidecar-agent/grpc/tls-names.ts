/**
 * @module sidecar-agent/grpc/tls-names — Thanos's gRPC server TLS settings, which name things as
 * Go's crypto/tls does, in the names Node's tls (OpenSSL) takes: `--grpc-server-tls-min-version`
 * → `minVersion`, `--grpc-server-tls-ciphers` → `ciphers`, `--grpc-server-tls-curves` →
 * `ecdhCurve`.
 */
import { BadDataError } from '../../core/errors.ts';

/** `--grpc-server-tls-min-version` values (Thanos pkg/tls AllowedTLSVersions) → Node's names. */
export const TLS_MIN_VERSIONS = {
  '1.0': 'TLSv1',
  '1.1': 'TLSv1.1',
  '1.2': 'TLSv1.2',
  '1.3': 'TLSv1.3',
} as const;
export type TlsMinVersion = (typeof TLS_MIN_VERSIONS)[keyof typeof TLS_MIN_VERSIONS];

/**
 * The suites Go's `tls.CipherSuites()` lists in the Go that builds Thanos v0.42 (the only names
 * Thanos accepts; the RSA key exchange, 3DES, RC4 and CBC-SHA256 suites are under
 * `InsecureCipherSuites()` there, and refused) → their OpenSSL names (https://docs.openssl.org/3.0/man1/openssl-ciphers/, "TLS v1.2 cipher
 * suites"). The TLS 1.3 suites have the same name in both.
 */
export const GO_CIPHER_SUITES: Readonly<Record<string, string>> = {
  TLS_AES_128_GCM_SHA256: 'TLS_AES_128_GCM_SHA256',
  TLS_AES_256_GCM_SHA384: 'TLS_AES_256_GCM_SHA384',
  TLS_CHACHA20_POLY1305_SHA256: 'TLS_CHACHA20_POLY1305_SHA256',
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA: 'ECDHE-ECDSA-AES128-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA: 'ECDHE-ECDSA-AES256-SHA',
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA: 'ECDHE-RSA-AES128-SHA',
  TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA: 'ECDHE-RSA-AES256-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: 'ECDHE-ECDSA-AES128-GCM-SHA256',
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: 'ECDHE-ECDSA-AES256-GCM-SHA384',
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: 'ECDHE-RSA-AES128-GCM-SHA256',
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: 'ECDHE-RSA-AES256-GCM-SHA384',
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-RSA-CHACHA20-POLY1305',
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-ECDSA-CHACHA20-POLY1305',
};

/**
 * The curve names Thanos accepts (Go's `tls.CurveID` names) → OpenSSL group names. The three
 * ML-KEM hybrids need OpenSSL ≥ 3.5 under Node.
 */
export const GO_CURVES: Readonly<Record<string, string>> = {
  CurveP256: 'P-256',
  CurveP384: 'P-384',
  CurveP521: 'P-521',
  X25519: 'X25519',
  X25519MLKEM768: 'X25519MLKEM768',
  SecP256r1MLKEM768: 'SecP256r1MLKEM768',
  SecP384r1MLKEM1024: 'SecP384r1MLKEM1024',
};

/**
 * OpenSSL ≥ 3 allows TLS 1.0 and 1.1 only at security level 0; Go has no such level, so a
 * `--grpc-server-tls-min-version` below 1.2 lowers it to let those versions handshake at all.
 */
export const LEGACY_TLS_SECLEVEL = '@SECLEVEL=0';

function lookUp(
  kind: string,
  table: Readonly<Record<string, string>>,
  names: readonly string[],
): string[] {
  return names.map((n) => {
    const v = table[n];
    if (v === undefined)
      throw new BadDataError(
        `invalid ${kind}: ${n}, valid values are ${Object.keys(table).sort().join(', ')}`,
      );
    return v;
  });
}

/**
 * OpenSSL suite names for Go suite names, in their order (unknown names: BadDataError), to be
 * joined with `:` as Node's `ciphers`. Without a TLS 1.3 name Node keeps its TLS 1.3 defaults,
 * as Go does; TLS 1.3 names given are honoured (Go ignores them).
 */
export function opensslCiphers(goNames: readonly string[]): string[] {
  return lookUp('cipher suite', GO_CIPHER_SUITES, goNames);
}

/** OpenSSL group names for Go curve names, in their order (unknown names: BadDataError). */
export function opensslCurves(goNames: readonly string[]): string[] {
  return lookUp('curve', GO_CURVES, goNames);
}
