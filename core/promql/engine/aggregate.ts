/**
 * @module core/promql/engine/aggregate — aggregation operators over all steps at once (Prometheus
 * engine.go aggregation()): groups are fixed per input series (except count_values, whose groups
 * depend on the value), and each step folds the group's present members in input order with
 * Prometheus's exact arithmetic (running mean with Inf handling, Welford for stddev/stdvar,
 * Go container/heap for topk/bottomk, NaN rules for min/max).
 */
import { METRIC_NAME, compareStrings, type Labels } from '../../labels/labels.ts';
import { ExecutionError } from '../../errors.ts';
import { ColumnArena, columnBytes } from '../column-arena.ts';
import type { AggregateOp } from '../ast.ts';
import { OUTPUT_STEP_BYTES, type StepSeries } from '../value.ts';
import { deleteLabels, keepLabels, setLabel } from './series.ts';
import { heapPop, heapPush } from '../../gocompat/heap.ts';
import { goSortSlice } from '../../gocompat/sort.ts';
import { quantileOf } from '../quantile.ts';
import { goFormatFloat } from '../../gocompat/strconv.ts';
import type { ChargeOutput } from './limits.ts';

/** The largest float64 convertible to int64 (engine.go maxInt64). */
const MAX_INT64 = 9223372036854774784;
const MIN_INT64 = -9223372036854775808;
const LABEL_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export interface AggregateParams {
  readonly op: AggregateOp;
  /** Sorted grouping labels. */
  readonly grouping: readonly string[];
  readonly without: boolean;
  /** Per-step parameter of topk, bottomk, quantile. */
  readonly scalarParam?: Float64Array;
  /** count_values label name. */
  readonly stringParam?: string;
  readonly count: number;
  /**
   * Called before each output series is made (count_values' groups come from values, so their
   * number is not bounded by the input's).
   */
  readonly charge: ChargeOutput;
}

function groupKey(ls: Labels, grouping: readonly string[], without: boolean): string {
  let k = '';
  if (without) {
    for (const l of ls)
      if (l.name !== METRIC_NAME && !grouping.includes(l.name)) k += `${l.name}\xff${l.value}\xfe`;
  } else {
    for (const l of ls) if (grouping.includes(l.name)) k += `${l.name}\xff${l.value}\xfe`;
  }
  return k;
}

function groupLabels(ls: Labels, grouping: readonly string[], without: boolean): Labels {
  if (without) return deleteLabels(ls, [...grouping, METRIC_NAME]);
  if (grouping.length > 0) return keepLabels(ls, grouping);
  return [];
}

export function sortGrouping(grouping: readonly string[]): string[] {
  return [...grouping].sort(compareStrings);
}

export function aggregate(input: readonly StepSeries[], p: AggregateParams): StepSeries[] {
  if (p.op === 'count_values') return countValues(input, p);
  if (isTopBottomK(p.op)) {
    const folder = new TopBottomKFolder(p);
    for (const s of input) folder.add(s);
    return folder.finish();
  }
  const { count } = p;
  // Static groups in order of first member.
  const groups: { labels: Labels; members: number[] }[] = [];
  const byKey = new Map<string, number>();
  for (let s = 0; s < input.length; s++) {
    const ls = input[s]!.labels;
    const k = groupKey(ls, p.grouping, p.without);
    let g = byKey.get(k);
    if (g === undefined) {
      g = groups.length;
      byKey.set(k, g);
      groups.push({ labels: groupLabels(ls, p.grouping, p.without), members: [] });
    }
    groups[g]!.members.push(s);
  }
  if (count === 1) {
    // An instant result lists groups in the order their first present member appears.
    const first = (g: { members: number[] }) => {
      for (const m of g.members) if (input[m]!.present[0] === 1) return m;
      return Infinity;
    };
    groups.sort((a, b) => first(a) - first(b));
  }

  const out: StepSeries[] = [];
  const arena = new ColumnArena(columnBytes(groups.length, count));
  for (const g of groups) {
    p.charge(count * OUTPUT_STEP_BYTES);
    const values = arena.f64(count);
    const present = arena.u8(count);
    if (p.op === 'quantile') {
      quantileGroup(input, g.members, p.scalarParam!, values, present);
    } else {
      foldGroup(p.op, input, g.members, values, present, arena);
    }
    let any = false;
    for (let i = 0; i < count; i++) if (present[i] === 1) any = true;
    if (any) out.push({ labels: g.labels, values, present });
  }
  return out;
}

