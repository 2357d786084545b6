/**
 * What happened to one inbound request. Every request ends in exactly one outcome, and every
 * outcome other than `accepted` / `held` carries a reason so failures can be charted by cause.
 */
export const OUTCOMES = ['accepted', 'held', 'dropped', 'duplicate', 'rejected'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export const SIGNATURE_FAILURES = [
  'signature_missing',
  'signature_malformed',
  'signature_invalid',
  'signature_retired_secret',
] as const;
export type SignatureFailure = (typeof SIGNATURE_FAILURES)[number];

export const REASONS = [
  'not_found',
  'method_not_allowed',
  'killed',
  'ip_not_allowed',
  'rate_limited',
  'body_too_large',
  'body_incomplete',
  ...SIGNATURE_FAILURES,
  'timestamp_stale',
  'timestamp_future',
  'duplicate_id',
  'duplicate_signature',
  /** The same delivery is being stored right now (or its node died before storing it): retry in a second. */
  'duplicate_pending',
  /** Accepted here, but another node of the fleet accepted the same delivery while this one was down: not forwarded from here. */
  'superseded',
  'schema_invalid',
  'store_unavailable',
] as const;
export type Reason = (typeof REASONS)[number];

/**
 * Causes of a signature failure that the receiver could pin down with a bounded extra check.
 * They are the causes operators hit again and again, named in words they can act on.
 */
export const DIAGNOSES = [
  'secret_whitespace',
  'body_trailing_newline',
  'body_line_endings',
  'body_reserialized_json',
  'other_integration_secret',
] as const;
export type Diagnosis = (typeof DIAGNOSES)[number];
