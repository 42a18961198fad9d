/** @module core/promql/functions/types — the shape of a function implementation in the engine's table. */
import type { Call } from '../ast.ts';
import type { FunctionContext, Value } from '../value.ts';

/**
 * Evaluates one PromQL function call for all steps at once. `args` are the evaluated arguments in
 * call order (scalars as per-step values, matrices as raw samples plus per-step windows). `call`
 * gives the AST (absent() needs its selector's matchers). The result must not contain two series
 * with the same label set; the engine checks that after metric-name removal.
 */
export type FunctionImpl = (args: readonly Value[], ctx: FunctionContext, call: Call) => Value;
