import type { Diagnosis, Outcome, Reason } from '../../shared/model/outcomes.js';
import type { CapturedRequest } from './capture-codec.js';
import type { ReplayKey } from './replay-cache.js';

/** One line of the delivery log: every request leaves exactly one. */
export interface DeliveryRecord {
  readonly requestId: string;
  readonly integrationId: string | null;
  /** Unix milliseconds. */
  readonly receivedAt: number;
  readonly sourceIp: string;
  readonly method: string;
  readonly path: string;
  /** Header names and values with signature and credential headers redacted. */
  readonly headers: Readonly<Record<string, string>>;
  readonly bodySize: number;
  readonly bodySha256: string | null;
  readonly status: number;
  readonly outcome: Outcome;
  readonly reason: Reason | null;
  readonly detail: string | null;
  readonly diagnosis: Diagnosis | null;
  readonly secretId: string | null;
  readonly deliveryId: string | null;
  /** Receiver clock minus the signed timestamp, for schemes that sign one. */
  readonly skewMs: number | null;
  readonly latencyUs: number;
}

/** A record once it is in the log, with its position there (the stream's event id). */
export interface LoggedDelivery extends DeliveryRecord {
  readonly seq: number;
}

/** Everything one request writes, committed together (one row, plus its replay keys) or not at all. */
export interface DeliveryWrite {
  readonly record: DeliveryRecord;
  /** `record.headers` as JSON, when the ingress made it already (flattenHeaders): the log row stores it. */
  readonly headersJson?: string | undefined;
  /** `headersJson`: the capture's headers as JSON, when the ingress made it already. */
  readonly capture?: (CapturedRequest & { readonly expiresAt: number; readonly headersJson?: string }) | undefined;
  /** `ready` goes downstream, `held` waits for the kill switch's release. */
  readonly outbox?: 'ready' | 'held' | undefined;
  /** Keys of a single node's replay cache, kept durably with the delivery. */
  readonly replayKeys?: readonly ReplayKey[] | undefined;
}
