/**
 * @module core/rule/engine-query — rules.EngineQueryFunc: a QueryFunc over our PromQL engine
 * (a vector as is, a scalar as one unlabelled sample, anything else an error).
 */
import type { Engine } from '../promql/engine/engine.ts';
import { RuleEvalError, type InstantSample, type QueryFunc } from './types.ts';

export function engineQueryFunc(engine: Engine): QueryFunc {
  return async (expr: string, t: number): Promise<readonly InstantSample[]> => {
    const { value } = await engine.instantQuery(expr, t);
    if (value.type === 'vector') return value.samples;
    if (value.type === 'scalar') return [{ metric: [], v: value.v }];
    throw new RuleEvalError('rule result is not a vector or scalar');
  };
}
