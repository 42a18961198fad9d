/** @module core/rule/template — Go text/template with Prometheus's alert template functions. */
export * from './expander.ts';
export { execTemplate, type TemplateFunc } from './exec.ts';
export { parseTemplate } from './parse.ts';
export { TemplateParseError } from './parse-error.ts';
export { goSprint, goSprintf, goSprintln, formatV } from './fmt.ts';
export type { TemplateQueryFunc, TemplateQuerySample } from './prom-funcs.ts';
export * from './value.ts';
