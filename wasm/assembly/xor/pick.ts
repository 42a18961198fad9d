/**
 * @module wasm/assembly/xor/pick — the samples a vector selector reads at given instants, picked
 * from a decoded series where it lies (core/query/series-reader.ts, SelectHints.pickAt): for each
 * instant the last sample at or before it, compacted in place to the front of the series.
 */
import { ERR_RANGE } from './common';

/**
 * Compacts the picked samples of t[0..n), v[0..n) (ascending times) to their front and returns
 * how many, for the `nInstants` ascending instants at `instants`. In place is safe: the k-th
 * pick is sample index >= k, and reads run ahead of writes. Values move as raw bits (stale
 * markers keep their payload). ERR_RANGE for a region outside memory.
 */
export function pickInPlace(
  tPtr: usize,
  vPtr: usize,
  n: i32,
  instants: usize,
  nInstants: i32,
): i32 {
  const memEnd: u64 = (<u64>memory.size()) << 16;
  if (
    n < 0 ||
    nInstants < 0 ||
    <u64>tPtr + ((<u64>n) << 3) > memEnd ||
    <u64>vPtr + ((<u64>n) << 3) > memEnd ||
    <u64>instants + ((<u64>nInstants) << 3) > memEnd
  ) {
    return ERR_RANGE;
  }
  let j: i32 = 0;
  let last: i32 = -1;
  let m: i32 = 0;
  for (let i: i32 = 0; i < nInstants; i++) {
    const at = load<f64>(instants + ((<usize>i) << 3));
    while (j < n && load<f64>(tPtr + ((<usize>j) << 3)) <= at) j++;
    const k = j - 1;
    if (k > last) {
      store<f64>(tPtr + ((<usize>m) << 3), load<f64>(tPtr + ((<usize>k) << 3)));
      store<u64>(vPtr + ((<usize>m) << 3), load<u64>(vPtr + ((<usize>k) << 3)));
      m++;
      last = k;
      if (j == n) break;
    }
  }
  return m;
}
