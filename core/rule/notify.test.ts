/**
 * Notifications as Prometheus 2.42 sends them: firing alerts every resend delay, a resolved
 * alert once right away, pending alerts never; EndsAt 4 × max(interval, resend delay) ahead while
 * firing; external labels only where the alert lacks them; Alertmanager's v2 JSON.
 */
import { describe, expect, it } from 'vitest';
import { labelsFrom } from '../labels/labels.ts';
import { MemoryStorage } from '../promql/storage/memory.ts';
import { Engine } from '../promql/engine/engine.ts';
import { engineQueryFunc } from './engine-query.ts';
import { Group } from './group.ts';
import { alertmanagerPayload, type NotifierAlert } from './notify.ts';
import { parseRuleFile } from './rule-file.ts';

const M = 60_000;
const RULES = `
groups:
  - name: g
    interval: 30s
    rules:
      - alert: Down
        expr: up  ==  0
        for: 1m
        labels: { region: here }
        annotations: { summary: '{{ $labels.instance }} down' }
`;

describe('Group notifications', () => {
  it('sends firing alerts every resend delay and a resolved one at once', async () => {
    const storage = new MemoryStorage();
    const up = labelsFrom({ __name__: 'up', instance: 'a' });
    // Down (0) from 0 to 5m, up (1) from 6m.
    storage.append(up, [0, M, 2 * M, 3 * M, 4 * M, 5 * M, 6 * M], [0, 0, 0, 0, 0, 0, 1]);
    const sent: { t: number; alerts: NotifierAlert[] }[] = [];
    let now = 0;
    const g = new Group(parseRuleFile(RULES)[0]!, 'f.yml', M);
    const deps = {
      query: engineQueryFunc(new Engine(storage)),
      appender: { append: () => {} },
      externalLabels: labelsFrom({ region: 'eu', replica: 'r1' }),
      externalURL: '',
      webExternalURL: 'http://prom:9090',
      notify: (alerts: NotifierAlert[]) => sent.push({ t: now, alerts }),
      resendDelay: 2 * M,
    };
    for (now = 0; now <= 7 * M; now += M) await g.eval(now, deps);
    // Pending at 0, firing from 1m: sent at 1m, again after the 2m resend delay (4m), resolved at 6m.
    expect(sent.map((s) => s.t)).toEqual([M, 4 * M, 6 * M]);
    const first = sent[0]!.alerts[0]!;
    expect(Object.fromEntries(first.labels.map((l) => [l.name, l.value]))).toEqual({
      alertname: 'Down',
      instance: 'a',
      region: 'here',
      replica: 'r1',
    });
    expect(first.startsAt).toBe(M);
    expect(first.endsAt).toBe(M + 4 * 2 * M);
    expect(first.generatorURL).toBe('http://prom:9090/graph?g0.expr=up+%3D%3D+0&g0.tab=1');
    const resolved = sent[2]!.alerts[0]!;
    expect(resolved.endsAt).toBe(6 * M);
    expect(JSON.parse(alertmanagerPayload([resolved]))).toEqual([
      {
        labels: { alertname: 'Down', instance: 'a', region: 'here', replica: 'r1' },
        annotations: { summary: 'a down' },
        startsAt: '1970-01-01T00:01:00Z',
        endsAt: '1970-01-01T00:06:00Z',
        generatorURL: 'http://prom:9090/graph?g0.expr=up+%3D%3D+0&g0.tab=1',
      },
    ]);
  });
});
