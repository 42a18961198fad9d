/**
 * @module core/rule/unittest/file — promtool 2.42's rule unit-test file (`promtool test rules`),
 * read as strictly as its yaml.v2 UnmarshalStrict: rule_files, evaluation_interval,
 * group_eval_order, tests[] with interval, input_series, alert_rule_test, promql_expr_test,
 * external_labels, external_url, name.
 */
import type { Node } from 'yaml';
import { DurationError, parsePromDuration } from '../../gocompat/duration.ts';
import { labelsFrom, type Labels } from '../../labels/labels.ts';
import { readYaml, yamlFloat, type StrictReader } from '../strict-yaml.ts';

export interface InputSeries {
  readonly series: string;
  readonly values: string;
}

export interface ExpAlert {
  readonly labels: ReadonlyMap<string, string>;
  readonly annotations: ReadonlyMap<string, string>;
}

export interface AlertTestCase {
  /** ms */
  readonly evalTime: number;
  readonly alertname: string;
  readonly expAlerts: readonly ExpAlert[];
}

export interface ExpSample {
  readonly labels: string;
  readonly value: number;
}

export interface PromqlTestCase {
  readonly expr: string;
  readonly evalTime: number;
  readonly expSamples: readonly ExpSample[];
}

export interface TestGroup {
  /** ms */
  readonly interval: number;
  readonly inputSeries: readonly InputSeries[];
  readonly alertRuleTests: readonly AlertTestCase[];
  readonly promqlExprTests: readonly PromqlTestCase[];
  readonly externalLabels: Labels;
  readonly externalURL: string;
  readonly name: string;
}

export interface UnitTestFile {
  readonly ruleFiles: readonly string[];
  /** ms; 1m when absent. */
  readonly evaluationInterval: number;
  readonly groupEvalOrder: readonly string[];
  readonly tests: readonly TestGroup[];
}

/** The file does not decode; the message is what promtool prints. */
export class UnitTestFileError extends Error {}

const DEFAULT_EVALUATION_INTERVAL = 60_000;

class Decoder {
  constructor(readonly r: StrictReader) {}

  duration(n: Node | null | undefined): number {
    const s = this.r.string(n, 'model.Duration');
    if (s === '') return 0;
    try {
      return parsePromDuration(s);
    } catch (err) {
      if (!(err instanceof DurationError)) throw err;
      this.r.fatal(n, err.message);
      return 0;
    }
  }

  strings(n: Node | null | undefined): string[] {
    return this.r.seq(n, '[]string').map((x) => this.r.string(x));
  }

  testGroup(n: Node | null): TestGroup {
    const f = this.r.fields(n, 'main.testGroup', [
      'interval',
      'input_series',
      'alert_rule_test',
      'promql_expr_test',
      'external_labels',
      'external_url',
      'name',
    ]);
    return {
      interval: this.duration(f.get('interval')),
      inputSeries: this.r.seq(f.get('input_series'), '[]main.series').map((s) => {
        const sf = this.r.fields(s, 'main.series', ['series', 'values']);
        return { series: this.r.string(sf.get('series')), values: this.r.string(sf.get('values')) };
      }),
      alertRuleTests: this.r.seq(f.get('alert_rule_test'), '[]main.alertTestCase').map((a) => {
        const af = this.r.fields(a, 'main.alertTestCase', ['eval_time', 'alertname', 'exp_alerts']);
        return {
          evalTime: this.duration(af.get('eval_time')),
          alertname: this.r.string(af.get('alertname')),
          expAlerts: this.r.seq(af.get('exp_alerts'), '[]main.alert').map((e) => {
            const ef = this.r.fields(e, 'main.alert', ['exp_labels', 'exp_annotations']);
            return {
              labels: this.r.stringMap(ef.get('exp_labels')),
              annotations: this.r.stringMap(ef.get('exp_annotations')),
            };
          }),
        };
      }),
      promqlExprTests: this.r.seq(f.get('promql_expr_test'), '[]main.promqlTestCase').map((p) => {
        const pf = this.r.fields(p, 'main.promqlTestCase', ['expr', 'eval_time', 'exp_samples']);
        return {
          expr: this.r.string(pf.get('expr')),
          evalTime: this.duration(pf.get('eval_time')),
          expSamples: this.r.seq(pf.get('exp_samples'), '[]main.sample').map((s) => {
            const sf = this.r.fields(s, 'main.sample', ['labels', 'value']);
            return {
              labels: this.r.string(sf.get('labels')),
              value: yamlFloat(this.r, sf.get('value')),
            };
          }),
        };
      }),
      externalLabels: labelsFrom(this.r.stringMap(f.get('external_labels'))),
      externalURL: this.r.string(f.get('external_url')),
      name: this.r.string(f.get('name')),
    };
  }
}

/** Decodes a unit-test file; throws UnitTestFileError with promtool's message. */
export function parseUnitTestFile(text: string): UnitTestFile {
  let read;
  try {
    read = readYaml(text);
  } catch (err) {
    throw new UnitTestFileError((err as Error).message);
  }
  const d = new Decoder(read.reader);
  const f = read.reader.fields(read.root, 'main.unitTestFile', [
    'rule_files',
    'evaluation_interval',
    'group_eval_order',
    'tests',
  ]);
  const out: UnitTestFile = {
    ruleFiles: d.strings(f.get('rule_files')),
    evaluationInterval: d.duration(f.get('evaluation_interval')) || DEFAULT_EVALUATION_INTERVAL,
    groupEvalOrder: d.strings(f.get('group_eval_order')),
    tests: read.reader.seq(f.get('tests'), '[]main.testGroup').map((t) => d.testGroup(t)),
  };
  const err = read.reader.decodeError();
  if (err !== undefined) throw new UnitTestFileError(err);
  return out;
}
