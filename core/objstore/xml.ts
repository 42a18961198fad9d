/**
 * @module core/objstore/xml — a small XML reader for S3 API responses (ListObjectsV2,
 * InitiateMultipartUpload, errors). Workers have no DOMParser, and S3 responses are simple:
 * elements and text, no DTDs. Attributes are skipped; namespaces are kept in the tag name
 * prefix (S3 uses a default namespace, so names are bare).
 */

export interface XmlElement {
  readonly name: string;
  readonly children: XmlElement[];
  /** Concatenated text directly inside this element, entities decoded. */
  text: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Decodes the five predefined entities and numeric character references. */
export function decodeEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (whole, ref: string) => {
    if (ref[0] === '#') {
      const cp = ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return Number.isFinite(cp) ? String.fromCodePoint(cp) : whole;
    }
    return ENTITIES[ref] ?? whole;
  });
}

/** Parses a document and returns its root element. Throws on malformed nesting. */
export function parseXml(src: string): XmlElement {
  const root: XmlElement = { name: '#document', children: [], text: '' };
  const stack: XmlElement[] = [root];
  let i = 0;
  while (i < src.length) {
    const lt = src.indexOf('<', i);
    const top = stack[stack.length - 1]!;
    if (lt < 0) {
      top.text += decodeEntities(src.slice(i));
      break;
    }
    if (lt > i) top.text += decodeEntities(src.slice(i, lt));
    if (src.startsWith('<?', lt)) {
      i = endOf(src, '?>', lt) + 2;
    } else if (src.startsWith('<!--', lt)) {
      i = endOf(src, '-->', lt) + 3;
    } else if (src.startsWith('<![CDATA[', lt)) {
      const end = endOf(src, ']]>', lt);
      top.text += src.slice(lt + 9, end);
      i = end + 3;
    } else if (src.startsWith('<!', lt)) {
      i = endOf(src, '>', lt) + 1;
    } else if (src[lt + 1] === '/') {
      const gt = endOf(src, '>', lt);
      const name = src.slice(lt + 2, gt).trim();
      if (top === root || top.name !== name) throw new Error(`xml: unexpected </${name}> at ${lt}`);
      stack.pop();
      i = gt + 1;
    } else {
      const gt = endOf(src, '>', lt);
      const selfClosing = src[gt - 1] === '/';
      const inner = src.slice(lt + 1, selfClosing ? gt - 1 : gt);
      const m = /^[^\s/>]+/.exec(inner);
      if (!m) throw new Error(`xml: bad tag at ${lt}`);
      const el: XmlElement = { name: m[0], children: [], text: '' };
      top.children.push(el);
      if (!selfClosing) stack.push(el);
      i = gt + 1;
    }
  }
  if (stack.length !== 1) throw new Error(`xml: unclosed <${stack[stack.length - 1]!.name}>`);
  const docRoot = root.children[0];
  if (!docRoot) throw new Error('xml: no root element');
  return docRoot;
}

function endOf(src: string, token: string, from: number): number {
  const at = src.indexOf(token, from);
  if (at < 0) throw new Error(`xml: unterminated markup at ${from}`);
  return at;
}

/** Direct children named `name`. */
export function childrenNamed(el: XmlElement, name: string): XmlElement[] {
  return el.children.filter((c) => c.name === name);
}

/** Text of the first direct child named `name`, or undefined. */
export function childText(el: XmlElement, name: string): string | undefined {
  return el.children.find((c) => c.name === name)?.text;
}
