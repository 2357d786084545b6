import { Histogram, Registry, type MetricValueWithName } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { OutcomeHistogram } from '../../../../receiver/observability/outcome-histogram.js';

const BUCKETS = [0.001, 0.01, 0.1, 1];
const OBSERVED: readonly [string, number][] = [
  ['accepted', 0.0004], ['accepted', 0.001], ['accepted', 0.05], ['rejected', 0.5], ['accepted', 3], ['duplicate', 0.002],
];

function registries(): { ours: Registry; theirs: Registry; histogram: OutcomeHistogram } {
  const ours = new Registry();
  const theirs = new Registry();
  for (const registry of [ours, theirs]) registry.setDefaultLabels({ node: 'n1' });
  const histogram = new OutcomeHistogram('x_duration_seconds', 'How long.', BUCKETS, ours);
  const reference = new Histogram({ name: 'x_duration_seconds', help: 'How long.', labelNames: ['outcome'], buckets: BUCKETS, registers: [theirs] });
  for (const [outcome, value] of OBSERVED) {
    histogram.observe(outcome, value);
    reference.observe({ outcome }, value);
  }
  return { ours, theirs, histogram };
}

describe('OutcomeHistogram', () => {
  it('writes the same text and JSON as prom-client\'s Histogram for the same observations', async () => {
    const { ours, theirs } = registries();
    expect(await ours.metrics()).toBe(await theirs.metrics());
    const samples = async (registry: Registry) =>
      (await registry.getMetricsAsJSON()).flatMap((metric) => metric.values.map((sample: MetricValueWithName<string>) => ({ type: metric.type, name: sample.metricName, value: sample.value, labels: sample.labels })));
    expect(await samples(ours)).toEqual(await samples(theirs));
  });

  it('starts again from nothing when the registry resets its metrics', async () => {
    const { ours, histogram } = registries();
    ours.resetMetrics();
    expect(await ours.metrics()).toBe('# HELP x_duration_seconds How long.\n# TYPE x_duration_seconds histogram\n');
    histogram.observe('accepted', 0.01);
    expect(await ours.metrics()).toContain('x_duration_seconds_bucket{le="0.01",node="n1",outcome="accepted"} 1');
  });
});
