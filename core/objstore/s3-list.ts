/**
 * @module core/objstore/s3-list — one ListObjectsV2 page read by scanning for the few elements a
 * listing needs (each object's Key, each common Prefix, IsTruncated, NextContinuationToken)
 * instead of building the document's tree. A store shard's first sync lists every file of every
 * block: in a fresh isolate, where code still runs in the interpreter, the tree of a 1,000-key
 * page cost about 75 ms; the scan is a string search per element.
 *
 * The scan trusts the shape S3 servers write: bare element names, no attributes on these
 * elements, text without markup (keys arrive with `<` escaped). A page with CDATA, comments or
 * an element it does not expect is left to the general parser (core/objstore/xml.ts).
 */
import { childText, childrenNamed, decodeEntities, type XmlElement } from './xml.ts';

export interface ListPage {
  /** Object keys, in page order. */
  readonly keys: string[];
  /** Common prefixes (directories, with a delimiter), in page order. */
  readonly prefixes: string[];
  readonly truncated: boolean;
  readonly continuationToken?: string;
}

/** The page, or undefined when it is not a plain ListBucketResult (then parse it in full). */
export function scanListPage(src: string): ListPage | undefined {
  if (src.includes('<![CDATA[') || src.includes('<!--')) return undefined;
  const root = src.indexOf('<ListBucketResult');
  if (root < 0 || src.indexOf('</ListBucketResult>', root) < 0) return undefined;
  const keys = childTexts(src, root, 'Contents', 'Key');
  const prefixes = childTexts(src, root, 'CommonPrefixes', 'Prefix');
  if (!keys || !prefixes) return undefined;
  const truncated = topText(src, root, 'IsTruncated');
  const token = topText(src, root, 'NextContinuationToken');
  return {
    keys,
    prefixes,
    truncated: truncated === 'true',
    ...(token !== undefined ? { continuationToken: token } : {}),
  };
}

/** The page from its parsed tree (any shape the XML reader accepts). */
export function listPageOf(page: XmlElement): ListPage {
  const token = childText(page, 'NextContinuationToken');
  return {
    keys: childrenNamed(page, 'Contents').map((c) => childText(c, 'Key') ?? ''),
    prefixes: childrenNamed(page, 'CommonPrefixes').map((c) => childText(c, 'Prefix') ?? ''),
    truncated: childText(page, 'IsTruncated') === 'true',
    ...(token !== undefined ? { continuationToken: token } : {}),
  };
}

/**
 * The text of `<child>` inside each `<parent>` element, or undefined when a parent is not closed
 * or lacks the child.
 */
function childTexts(
  src: string,
  from: number,
  parent: string,
  child: string,
): string[] | undefined {
  const open = `<${parent}>`;
  const close = `</${parent}>`;
  const childOpen = `<${child}>`;
  const childClose = `</${child}>`;
  const out: string[] = [];
  for (let at = src.indexOf(open, from); at >= 0; at = src.indexOf(open, at)) {
    const end = src.indexOf(close, at);
    if (end < 0) return undefined;
    const start = src.indexOf(childOpen, at);
    if (start < 0 || start > end) return undefined;
    const stop = src.indexOf(childClose, start);
    if (stop < 0 || stop > end) return undefined;
    out.push(decodeEntities(src.slice(start + childOpen.length, stop)));
    at = end + close.length;
  }
  return out;
}

/**
 * The text of an element that appears once, directly under the root (its name is not reused
 * inside Contents or CommonPrefixes), or undefined.
 */
function topText(src: string, from: number, name: string): string | undefined {
  const start = src.indexOf(`<${name}>`, from);
  if (start < 0) return undefined;
  const stop = src.indexOf(`</${name}>`, start);
  if (stop < 0) return undefined;
  return decodeEntities(src.slice(start + name.length + 2, stop));
}
