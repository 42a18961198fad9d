/**
 * @module core/rule — rule files, Go templates and rule evaluation (recording and alerting rules,
 * groups), runtime-neutral: queries go through an injected QueryFunc, output through a RuleAppender.
 */
export * from './types.ts';
export * from './rule-file.ts';
export * from './recording.ts';
export * from './alerting.ts';
export * from './group.ts';
export * from './notify.ts';
export * from './restore.ts';
export { engineQueryFunc } from './engine-query.ts';
export {
  runUnitTestFile,
  runTestGroup,
  type RuleFileLoader,
  type RuleFileSource,
} from './unittest/runner.ts';
