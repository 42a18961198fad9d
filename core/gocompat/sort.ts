/**
 * @module core/gocompat/sort — Go 1.19's unstable sort (pattern-defeating quicksort), reproduced
 * step for step: `sort.Sort` over indices (goSort), `sort.Slice` with an element comparator
 * (goSortSlice) and over a Float64Array (goSortFloat64).
 *
 * Why not Array.prototype.sort: Prometheus sorts with comparators that are not strict weak orders
 * (sort/sort_desc and quantile put NaN first with `Less(i, j) = isNaN(v[i]) || …`), and ties keep
 * whatever order Go's algorithm leaves them in. Matching `sort()` and topk output order and the
 * exact bucket order histogram_quantile sums in needs the same sequence of Less/Swap calls as
 * Go 1.19.8, the toolchain Prometheus 2.42's Debian binary is built with. sort.Slice runs the same
 * algorithm as sort.Sort (pdqsort_func is its generated twin), so one implementation serves both.
 */

/** Less(i, j) reports whether element i sorts before element j. */
export type Less = (i: number, j: number) => boolean;
export type Swap = (i: number, j: number) => void;

const INCREASING = 1;
const DECREASING = 2;

/** Go's `sort.Sort(data)` over n elements addressed by index. */
export function goSort(n: number, less: Less, swap: Swap): void {
  if (n <= 1) return;
  const limit = 32 - Math.clz32(n); // bits.Len(uint(n))
  pdqsort(less, swap, 0, n, limit);
}

/** Go's `sort.Slice(x, func(i, j) bool { return less(x[i], x[j]) })`: x sorted in place. */
export function goSortSlice<T>(x: T[], less: (a: T, b: T) => boolean): void {
  goSort(
    x.length,
    (i, j) => less(x[i]!, x[j]!),
    (i, j) => {
      const t = x[i]!;
      x[i] = x[j]!;
      x[j] = t;
    },
  );
}

/** Sorts a Float64Array in place with Go's algorithm and an arbitrary Less on values. */
export function goSortFloat64(
  a: Float64Array,
  n: number,
  lessValue: (x: number, y: number) => boolean,
): void {
  goSort(
    n,
    (i, j) => lessValue(a[i]!, a[j]!),
    (i, j) => {
      const t = a[i]!;
      a[i] = a[j]!;
      a[j] = t;
    },
  );
}

/** Prometheus's quantile order: `Less = isNaN(x) || x < y` (NaN first). */
export const lessNaNFirst = (x: number, y: number): boolean => Number.isNaN(x) || x < y;

/**
 * Leaves in a[lower] and a[upper] (upper is lower or lower + 1, below n) the values Go's sort
 * with `lessNaNFirst` would leave there, reordering a[0:n] (not sorting it). Where every order
 * Go's sort could leave has the same bits at every rank (no NaN, not both signed zeros) a
 * selection finds the two in linear time, several times faster than sorting for a quantile of
 * hundreds of series at every step; otherwise it sorts.
 */
export function goRanksFloat64NaNFirst(
  a: Float64Array,
  n: number,
  lower: number,
  upper: number,
): void {
  let positiveZero = false;
  let negativeZero = false;
  for (let k = 0; k < n; k++) {
    const x = a[k]!;
    if (x !== x) {
      goSortFloat64(a, n, lessNaNFirst);
      return;
    }
    if (x === 0) {
      if (1 / x < 0) negativeZero = true;
      else positiveZero = true;
    }
  }
  if (positiveZero && negativeZero) {
    goSortFloat64(a, n, lessNaNFirst);
    return;
  }
  if (!selectRank(a, n, lower)) {
    // Values that defeat the pivot choice: sorting bounds the work (any order is Go's here).
    a.subarray(0, n).sort();
    return;
  }
  if (upper === lower) return;
  // Everything past a[lower] is >= it: the next rank is their smallest.
  let at = lower + 1;
  for (let k = lower + 2; k < n; k++) if (a[k]! < a[at]!) at = k;
  const x = a[at]!;
  a[at] = a[lower + 1]!;
  a[lower + 1] = x;
}

