import { describe, expect, it } from 'vitest';
import { BadDataError, NotSupportedError } from '../errors.ts';
import { parseObjstoreConfig } from './config.ts';

describe('parseObjstoreConfig', () => {
  it('parses a Thanos S3 config: host:port endpoint, insecure → http, path lookup', () => {
    const cfg = parseObjstoreConfig(`type: s3
config:
  bucket: thanos
  endpoint: 127.0.0.1:9000
  access_key: AK
  secret_key: SK
  insecure: true
  trace:
    enable: false
prefix: tenant-a
`);
    expect(cfg.type).toBe('S3');
    if (cfg.type !== 'S3') return;
    expect(cfg.prefix).toBe('tenant-a');
    expect(cfg.s3).toMatchObject({
      bucket: 'thanos',
      endpoint: 'http://127.0.0.1:9000',
      region: 'us-east-1',
      accessKey: 'AK',
      secretKey: 'SK',
      lookup: 'path',
      partSize: 64 * 1024 * 1024,
    });
  });

  it('uses https, virtual hosts on AWS and region auto on R2', () => {
    const aws = parseObjstoreConfig(
      'type: S3\nconfig: {bucket: b, endpoint: s3.eu-west-1.amazonaws.com, region: eu-west-1}',
    );
    expect(aws.type === 'S3' && aws.s3).toMatchObject({
      endpoint: 'https://s3.eu-west-1.amazonaws.com',
      lookup: 'virtual-host',
      region: 'eu-west-1',
    });
    const r2 = parseObjstoreConfig(
      'type: S3\nconfig: {bucket: b, endpoint: acct.r2.cloudflarestorage.com, bucket_lookup_type: path}',
    );
    expect(r2.type === 'S3' && r2.s3).toMatchObject({ region: 'auto', lookup: 'path' });
  });

  it('parses FILESYSTEM', () => {
    expect(parseObjstoreConfig('type: FILESYSTEM\nconfig:\n  directory: /data/bucket\n')).toEqual({
      type: 'FILESYSTEM',
      prefix: '',
      directory: '/data/bucket',
    });
  });

  it('rejects unknown fields, missing fields and unsupported features like Thanos', () => {
    expect(() =>
      parseObjstoreConfig('type: S3\nconfig: {bucket: b, endpoint: e, bukcet: x}'),
    ).toThrow(/field bukcet not found/);
    expect(() => parseObjstoreConfig('type: S3\nconfig: {bucket: b}')).toThrow(/no s3 endpoint/);
    expect(() =>
      parseObjstoreConfig('type: S3\nconfig: {bucket: b, endpoint: e, access_key: a}'),
    ).toThrow(BadDataError);
    expect(() => parseObjstoreConfig('type: GCS\nconfig: {bucket: b}')).toThrow(NotSupportedError);
    expect(() =>
      parseObjstoreConfig('type: S3\nconfig: {bucket: b, endpoint: e, signature_version2: true}'),
    ).toThrow(NotSupportedError);
    expect(() => parseObjstoreConfig('type: FILESYSTEM\nconfig: {}')).toThrow(/missing directory/);
    expect(() => parseObjstoreConfig('type: FILESYSTEM\nconfig: {directory: d}\nextra: 1')).toThrow(
      /field extra/,
    );
    expect(() => parseObjstoreConfig('type: [')).toThrow(/parsing YAML/);
  });

  it('reads http_config.response_header_timeout as a Go duration', () => {
    const cfg = parseObjstoreConfig(
      'type: S3\nconfig:\n  bucket: b\n  endpoint: e:1\n  http_config:\n    response_header_timeout: 1m30s\n',
    );
    expect(cfg.type === 'S3' && cfg.s3.responseHeaderTimeoutMs).toBe(90_000);
    expect(() =>
      parseObjstoreConfig(
        'type: S3\nconfig: {bucket: b, endpoint: e, http_config: {response_header_timeout: soon}}',
      ),
    ).toThrow(/bad duration/);
  });
});
