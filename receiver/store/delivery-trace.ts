import type { Reason } from '../../shared/model/outcomes.js';
import type { DeliveryRecord } from './delivery-record.js';

export interface TraceStep {
  readonly step: string;
  readonly result: string;
}

/** The checks of DESIGN §2.1 in the order the ingress takes them. */
const STEPS = ['route', 'kill switch', 'allowlist', 'rate limit', 'body', 'signature', 'timestamp', 'dedupe', 'schema', 'outcome'] as const;
type Step = (typeof STEPS)[number];

const FAILED_AT: Record<Reason, Step> = {
  not_found: 'route',
  method_not_allowed: 'route',
  killed: 'kill switch',
  ip_not_allowed: 'allowlist',
  rate_limited: 'rate limit',
  body_too_large: 'body',
  body_incomplete: 'body',
  signature_missing: 'signature',
  signature_malformed: 'signature',
  signature_invalid: 'signature',
  signature_retired_secret: 'signature',
  timestamp_stale: 'timestamp',
  timestamp_future: 'timestamp',
  duplicate_id: 'dedupe',
  duplicate_signature: 'dedupe',
  duplicate_pending: 'dedupe',
  superseded: 'dedupe',
  schema_invalid: 'schema',
  store_unavailable: 'outcome',
};

const SIGNATURE_PROBLEM: Partial<Record<Reason, string>> = {
  signature_missing: 'no signature header',
  signature_malformed: 'the signature header could not be parsed',
  signature_invalid: 'no active secret matches',
  signature_retired_secret: 'it matches a retired or expired secret',
};

/**
 * The verification steps of one delivery, rebuilt from its log record for the console's detail
 * drawer. The record holds where the path stopped and what it learnt on the way, which is enough:
 * every step before the stop passed, every step after it was not reached.
 */
export function verificationTrace(record: DeliveryRecord): TraceStep[] {
  // `killed` with a 202 is the drop mode: the path went on to the end.
  const failed = record.reason === null || record.outcome === 'dropped' ? undefined : FAILED_AT[record.reason];
  const stop = failed === undefined ? STEPS.length : STEPS.indexOf(failed);
  return STEPS.map((step, index) => ({
    step,
    result: index < stop ? passed(step, record) : index === stop ? failure(step, record) : 'not reached',
  }));
}

function passed(step: Step, record: DeliveryRecord): string {
  switch (step) {
    case 'route':
      return `${record.method} ${record.path} → integration "${record.integrationId ?? ''}"`;
    case 'kill switch':
      if (record.outcome === 'held') return 'engaged (hold): the delivery is parked until the switch is released';
      if (record.outcome === 'dropped') return 'engaged (drop): verified and answered 202, but never released downstream';
      return 'not engaged';
    case 'allowlist':
      return `source ${record.sourceIp} allowed`;
    case 'rate limit':
      return 'within the limit';
    case 'body':
      return `${record.bodySize} bytes read${record.bodySha256 ? `, sha256 ${record.bodySha256.slice(0, 16)}…` : ''}`;
    case 'signature':
      return record.secretId === null ? 'verified' : `verified with secret "${record.secretId}"`;
    case 'timestamp':
      return record.skewMs === null ? 'the scheme signs no timestamp' : `${skewText(record.skewMs)}, within the tolerance`;
    case 'dedupe':
      return record.deliveryId === null ? 'first time seen (by signature)' : `first time seen (delivery id "${record.deliveryId}")`;
    case 'schema':
      return 'valid, or no schema configured';
    case 'outcome':
      if (record.outcome === 'held') return 'stored durably and parked → 202 held';
      if (record.outcome === 'dropped') return 'recorded as dropped → 202';
      return `stored durably → ${record.status} ${record.outcome}`;
  }
}

function failure(step: Step, record: DeliveryRecord): string {
  const detail = record.detail ? `: ${record.detail}` : '';
  switch (step) {
    case 'route':
      return record.reason === 'not_found' ? `no integration at ${record.path} → 404` : `${record.method} is not allowed, only POST → 405`;
    case 'kill switch':
      return `engaged (reject) → 503 with Retry-After${detail}`;
    case 'allowlist':
      return `source ${record.sourceIp} is not in the allowlist → 403`;
    case 'rate limit':
      return 'over the limit → 429 with Retry-After';
    case 'body':
      return record.reason === 'body_too_large' ? 'larger than the limit → 413' : 'the body did not arrive completely → 400';
    case 'signature': {
      const matched = record.reason === 'signature_retired_secret' && record.secretId !== null ? ` ("${record.secretId}")` : '';
      const diagnosis = record.diagnosis ? `; diagnosis ${record.diagnosis}` : '';
      return `${record.reason ?? 'failed'}: ${SIGNATURE_PROBLEM[record.reason ?? 'signature_invalid'] ?? 'failed'}${matched} → ${record.status}${diagnosis}${detail}`;
    }
    case 'timestamp': {
      const skew = record.skewMs === null ? '' : ` (${skewText(record.skewMs)})`;
      return `${record.reason === 'timestamp_future' ? 'signed too far in the future' : 'signed too long ago'}${skew}, outside the tolerance → 401`;
    }
    case 'dedupe':
      if (record.reason === 'duplicate_pending') return 'the same delivery is still being stored (not yet durable) → 503, retry in a second';
      if (record.reason === 'superseded') return 'accepted here, but this node went down before its claim held and another node accepted the same delivery: not forwarded from here';
      return record.reason === 'duplicate_id' && record.deliveryId !== null
        ? `already seen: delivery id "${record.deliveryId}" → 200 duplicate, not processed again`
        : 'already seen: the same signature → 200 duplicate, not processed again';
    case 'schema':
      return 'the body does not match the integration\'s JSON Schema → 422';
    case 'outcome':
      return `the store was unavailable → ${record.status} with Retry-After; nothing was accepted`;
  }
}

function skewText(skewMs: number): string {
  const seconds = (Math.abs(skewMs) / 1000).toFixed(1);
  return skewMs >= 0 ? `signed ${seconds} s before it arrived` : `signed ${seconds} s in the future`;
}
