import type { Metric, Registry } from 'prom-client';

interface Series {
  /** Observations per bucket (not cumulative); the last slot holds those above every bound. */
  readonly counts: number[];
  sum: number;
  count: number;
}

interface Sample {
  readonly value: number;
  readonly labels: Record<string, string | number>;
  readonly sharedLabels: Record<string, string>;
  readonly metricName: string;
}

/**
 * A histogram with one label, `outcome`, counted in plain arrays and handed to the registry in
 * prom-client's own export format (the same text on /metrics) when Prometheus scrapes. prom-client's
 * Histogram validates and hashes its labels on every observation: work the event loop did for
 * every delivery.
 */
export class OutcomeHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly series = new Map<string, Series>();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly buckets: readonly number[],
    registry: Registry,
  ) {
    // prom-client's registry reads a metric through name, type, aggregator, get, getForPromString and reset alone.
    registry.registerMetric(this as unknown as Metric);
  }

  observe(outcome: string, value: number): void {
    let series = this.series.get(outcome);
    if (!series) this.series.set(outcome, (series = { counts: new Array<number>(this.buckets.length + 1).fill(0), sum: 0, count: 0 }));
    let bucket = 0;
    while (bucket < this.buckets.length && value > (this.buckets[bucket] as number)) bucket++;
    series.counts[bucket] = (series.counts[bucket] as number) + 1;
    series.sum += value;
    series.count++;
  }

  /** What the registry writes as text: cumulative buckets, +Inf, sum and count per outcome, as prom-client's Histogram gives them. */
  getForPromString(): { name: string; help: string; type: string; aggregator: string; values: Sample[] } {
    const values: Sample[] = [];
    for (const [outcome, series] of this.series) {
      const sharedLabels = { outcome };
      let cumulative = 0;
      this.buckets.forEach((bound, index) => {
        cumulative += series.counts[index] as number;
        values.push({ labels: { le: bound }, sharedLabels, value: cumulative, metricName: `${this.name}_bucket` });
      });
      values.push(
        { labels: { le: '+Inf' }, sharedLabels, value: series.count, metricName: `${this.name}_bucket` },
        { labels: {}, sharedLabels, value: series.sum, metricName: `${this.name}_sum` },
        { labels: {}, sharedLabels, value: series.count, metricName: `${this.name}_count` },
      );
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  /** The same as JSON (getMetricsAsJSON): each sample's labels with the outcome among them. */
  get(): Promise<{ name: string; help: string; type: string; aggregator: string; values: { value: number; labels: Record<string, string | number>; metricName: string }[] }> {
    const metric = this.getForPromString();
    const values = metric.values.map(({ value, labels, sharedLabels, metricName }) => ({ value, labels: { ...labels, ...sharedLabels }, metricName }));
    return Promise.resolve({ ...metric, values });
  }

  reset(): void {
    this.series.clear();
  }
}
