/**
 * @module test/helpers/test-ca — certificate authorities for TLS tests, made by the `openssl`
 * binary in a test's directory: a self-signed CA and certificates it signs (P-256 keys: fast to
 * make). Files are `<dir>/<name>.crt` and `<dir>/<name>.key`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';

/** Extensions of a server certificate for 127.0.0.1 / localhost. */
export const SERVER_CERT_EXT =
  'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n';
/** Extensions of a client certificate. */
export const CLIENT_CERT_EXT = 'extendedKeyUsage=clientAuth\n';

export function opensslInstalled(): boolean {
  return spawnSync('openssl', ['version']).status === 0;
}

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { stdio: 'pipe' });
}

const newKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** A self-signed CA `<dir>/<name>.{crt,key}`. */
export function makeCa(dir: string, name: string): void {
  const f = (ext: string): string => join(dir, `${name}.${ext}`);
  const subj = ['-subj', `/CN=${name}`];
  openssl('req', '-x509', ...newKey, '-keyout', f('key'), '-out', f('crt'), '-days', '1', ...subj);
}

/** A certificate `<dir>/<name>.{crt,key}` signed by the CA `ca`, with X.509 extensions `ext`. */
export function makeCert(dir: string, ca: string, name: string, ext: string): void {
  const f = (n: string, e: string): string => join(dir, `${n}.${e}`);
  const subj = ['-subj', `/CN=${name}`];
  openssl('req', '-new', ...newKey, '-keyout', f(name, 'key'), '-out', f(name, 'csr'), ...subj);
  writeFileSync(f(name, 'ext'), ext);
  openssl(
    'x509',
    '-req',
    '-in',
    f(name, 'csr'),
    '-CA',
    f(ca, 'crt'),
    '-CAkey',
    f(ca, 'key'),
    '-CAcreateserial',
    '-out',
    f(name, 'crt'),
    '-days',
    '1',
    '-extfile',
    f(name, 'ext'),
  );
}

/**
 * The PKI of the gRPC TLS suites in `dir`: CAs `test-ca` and `other-ca`, and `server` (for
 * 127.0.0.1 / localhost) and `client` certificates signed by `test-ca`.
 */
export function makeTestPki(dir: string): void {
  makeCa(dir, 'test-ca');
  makeCa(dir, 'other-ca');
  makeCert(dir, 'test-ca', 'server', SERVER_CERT_EXT);
  makeCert(dir, 'test-ca', 'client', CLIENT_CERT_EXT);
}

/** grpc-js credentials trusting the CA `ca` of `dir`, presenting certificate `cert` if given. */
export function grpcCredentials(dir: string, ca: string, cert?: string): grpc.ChannelCredentials {
  const read = (name: string): Buffer => readFileSync(join(dir, name));
  return grpc.credentials.createSsl(
    read(`${ca}.crt`),
    cert ? read(`${cert}.key`) : null,
    cert ? read(`${cert}.crt`) : null,
  );
}
