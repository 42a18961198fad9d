/**
 * @module test/helpers/index-header — what the index-header tests share: a ByteSource that
 * counts requests, a set of matchers drawn from an index's own labels, and the differential
 * check that two IndexReaders over the same index answer every question identically.
 */
import { expect } from 'vitest';
import { newMatcher, type Matcher } from '../../core/labels/matcher.ts';
import type { IndexReader } from '../../core/tsdb/index-reader.ts';
import type { ByteSource } from '../../core/tsdb/source.ts';

/** Wraps a ByteSource and counts its requests: `size()` calls, reads and bytes read. */
export class CountingSource implements ByteSource {
  readonly name: string;
  readonly #inner: ByteSource;
  sizeCalls = 0;
  reads = 0;
  bytes = 0;

  constructor(inner: ByteSource) {
    this.#inner = inner;
    this.name = inner.name;
  }

  async size(): Promise<number> {
    this.sizeCalls++;
    return this.#inner.size();
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    this.reads++;
    this.bytes += length;
    return this.#inner.read(offset, length);
  }

  /** Requests of any kind so far. */
  get requests(): number {
    return this.sizeCalls + this.reads;
  }
}

/** RE2 syntax for the literal `s`. */
function reQuote(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Matcher sets over `ix`'s own label names and values: =, !=, =~, !~ on every name (first,
 * middle and last value; alternations; prefixes; the empty value, which also selects series
 * without the label), combinations, and a name the index does not have.
 */
export function matcherCases(ix: IndexReader): Matcher[][] {
  const cases: Matcher[][] = [];
  const any = newMatcher('=~', '__name__', '.+');
  for (const name of ix.labelNames()) {
    const vs = ix.labelValues(name);
    const first = vs[0]!;
    const mid = vs[vs.length >> 1]!;
    const last = vs[vs.length - 1]!;
    cases.push(
      [newMatcher('=', name, mid)],
      [newMatcher('=', name, '')],
      [newMatcher('!=', name, first), any],
      [newMatcher('!=', name, '')],
      [newMatcher('=~', name, `${reQuote(first)}|${reQuote(last)}`)],
      [newMatcher('=~', name, `${reQuote(mid.slice(0, 3))}.*`)],
      [newMatcher('=~', name, `|${reQuote(mid)}`)],
      [newMatcher('!~', name, `${reQuote(first.slice(0, 2))}.*`)],
      [newMatcher('!~', name, `${reQuote(mid)}|${reQuote(last)}`), any],
      [newMatcher('=~', name, '.+'), newMatcher('!=', name, last)],
    );
  }
  const names = ix.labelNames();
  if (names.length >= 2) {
    const [a, b] = [names[0]!, names[names.length - 1]!];
    cases.push([
      newMatcher('=~', a, '.*'),
      newMatcher('!~', b, reQuote(ix.labelValues(b)[0]!)),
      newMatcher('!=', names[names.length >> 1]!, ''),
    ]);
  }
  cases.push([newMatcher('=', 'no_such_label', 'x')], [newMatcher('=', 'no_such_label', '')]);
  return cases;
}

/**
 * Lets the event loop run: reads of in-memory sources resolve as microtasks only, and a long
 * run of them starves the test runner's RPC (vitest's "Timeout calling onTaskUpdate").
 */
export function tick(): Promise<void> {
  return new Promise((r) => setImmediate(r));
}

function samePostings(a: Uint32Array, b: Uint32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Asserts `got` answers exactly as `want`: label names, values of every name, postings for every
 * matcher set, and every series (labels and chunk metas) by ref. Returns how many matcher sets
 * selected something (so a caller can check the cases were not all empty).
 */
export async function expectSameAnswers(got: IndexReader, want: IndexReader): Promise<number> {
  expect(got.size).toBe(want.size);
  expect(got.toc).toEqual(want.toc);
  expect(got.labelNames()).toEqual(want.labelNames());
  for (const name of want.labelNames())
    expect(got.labelValues(name)).toEqual(want.labelValues(name));
  let nonEmpty = 0;
  for (const ms of matcherCases(want)) {
    await tick();
    const w = await want.postingsForMatchers(ms);
    const g = await got.postingsForMatchers(ms);
    if (!samePostings(g, w)) expect(Array.from(g), ms.map(String).join(',')).toEqual(Array.from(w));
    if (w.length > 0) nonEmpty++;
  }
  const all = await want.allPostings();
  expect(samePostings(await got.allPostings(), all)).toBe(true);
  expect(all.length).toBeGreaterThan(0);
  // Every series, in batches the size a store reads them.
  for (let i = 0; i < all.length; i += 2048) {
    await tick();
    const refs = all.subarray(i, i + 2048);
    const [g, w] = await Promise.all([got.seriesBatch(refs), want.seriesBatch(refs)]);
    // Strings compare fast; the structural diff only when they differ.
    if (JSON.stringify(g) !== JSON.stringify(w)) expect(g).toEqual(w);
  }
  return nonEmpty;
}
