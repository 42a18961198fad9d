import { describe, expect, it } from 'vitest';
import { scopeRulerAnswer } from './rules-tenancy.ts';

const alert = (tenant: string, state: string) => ({
  labels: { alertname: 'X', tenant_id: tenant },
  state,
});

describe('scopeRulerAnswer', () => {
  it('keeps only the tenant’s alerts in /api/v1/alerts', () => {
    const body = {
      data: { alerts: [alert('a', 'firing'), alert('b', 'firing'), alert('a', 'pending')] },
    };
    scopeRulerAnswer('/api/v1/alerts', body, 'tenant_id', 'a');
    expect(body.data.alerts.map((x) => x.labels.tenant_id)).toEqual(['a', 'a']);
  });

  it('filters alerting rules’ alerts and recomputes their state; recording rules stay', () => {
    const body = {
      data: {
        groups: [
          {
            rules: [
              {
                type: 'alerting',
                state: 'firing',
                alerts: [alert('b', 'firing'), alert('a', 'pending')],
              },
              { type: 'alerting', state: 'firing', alerts: [alert('b', 'firing')] },
              { type: 'recording', name: 'r' },
            ],
          },
        ],
      },
    };
    scopeRulerAnswer('/api/v1/rules', body, 'tenant_id', 'a');
    const [r1, r2, r3] = body.data.groups[0]!.rules as Array<{
      state?: string;
      alerts?: unknown[];
    }>;
    expect(r1!.state).toBe('pending');
    expect(r1!.alerts).toHaveLength(1);
    expect(r2!.state).toBe('inactive');
    expect(r2!.alerts).toEqual([]);
    expect(r3).toEqual({ type: 'recording', name: 'r' });
  });
});
