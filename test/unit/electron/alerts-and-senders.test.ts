import { describe, expect, it } from 'vitest';
import type { FleetDelivery } from '../../../shared/contract/console.js';
import type { RaisedAlert } from '../../../electron/main/services/alerts/alert-log.js';
import { AlertMonitor, DEFAULT_THRESHOLDS } from '../../../electron/main/services/alerts/alert-monitor.js';
import { killModeConsequence, senderWarnings } from '../../../shared/model/sender-profiles.js';
import { fleetDelivery } from '../../helpers/delivery-summary.js';

let seq = 0;
function delivery(fields: Partial<FleetDelivery>): FleetDelivery {
  seq++;
  return fleetDelivery({ seq, receivedAt: new Date().toISOString(), sourceIp: '3.18.12.63', bodySize: 10, skewMs: 100, latencyUs: 500, ...fields });
}

describe('alerts', () => {
  function monitor() {
    const raised: RaisedAlert[] = [];
    let now = 1_000_000;
    const alerts = new AlertMonitor((batch) => raised.push(...batch), DEFAULT_THRESHOLDS, () => now);
    return { raised, alerts, advance: (ms: number) => (now += ms) };
  }

  it('raises one alert when signature failures cross the threshold within a minute, naming the diagnosis', () => {
    const { raised, alerts } = monitor();
    const failure = () => delivery({ outcome: 'rejected', status: 401, reason: 'signature_invalid', diagnosis: 'secret_whitespace' });
    alerts.observe([delivery({})]);
    alerts.observe(Array.from({ length: 19 }, failure));
    expect(raised).toEqual([]);
    alerts.observe(Array.from({ length: 5 }, failure));
    expect(raised).toHaveLength(1);
    expect(raised[0]).toMatchObject({ kind: 'signature_failures', integrationId: 'pay' });
    expect(raised[0]!.message).toContain('secret whitespace');
  });

  it('does not count failures older than a minute', () => {
    const { raised, alerts, advance } = monitor();
    const failure = () => delivery({ outcome: 'rejected', status: 401, reason: 'signature_invalid' });
    alerts.observe(Array.from({ length: 15 }, failure));
    advance(61_000);
    alerts.observe(Array.from({ length: 15 }, failure));
    expect(raised).toEqual([]);
  });

  it('raises on rejections from addresses never seen delivering, not from known senders', () => {
    const { raised, alerts } = monitor();
    alerts.observe([delivery({ sourceIp: '3.18.12.63' })]);
    alerts.observe(Array.from({ length: 25 }, () => delivery({ outcome: 'rejected', status: 403, reason: 'ip_not_allowed', sourceIp: '3.18.12.63' })));
    expect(raised).toEqual([]);
    alerts.observe(Array.from({ length: 20 }, (_, i) => delivery({ outcome: 'rejected', status: 403, reason: 'ip_not_allowed', sourceIp: `198.51.100.${i}` })));
    expect(raised.map((alert) => alert.kind)).toEqual(['unknown_sources']);
  });

  it('raises no clock alert when a sender flushes a queued burst: delivery skew measures the sender, not the node', () => {
    const { raised, alerts } = monitor();
    alerts.observe(Array.from({ length: 50 }, () => delivery({ skewMs: -7_500 })));
    expect(raised).toEqual([]);
  });
});

describe('sender profiles', () => {
  it('warns when the dedupe window is shorter than the sender\'s retry horizon', () => {
    expect(senderWarnings('stripe', 3600, undefined)[0]).toMatch(/shorter than Stripe's retry horizon \(3 d\)/);
    expect(senderWarnings('stripe', 259_200, undefined)).toEqual([]);
  });

  it('warns when reject is chosen for a sender that never retries', () => {
    expect(senderWarnings('github', 259_200, 'reject')).toEqual([expect.stringMatching(/GitHub never retries/)]);
    expect(killModeConsequence('github', 'reject')).toMatch(/they are lost/);
    expect(killModeConsequence('stripe', 'reject')).toMatch(/come back if you release within 3 d/);
  });
});
