import { describe, expect, it } from 'vitest';
import { childText, childrenNamed, parseXml } from './xml.ts';

describe('parseXml', () => {
  it('reads a ListObjectsV2 page with entities, CDATA and self-closing tags', () => {
    const doc = parseXml(`<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Name>b</Name><IsTruncated>true</IsTruncated>
  <Contents><Key>a&amp;b &lt;c&gt; &#233;&#x41;</Key><Size>3</Size></Contents>
  <Contents><Key><![CDATA[x<y]]></Key><Owner/></Contents>
  <!-- comment -->
  <CommonPrefixes><Prefix>dir/</Prefix></CommonPrefixes>
  <NextContinuationToken>tok+/=</NextContinuationToken>
</ListBucketResult>`);
    expect(doc.name).toBe('ListBucketResult');
    expect(childrenNamed(doc, 'Contents').map((c) => childText(c, 'Key'))).toEqual([
      'a&b <c> éA',
      'x<y',
    ]);
    expect(childText(childrenNamed(doc, 'CommonPrefixes')[0]!, 'Prefix')).toBe('dir/');
    expect(childText(doc, 'NextContinuationToken')).toBe('tok+/=');
    expect(childText(doc, 'Missing')).toBeUndefined();
  });

  it('rejects mismatched tags', () => {
    expect(() => parseXml('<a><b></a>')).toThrow(/unexpected <\/a>/);
    expect(() => parseXml('<a>')).toThrow(/unclosed/);
  });
});
