import fc from 'fast-check';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../../receiver/config/config-error.js';
import { parseConfig } from '../../../../receiver/config/load-config.js';

const FILE = '/etc/hookwarden/receiver.yml';
const minimal = { integrations: [{ id: 'pay', scheme: 'stripe', secrets: [{ id: 's1', value: 'env:X' }] }] };

function problemsOf(config: unknown): string[] {
  try {
    parseConfig(typeof config === 'string' ? config : stringify(config), FILE);
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.problems.map((problem) => `${problem.path}: ${problem.message}`);
  }
}

describe('the config loader', () => {
  it('fills the documented defaults', () => {
    const { config, nodeId } = parseConfig(stringify(minimal), FILE);
    expect(nodeId).toBeTruthy();
    expect(config.ingress).toMatchObject({ listen: '0.0.0.0:8080', maxBodyBytes: 1_048_576 });
    expect(config.integrations[0]).toMatchObject({ toleranceSeconds: 300, dedupeWindowSeconds: 259_200, capture: { retentionDays: 7 } });
    expect(config.storage).toMatchObject({ path: './data', sync: 'full' });
  });

  it('names the key path and the problem', () => {
    expect(problemsOf({ integrations: [{ ...minimal.integrations[0], scheme: 'paypal' }] })[0]).toMatch(/^integrations\[0\]\.scheme: /);
    expect(problemsOf({ ...minimal, ingress: { listen: 'nowhere' } })).toEqual([expect.stringMatching(/^ingress\.listen: must be host:port/)]);
    expect(problemsOf({ ...minimal, ingres: {} })).toEqual([expect.stringMatching(/ingres/)]);
    expect(problemsOf({ integrations: [{ id: 'tw', scheme: 'twilio', secrets: [{ id: 'a', value: 'x' }] }] })).toEqual([
      expect.stringMatching(/^integrations\[0\]\.publicUrl: /),
    ]);
  });

  it('refuses duplicate ids, paths shared by two integrations and reserved paths', () => {
    const twice = { integrations: [minimal.integrations[0], { ...minimal.integrations[0], path: '/hooks/pay' }] };
    expect(problemsOf(twice)).toEqual([
      'integrations[1].id: duplicate integration id "pay"',
      'integrations[1].path: path "/hooks/pay" is used by another integration',
    ]);
    expect(problemsOf({ integrations: [{ ...minimal.integrations[0], path: '/healthz' }] })).toEqual([
      'integrations[0].path: path "/healthz" is reserved for health checks',
    ]);
  });

  it('never throws anything but a ConfigError, whatever the text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json(), fc.anything().map((value) => String(stringify(value) ?? ''))), (text) => {
        problemsOf(text);
      }),
      { numRuns: 500 },
    );
  });

  it('never throws anything but a ConfigError for configs close to valid ones', () => {
    const integration = fc.record({
      id: fc.oneof(fc.constant('pay'), fc.string()),
      scheme: fc.constantFrom('stripe', 'github', 'hmac', 'jws', 'twilio', 'nope'),
      secrets: fc.oneof(fc.constant([{ id: 's', value: 'x' }]), fc.anything()),
      toleranceSeconds: fc.oneof(fc.integer(), fc.string(), fc.constant(undefined)),
      hmac: fc.oneof(fc.constant(undefined), fc.anything()),
      jws: fc.oneof(fc.constant(undefined), fc.anything()),
      path: fc.oneof(fc.constant(undefined), fc.string()),
    });
    fc.assert(
      fc.property(fc.array(integration, { maxLength: 3 }), fc.anything(), (integrations, ingress) => {
        problemsOf({ integrations, ingress });
      }),
      { numRuns: 500 },
    );
  });
});
