import { describe, expect, it } from 'vitest';
import { listPageOf, scanListPage, type ListPage } from './s3-list.ts';
import { parseXml } from './xml.ts';

/** The page as the general XML parser reads it: what the scan must agree with. */
const parsed = (src: string): ListPage => listPageOf(parseXml(src));

const escape = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A deterministic pseudo-random source, so a failure repeats. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

const ALPHABET = 'abcXYZ019/._-&<>"\' é€😀';

function randomKey(r: () => number): string {
  const chars = [...ALPHABET];
  let k = '';
  for (let n = 1 + Math.floor(r() * 24); n > 0; n--) k += chars[Math.floor(r() * chars.length)];
  return k;
}

/** A page laid out as s3rver or AWS write it (indented or not, with the elements a listing skips). */
function page(
  r: () => number,
  keys: string[],
  prefixes: string[],
  token: string | undefined,
): string {
  const nl = r() < 0.5 ? '\n  ' : '';
  const contents = keys.map(
    (k) =>
      `<Contents>${nl}<Key>${escape(k)}</Key>${nl}<LastModified>2026-12-04T10:00:00.000Z</LastModified>` +
      `${nl}<ETag>&quot;0123abc&quot;</ETag><Size>${Math.floor(r() * 1e6)}</Size>` +
      `<Owner><ID>x</ID><DisplayName>y</DisplayName></Owner><StorageClass>STANDARD</StorageClass></Contents>`,
  );
  const common = prefixes.map(
    (p) => `<CommonPrefixes>${nl}<Prefix>${escape(p)}</Prefix></CommonPrefixes>`,
  );
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` +
    `${nl}<Name>thanos</Name>${nl}<Prefix>${escape(prefixes[0]?.slice(0, 1) ?? '')}</Prefix>` +
    `<KeyCount>${keys.length + prefixes.length}</KeyCount><MaxKeys>1000</MaxKeys><Delimiter>/</Delimiter>` +
    `${nl}<IsTruncated>${token !== undefined}</IsTruncated>${nl}${contents.join(nl)}${nl}${common.join(nl)}` +
    (token !== undefined
      ? `${nl}<NextContinuationToken>${escape(token)}</NextContinuationToken>`
      : '') +
    `\n</ListBucketResult>`
  );
}

describe('scanListPage', () => {
  it('reads 300 random pages exactly as the XML parser does', () => {
    const r = rng(42);
    for (let n = 0; n < 300; n++) {
      const keys = Array.from({ length: Math.floor(r() * 40) }, () => randomKey(r));
      const prefixes = Array.from({ length: Math.floor(r() * 6) }, () => `${randomKey(r)}/`);
      const token = r() < 0.5 ? randomKey(r) : undefined;
      const src = page(r, keys, prefixes, token);
      const scanned = scanListPage(src);
      expect(scanned).toEqual(parsed(src));
      expect(scanned!.keys).toEqual(keys);
      expect(scanned!.prefixes).toEqual(prefixes);
      expect(scanned!.continuationToken).toBe(token);
    }
  });

  it('reads an empty listing', () => {
    const src = `<ListBucketResult><Name>b</Name><Prefix>x/</Prefix><IsTruncated>false</IsTruncated></ListBucketResult>`;
    expect(scanListPage(src)).toEqual({ keys: [], prefixes: [], truncated: false });
  });

  it('leaves other documents to the full parser', () => {
    const fullParser = [
      // An error, not a listing.
      `<Error><Code>NoSuchBucket</Code><Message>gone</Message></Error>`,
      // CDATA and comments are valid XML the scan does not read.
      `<ListBucketResult><Contents><Key><![CDATA[a<b]]></Key></Contents></ListBucketResult>`,
      `<ListBucketResult><!-- <Contents><Key>x</Key></Contents> --></ListBucketResult>`,
      // Cut short, or a Contents without its Key.
      `<ListBucketResult><Contents><Key>a</Key>`,
      `<ListBucketResult><Contents><Size>1</Size></Contents></ListBucketResult>`,
      `<ListBucketResult><Contents><Key>a</Contents></ListBucketResult>`,
    ];
    for (const src of fullParser) expect(scanListPage(src)).toBeUndefined();
  });
});