/**
 * Hoare's selection: afterwards a[k] holds the value of rank k of a[0:n], everything before it is
 * <= it and everything after >= it. For NaN-free values. False, leaving a[0:n] reordered but not
 * selected, when partitioning takes more rounds than a balanced one would (2 log2 n + 8), so that
 * inputs built against median-of-three cannot make it quadratic.
 */
function selectRank(a: Float64Array, n: number, k: number): boolean {
  let lo = 0;
  let hi = n - 1;
  let rounds = 2 * Math.ceil(Math.log2(n + 1)) + 8;
  while (hi - lo >= 16) {
    if (--rounds < 0) return false;
    // Median of three as the pivot, which also keeps each scan inside [lo, hi].
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < a[lo]!) swapF64(a, mid, lo);
    if (a[hi]! < a[lo]!) swapF64(a, hi, lo);
    if (a[hi]! < a[mid]!) swapF64(a, hi, mid);
    const pivot = a[mid]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        swapF64(a, i, j);
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return true; // between the two scans every value equals the pivot
  }
  for (let i = lo + 1; i <= hi; i++) {
    const x = a[i]!;
    let j = i - 1;
    while (j >= lo && a[j]! > x) {
      a[j + 1] = a[j]!;
      j--;
    }
    a[j + 1] = x;
  }
  return true;
}

function swapF64(a: Float64Array, i: number, j: number): void {
  const x = a[i]!;
  a[i] = a[j]!;
  a[j] = x;
}

function insertionSort(less: Less, swap: Swap, a: number, b: number): void {
  for (let i = a + 1; i < b; i++) {
    for (let j = i; j > a && less(j, j - 1); j--) swap(j, j - 1);
  }
}

function siftDown(less: Less, swap: Swap, lo: number, hi: number, first: number): void {
  let root = lo;
  for (;;) {
    let child = 2 * root + 1;
    if (child >= hi) return;
    if (child + 1 < hi && less(first + child, first + child + 1)) child++;
    if (!less(first + root, first + child)) return;
    swap(first + root, first + child);
    root = child;
  }
}

function heapSort(less: Less, swap: Swap, a: number, b: number): void {
  const first = a;
  const hi = b - a;
  for (let i = Math.trunc((hi - 1) / 2); i >= 0; i--) siftDown(less, swap, i, hi, first);
  for (let i = hi - 1; i >= 0; i--) {
    swap(first, first + i);
    siftDown(less, swap, 0, i, first);
  }
}

function pdqsort(less: Less, swap: Swap, a: number, b: number, limit: number): void {
  const maxInsertion = 12;
  let wasBalanced = true;
  let wasPartitioned = true;
  for (;;) {
    const length = b - a;
    if (length <= maxInsertion) {
      insertionSort(less, swap, a, b);
      return;
    }
    if (limit === 0) {
      heapSort(less, swap, a, b);
      return;
    }
    if (!wasBalanced) {
      breakPatterns(swap, a, b);
      limit--;
    }
    let [pivot, hint] = choosePivot(less, a, b);
    if (hint === DECREASING) {
      reverseRange(swap, a, b);
      pivot = b - 1 - (pivot - a);
      hint = INCREASING;
    }
    if (wasBalanced && wasPartitioned && hint === INCREASING) {
      if (partialInsertionSort(less, swap, a, b)) return;
    }
    if (a > 0 && !less(a - 1, pivot)) {
      a = partitionEqual(less, swap, a, b, pivot);
      continue;
    }
    const [mid, alreadyPartitioned] = partition(less, swap, a, b, pivot);
    wasPartitioned = alreadyPartitioned;
    const leftLen = mid - a;
    const rightLen = b - mid;
    const balanceThreshold = Math.trunc(length / 8);
    if (leftLen < rightLen) {
      wasBalanced = leftLen >= balanceThreshold;
      pdqsort(less, swap, a, mid, limit);
      a = mid + 1;
    } else {
      wasBalanced = rightLen >= balanceThreshold;
      pdqsort(less, swap, mid + 1, b, limit);
      b = mid;
    }
  }
}

