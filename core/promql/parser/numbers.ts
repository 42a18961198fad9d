/**
 * @module core/promql/parser/numbers — the value of a PromQL NUMBER token as Prometheus's parser
 * reads it: Go's `strconv.ParseInt(s, 0, 64)` first (so `0x1F` is hex and `010` is octal 8),
 * then `strconv.ParseFloat` (decimals, exponents, `Inf`, `NaN`). The lexer never produces a sign,
 * `_`, a base prefix other than 0x or a `p` exponent, so only those two Go rules matter here.
 */
import { goParseFloat, goParseInt } from '../../gocompat/strconv.ts';

/** Value of a NUMBER token; throws NumError with ParseFloat's text (`… "1e": invalid syntax`). */
export function parseNumber(s: string): number {
  try {
    return goParseInt(s);
  } catch {
    return goParseFloat(s);
  }
}