/** One group's running fold over its members, step by step. */
interface Fold {
  readonly values: Float64Array;
  readonly present: Uint8Array;
  /** Running mean (avg, stddev, stdvar). */
  readonly mean: Float64Array | undefined;
  /** Members present per step (count, avg, stddev, stdvar). */
  readonly n: Float64Array | undefined;
}

function newFold(
  op: AggregateOp,
  values: Float64Array,
  present: Uint8Array,
  arena: ColumnArena,
): Fold {
  const count = values.length;
  const needMean = op === 'avg' || op === 'stddev' || op === 'stdvar';
  return {
    values,
    present,
    mean: needMean ? arena.f64(count) : undefined,
    n: op === 'count' || needMean ? arena.f64(count) : undefined,
  };
}

function foldGroup(
  op: AggregateOp,
  input: readonly StepSeries[],
  members: readonly number[],
  values: Float64Array,
  present: Uint8Array,
  arena: ColumnArena,
): void {
  const f = newFold(op, values, present, arena);
  for (const m of members) foldSeries(op, input[m]!, f);
  finishFold(op, f);
}

/** Folds one member into the group, at every step it is present. */
function foldSeries(op: AggregateOp, s: StepSeries, f: Fold): void {
  const { values, present, mean, n } = f;
  const count = values.length;
  for (let i = 0; i < count; i++) {
    if (s.present[i] !== 1) continue;
    const v = s.values[i]!;
    if (present[i] !== 1) {
      present[i] = 1;
      switch (op) {
        case 'stddev':
        case 'stdvar':
          values[i] = 0;
          break;
        case 'group':
          values[i] = 1;
          break;
        default:
          values[i] = v;
      }
      if (mean) mean[i] = v;
      if (n) n[i] = 1;
      continue;
    }
    switch (op) {
      case 'sum':
        values[i]! += v;
        break;
      case 'avg': {
        const c = ++n![i]!;
        const mu = mean![i]!;
        if (mu === Infinity || mu === -Infinity) {
          // Inf of the same sign stays; a finite value cannot move an infinite mean.
          if ((v === Infinity || v === -Infinity) && mu > 0 === v > 0) break;
          if (v !== Infinity && v !== -Infinity && !Number.isNaN(v)) break;
        }
        // Divide each side before subtracting to avoid float64 overflow.
        mean![i] = mu + (v / c - mu / c);
        break;
      }
      case 'count':
        n![i]!++;
        break;
      case 'max':
        if (values[i]! < v || Number.isNaN(values[i]!)) values[i] = v;
        break;
      case 'min':
        if (values[i]! > v || Number.isNaN(values[i]!)) values[i] = v;
        break;
      case 'group':
        break;
      case 'stddev':
      case 'stdvar': {
        const c = ++n![i]!;
        const delta = v - mean![i]!;
        mean![i]! += delta / c;
        values[i]! += delta * (v - mean![i]!);
        break;
      }
      default:
        throw new ExecutionError(`expected aggregation operator but got "${op}"`);
    }
  }
}

function finishFold(op: AggregateOp, f: Fold): void {
  const { values, present, mean, n } = f;
  for (let i = 0; i < values.length; i++) {
    if (present[i] !== 1) continue;
    switch (op) {
      case 'avg':
        values[i] = mean![i]!;
        break;
      case 'count':
        values[i] = n![i]!;
        break;
      case 'stdvar':
        values[i] = values[i]! / n![i]!;
        break;
      case 'stddev':
        values[i] = Math.sqrt(values[i]! / n![i]!);
        break;
      default:
    }
  }
}

/** Operators whose groups fold their members one at a time, in input order. */
const FOLDED_OPS: ReadonlySet<AggregateOp> = new Set([
  'sum',
  'avg',
  'count',
  'min',
  'max',
  'group',
  'stddev',
  'stdvar',
]);

/** Whether `op` (without a parameter) can take its input a series at a time (AggregateFolder). */
export function foldsSeries(op: AggregateOp): boolean {
  return FOLDED_OPS.has(op);
}

/**
 * `aggregate` for the folded operators with its input handed over a series at a time, in input
 * order, so the input need never be held whole: each group folds its members in the same order
 * and with the same arithmetic, so the answer is `aggregate`'s exactly.
 */
export class AggregateFolder {
  readonly #p: AggregateParams;
  readonly #groups = new Map<
    string,
    { readonly labels: Labels; readonly fold: Fold; first: number }
  >();
  #members = 0;
  /** The groups' columns, which live until the answer is made. */
  readonly #arena: ColumnArena;

