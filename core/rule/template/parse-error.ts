/** @module core/rule/template/parse-error — a template that does not parse, in Go's `template: NAME:LINE: msg` form. */
import { BadDataError } from '../../errors.ts';

export class TemplateParseError extends BadDataError {
  constructor(tmpl: string, line: number, msg: string) {
    super(`template: ${tmpl}:${line}: ${msg}`);
  }
}
