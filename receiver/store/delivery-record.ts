import type { Diagnosis, Outcome, Reason } from '../../shared/model/outcomes.js';

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

/** The raw request as received, kept for replay; only credentials are taken out. */
export interface CapturedRequest {
  readonly query: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
  readonly expiresAt: number;
}

/** Everything one request writes, committed together or not at all. */
export interface DeliveryWrite {
  readonly record: DeliveryRecord;
  readonly capture?: CapturedRequest;
  /** `ready` goes downstream, `held` waits for the kill switch's release. */
  readonly outbox?: 'ready' | 'held';
  readonly replayKeys?: readonly ReplayKey[];
}

export interface ReplayKey {
  readonly key: string;
  readonly expiresAt: number;
}
