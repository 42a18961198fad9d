/**
 * @module core/promql/engine/gosort — the orderings Go's sort and container/heap produce, where
 * PromQL results expose them (topk/bottomk output order and ties): sorting goes through the
 * functions' port of Go's pdqsort; container/heap's up/down sift rules decide which of equal
 * values survive in topk. Also strconv's 'f' float formatting for count_values.
 */
import { goSort as goSortIndexed } from '../functions/gosort.ts';

/** Sorts idx in place with `less(a, b)` on its elements, in exactly the order Go's sort.Sort leaves them. */
export function goSort(idx: number[], less: (a: number, b: number) => boolean): void {
  goSortIndexed(
    idx.length,
    (i, j) => less(idx[i]!, idx[j]!),
    (i, j) => {
      const t = idx[i]!;
      idx[i] = idx[j]!;
      idx[j] = t;
    },
  );
}

/** container/heap over an array of element ids, ordered by `less`. */
export function heapUp(h: number[], j: number, less: (a: number, b: number) => boolean): void {
  for (;;) {
    const i = Math.trunc((j - 1) / 2);
    if (i === j || !less(h[j]!, h[i]!)) break;
    const t = h[i]!;
    h[i] = h[j]!;
    h[j] = t;
    j = i;
  }
}

export function heapDown(
  h: number[],
  i0: number,
  n: number,
  less: (a: number, b: number) => boolean,
): void {
  let i = i0;
  for (;;) {
    const j1 = 2 * i + 1;
    if (j1 >= n) break;
    let j = j1;
    const j2 = j1 + 1;
    if (j2 < n && less(h[j2]!, h[j1]!)) j = j2;
    if (!less(h[j]!, h[i]!)) break;
    const t = h[i]!;
    h[i] = h[j]!;
    h[j] = t;
    i = j;
  }
}

export function heapPush(h: number[], x: number, less: (a: number, b: number) => boolean): void {
  h.push(x);
  heapUp(h, h.length - 1, less);
}

export function heapPop(h: number[], less: (a: number, b: number) => boolean): number {
  const n = h.length - 1;
  const t = h[0]!;
  h[0] = h[n]!;
  h[n] = t;
  heapDown(h, 0, n, less);
  return h.pop()!;
}

/**
 * strconv.FormatFloat(v, 'f', -1, 64): the shortest digits that round-trip, never in exponent
 * form; NaN, +Inf, -Inf spelled as Go does.
 */
export function formatFloatF(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const e = v.toExponential();
  const neg = e.startsWith('-');
  const body = neg ? e.slice(1) : e;
  const [mant, expStr] = body.split('e') as [string, string];
  const digits = mant.replace('.', '');
  const point = Number(expStr) + 1;
  let s: string;
  if (point <= 0) s = `0.${'0'.repeat(-point)}${digits}`;
  else if (point >= digits.length) s = digits + '0'.repeat(point - digits.length);
  else s = `${digits.slice(0, point)}.${digits.slice(point)}`;
  return neg ? `-${s}` : s;
}
