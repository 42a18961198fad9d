/**
 * @module core/labels/builder — Prometheus's `labels.Builder`: edits over a base label set
 * (set, delete, keep) that yield a new sorted set, leaving the base untouched.
 */
import { type Label, type Labels, compareStrings } from './labels.ts';

export class LabelsBuilder {
  #base: Labels;
  /** Pending sets (a value) and deletions (undefined), by name. */
  readonly #changes = new Map<string, string | undefined>();

  constructor(base: Labels = []) {
    this.#base = base;
  }

  /** Starts over from a new base, dropping pending edits. */
  reset(base: Labels): this {
    this.#base = base;
    this.#changes.clear();
    return this;
  }

  /** Sets a label; an empty value deletes it, as in Prometheus. */
  set(name: string, value: string): this {
    this.#changes.set(name, value === '' ? undefined : value);
    return this;
  }

  del(...names: string[]): this {
    for (const n of names) this.#changes.set(n, undefined);
    return this;
  }

  /** Deletes every label not named (base and pending sets alike). */
  keep(...names: string[]): this {
    const keep = new Set(names);
    for (const l of this.#base) if (!keep.has(l.name)) this.#changes.set(l.name, undefined);
    for (const n of this.#changes.keys()) if (!keep.has(n)) this.#changes.set(n, undefined);
    return this;
  }

  /** The current value of a label, '' when absent. */
  get(name: string): string {
    if (this.#changes.has(name)) return this.#changes.get(name) ?? '';
    for (const l of this.#base) if (l.name === name) return l.value;
    return '';
  }

  /** The resulting label set, sorted by name. */
  labels(): Labels {
    if (this.#changes.size === 0) return this.#base;
    const out: Label[] = [];
    for (const l of this.#base) if (!this.#changes.has(l.name)) out.push(l);
    for (const [name, value] of this.#changes) if (value !== undefined) out.push({ name, value });
    out.sort((a, b) => compareStrings(a.name, b.name));
    return out;
  }
}