  constructor(p: AggregateParams) {
    if (!FOLDED_OPS.has(p.op)) throw new ExecutionError(`cannot fold aggregation "${p.op}"`);
    this.#p = p;
    this.#arena = new ColumnArena(columnBytes(16, p.count));
  }

  add(s: StepSeries): void {
    const p = this.#p;
    const k = groupKey(s.labels, p.grouping, p.without);
    let g = this.#groups.get(k);
    if (g === undefined) {
      const fold = newFold(p.op, this.#arena.f64(p.count), this.#arena.u8(p.count), this.#arena);
      g = { labels: groupLabels(s.labels, p.grouping, p.without), fold, first: Infinity };
      this.#groups.set(k, g);
    }
    if (g.first === Infinity && s.present[0] === 1) g.first = this.#members;
    this.#members++;
    foldSeries(p.op, s, g.fold);
  }

  finish(): StepSeries[] {
    const groups = [...this.#groups.values()];
    // An instant result lists groups in the order their first present member appears.
    if (this.#p.count === 1) groups.sort((a, b) => a.first - b.first);
    const out: StepSeries[] = [];
    for (const { labels, fold } of groups) {
      // Charged as aggregate() charges them, once the input is all in (which was charged as it
      // came, and is at least as large): the same total at the same point of the query.
      this.#p.charge(this.#p.count * OUTPUT_STEP_BYTES);
      finishFold(this.#p.op, fold);
      const { values, present } = fold;
      let any = false;
      for (let i = 0; i < values.length; i++) if (present[i] === 1) any = true;
      if (any) out.push({ labels, values, present });
    }
    return out;
  }
}

function quantileGroup(
  input: readonly StepSeries[],
  members: readonly number[],
  q: Float64Array,
  values: Float64Array,
  present: Uint8Array,
): void {
  const vals = new Float64Array(members.length);
  for (let i = 0; i < values.length; i++) {
    let n = 0;
    for (const m of members) if (input[m]!.present[i] === 1) vals[n++] = input[m]!.values[i]!;
    if (n === 0) continue;
    values[i] = quantileOf(q[i]!, vals, n);
    present[i] = 1;
  }
}

/** Whether `op` is topk or bottomk (TopBottomKFolder). */
export function isTopBottomK(op: AggregateOp): boolean {
  return op === 'topk' || op === 'bottomk';
}

/** The int64 `k` of topk/bottomk at one step, or NaN where the parameter overflows int64. */
function stepK(f: number): number {
  return f <= MAX_INT64 && f >= MIN_INT64 ? Math.trunc(f) : NaN;
}

/**
 * topk and bottomk with their input handed over a series at a time, in input order: each group
 * keeps, per step, the k best members seen so far in Go's container/heap, updated exactly as
 * engine.go's aggregation() updates it member after member, so the answer is the same; only the
 * heaps (with their members' labels) are held, never the input.
 */
export class TopBottomKFolder {
  readonly #p: AggregateParams;
  readonly #top: boolean;
  /** k per step (NaN: the parameter overflows int64, an error once the input is all in). */
  readonly #k: Float64Array;
  readonly #groups = new Map<string, { readonly heaps: (number[] | undefined)[]; first: number }>();
  /** Members seen so far (a member is its position in the input). */
  #members = 0;
  /** A heap entry's member, its labels and value, by entry id; ids of dropped entries are reused. */
  readonly #member: number[] = [];
  readonly #entryLabels: Labels[] = [];
  readonly #value: number[] = [];
  readonly #free: number[] = [];
  readonly #less: (a: number, b: number) => boolean;

  constructor(p: AggregateParams) {
    if (!isTopBottomK(p.op))
      throw new ExecutionError(`not a topk or bottomk aggregation: "${p.op}"`);
    this.#p = p;
    this.#top = p.op === 'topk';
    this.#k = new Float64Array(p.count);
    for (let i = 0; i < p.count; i++) this.#k[i] = stepK(p.scalarParam![i]!);
    const value = this.#value;
    // vectorByValueHeap / vectorByReverseValueHeap: NaN sorts first (is "smallest" / "largest").
    this.#less = this.#top
      ? (a, b) => Number.isNaN(value[a]!) || value[a]! < value[b]!
      : (a, b) => Number.isNaN(value[a]!) || value[a]! > value[b]!;
  }

  #entry(member: number, labels: Labels, v: number): number {
    const id = this.#free.pop();
    if (id === undefined) {
      this.#member.push(member);
      this.#entryLabels.push(labels);
      this.#value.push(v);
      return this.#member.length - 1;
    }
    this.#member[id] = member;
    this.#entryLabels[id] = labels;
    this.#value[id] = v;
    return id;
  }

  add(s: StepSeries): void {
    const p = this.#p;
    const m = this.#members++;
    const key = groupKey(s.labels, p.grouping, p.without);
    let g = this.#groups.get(key);
    if (g === undefined) {
      g = { heaps: new Array<number[] | undefined>(p.count), first: Infinity };
      this.#groups.set(key, g);
    }
    if (g.first === Infinity && s.present[0] === 1) g.first = m;
    const top = this.#top;
    const value = this.#value;
    for (let i = 0; i < p.count; i++) {
      if (s.present[i] !== 1) continue;
      const k = this.#k[i]!;
      if (!(k >= 1)) continue;
      const v = s.values[i]!;
      const heap = (g.heaps[i] ??= []);
      if (heap.length === 0) {
        heap.push(this.#entry(m, s.labels, v));
        continue;
      }
      const h0 = value[heap[0]!]!;
      if (heap.length < k || (top ? h0 < v : h0 > v) || Number.isNaN(h0)) {
        if (heap.length === k) {
          if (k === 1) {
            this.#free.push(heap[0]!);
            heap[0] = this.#entry(m, s.labels, v);
            continue;
          }
          this.#free.push(heapPop(heap, this.#less));
        }
        heapPush(heap, this.#entry(m, s.labels, v), this.#less);
      }
    }
  }

  finish(): StepSeries[] {
    const p = this.#p;
    const { count } = p;
    const groups = [...this.#groups.values()];
    // An instant result lists groups in the order their first present member appears.
    if (count === 1) groups.sort((a, b) => a.first - b.first);
    const less = this.#less;
    const reverse = (a: number, b: number): boolean => less(b, a);
    const outByMember = new Map<number, StepSeries>();
    const order: StepSeries[] = [];
    for (let i = 0; i < count; i++) {
      const k = this.#k[i]!;
      if (Number.isNaN(k)) {
        const f = p.scalarParam![i]!;
        throw new ExecutionError(`Scalar value ${goFormatFloat(f, 'g', -1)} overflows int64`);
      }
      if (k < 1) continue;
      for (const g of groups) {
        const heap = g.heaps[i];
        if (heap === undefined) continue;
        if (heap.length > 1) goSortSlice(heap, reverse);
        for (const e of heap) {
          const m = this.#member[e]!;
          let o = outByMember.get(m);
          if (o === undefined) {
            p.charge(count * OUTPUT_STEP_BYTES);
            o = {
              labels: this.#entryLabels[e]!,
              values: new Float64Array(count),
              present: new Uint8Array(count),
            };
            outByMember.set(m, o);
            order.push(o);
          }
          (o.values as Float64Array)[i] = this.#value[e]!;
          (o.present as Uint8Array)[i] = 1;
        }
      }
    }
    return order;
  }
}

function countValues(input: readonly StepSeries[], p: AggregateParams): StepSeries[] {
  const { count } = p;
  const label = p.stringParam ?? '';
  if (count > 0 && !LABEL_NAME_RE.test(label))
    throw new ExecutionError(`invalid label name ${JSON.stringify(label)}`);
  const grouping = p.without ? p.grouping : sortGrouping([...p.grouping, label]);
  const out = new Map<string, StepSeries>();
  // A series' output group depends only on its value: cache value → group per series, and the
  // formatting of each distinct value (+0 and -0 share a Map key but format differently).
  const formatted = new Map<number, string>();
  const perSeries: Map<number, StepSeries>[] = input.map(() => new Map());
  for (let i = 0; i < count; i++) {
    for (let si = 0; si < input.length; si++) {
      const s = input[si]!;
      if (s.present[i] !== 1) continue;
      const v = s.values[i]!;
      const cache = perSeries[si]!;
      const negZero = Object.is(v, -0);
      let o = negZero ? undefined : cache.get(v);
      if (o === undefined) {
        let f = negZero ? '-0' : formatted.get(v);
        if (f === undefined) {
          f = goFormatFloat(v, 'f', -1);
          formatted.set(v, f);
        }
        const metric = setLabel(s.labels, label, f);
        const k = groupKey(metric, grouping, p.without);
        o = out.get(k);
        if (o === undefined) {
          p.charge(count * OUTPUT_STEP_BYTES);
          o = {
            labels: groupLabels(metric, grouping, p.without),
            values: new Float64Array(count),
            present: new Uint8Array(count),
          };
          out.set(k, o);
        }
        if (!negZero) cache.set(v, o);
      }
      (o.values as Float64Array)[i]!++;
      (o.present as Uint8Array)[i] = 1;
    }
  }
  return [...out.values()];
}