function partition(less: Less, swap: Swap, a: number, b: number, pivot: number): [number, boolean] {
  swap(a, pivot);
  let i = a + 1;
  let j = b - 1;
  while (i <= j && less(i, a)) i++;
  while (i <= j && !less(j, a)) j--;
  if (i > j) {
    swap(j, a);
    return [j, true];
  }
  swap(i, j);
  i++;
  j--;
  for (;;) {
    while (i <= j && less(i, a)) i++;
    while (i <= j && !less(j, a)) j--;
    if (i > j) break;
    swap(i, j);
    i++;
    j--;
  }
  swap(j, a);
  return [j, false];
}

function partitionEqual(less: Less, swap: Swap, a: number, b: number, pivot: number): number {
  swap(a, pivot);
  let i = a + 1;
  let j = b - 1;
  for (;;) {
    while (i <= j && !less(a, i)) i++;
    while (i <= j && less(a, j)) j--;
    if (i > j) break;
    swap(i, j);
    i++;
    j--;
  }
  return i;
}

function partialInsertionSort(less: Less, swap: Swap, a: number, b: number): boolean {
  const maxSteps = 5;
  const shortestShifting = 50;
  let i = a + 1;
  for (let step = 0; step < maxSteps; step++) {
    while (i < b && !less(i, i - 1)) i++;
    if (i === b) return true;
    if (b - a < shortestShifting) return false;
    swap(i, i - 1);
    // Go shifts down to index 1 (not a) here; kept as is.
    if (i - a >= 2) {
      for (let j = i - 1; j >= 1; j--) {
        if (!less(j, j - 1)) break;
        swap(j, j - 1);
      }
    }
    if (b - i >= 2) {
      for (let j = i + 1; j < b; j++) {
        if (!less(j, j - 1)) break;
        swap(j, j - 1);
      }
    }
  }
  return false;
}

const MASK64 = (1n << 64n) - 1n;

function breakPatterns(swap: Swap, a: number, b: number): void {
  const length = b - a;
  if (length < 8) return;
  // Go 1.19's xorshift (13, 17, 5) seeded with the length, on uint64.
  let r = BigInt(length);
  const modulus = BigInt(2 ** (32 - Math.clz32(length))); // nextPowerOfTwo: 1 << bits.Len(length)
  const base = a + Math.trunc(length / 4) * 2;
  for (let idx = base - 1; idx <= base + 1; idx++) {
    r ^= (r << 13n) & MASK64;
    r ^= r >> 17n;
    r ^= (r << 5n) & MASK64;
    let other = Number(r & (modulus - 1n));
    if (other >= length) other -= length;
    swap(idx, a + other);
  }
}

function choosePivot(less: Less, a: number, b: number): [number, number] {
  const shortestNinther = 50;
  const maxSwaps = 4 * 3;
  const l = b - a;
  const swaps = { n: 0 };
  const q = Math.trunc(l / 4);
  let i = a + q;
  let j = a + q * 2;
  let k = a + q * 3;
  if (l >= 8) {
    if (l >= shortestNinther) {
      i = median(less, i - 1, i, i + 1, swaps);
      j = median(less, j - 1, j, j + 1, swaps);
      k = median(less, k - 1, k, k + 1, swaps);
    }
    j = median(less, i, j, k, swaps);
  }
  if (swaps.n === 0) return [j, INCREASING];
  if (swaps.n === maxSwaps) return [j, DECREASING];
  return [j, 0];
}

function median(less: Less, a: number, b: number, c: number, swaps: { n: number }): number {
  // order2 three times, as Go does: (a,b), (b,c), (a,b).
  if (less(b, a)) {
    swaps.n++;
    [a, b] = [b, a];
  }
  if (less(c, b)) {
    swaps.n++;
    [b, c] = [c, b];
  }
  if (less(b, a)) {
    swaps.n++;
    [a, b] = [b, a];
  }
  return b;
}

function reverseRange(swap: Swap, a: number, b: number): void {
  let i = a;
  let j = b - 1;
  while (i < j) {
    swap(i, j);
    i++;
    j--;
  }
}

/**
 * Go's sort.SearchFloat64s over t[from, to): the first index whose value is >= x (`to` when
 * none), for ascending t.
 */
export function searchFloat64(t: Float64Array, x: number, from = 0, to = t.length): number {
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (t[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
