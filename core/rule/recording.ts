/**
 * @module core/rule/recording — a recording rule (rules/recording.go, 2.42): the expression's
 * instant vector at the evaluation time, renamed to the rule's metric name with its labels set;
 * an error when two output series get the same labels or the group's limit is exceeded.
 */
import { LabelsBuilder } from '../labels/builder.ts';
import { labelsKey } from '../promql/engine/series.ts';
import type { RuleDef } from './rule-file.ts';
import { RuleEvalError, type OutputSample, type RuleEvalContext } from './types.ts';

export class RecordingRule {
  readonly kind = 'recording' as const;
  readonly name: string;
  readonly expr: string;
  readonly labels: ReadonlyMap<string, string>;

  constructor(def: Pick<RuleDef, 'expr' | 'labels'> & { record: string }) {
    this.name = def.record;
    this.expr = def.expr;
    this.labels = def.labels;
  }

  async eval(t: number, ctx: RuleEvalContext): Promise<OutputSample[]> {
    const vec = await ctx.query(this.expr, t);
    const out: OutputSample[] = [];
    const seen = new Set<string>();
    let dup = false;
    for (const s of vec) {
      const b = new LabelsBuilder(s.metric).set('__name__', this.name);
      for (const [k, v] of this.labels) b.set(k, v);
      const metric = b.labels();
      const key = labelsKey(metric);
      if (seen.has(key)) dup = true;
      seen.add(key);
      out.push({ metric, t, v: s.v });
    }
    if (dup)
      throw new RuleEvalError(
        'vector contains metrics with the same labelset after applying rule labels',
      );
    if (ctx.limit > 0 && out.length > ctx.limit)
      throw new RuleEvalError(`exceeded limit of ${ctx.limit} with ${out.length} series`);
    return out;
  }
}
