import type { IncomingHttpHeaders } from 'node:http';
import type { SignatureFailure } from '../../shared/model/outcomes.js';

/** The request as it arrived: raw body bytes, header names lower-cased by node:http. */
export interface InboundRequest {
  readonly method: string;
  /** Path without the query string, as received. */
  readonly path: string;
  /** The raw query string including its leading `?`, or '' when there is none. */
  readonly query: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** A secret prepared once at load time, so the hot path never decodes or imports key material. */
export interface VerificationKey<K> {
  readonly secretId: string;
  readonly key: K;
}

export type SignatureCheck =
  | {
      readonly ok: true;
      readonly secretId: string;
      /**
       * The matched MAC in one canonical spelling (its decoded bytes re-encoded: lower-case hex, or
       * padded standard base64), so that re-spelling a signature never makes a new replay key.
       */
      readonly signature: string;
      /** Unix seconds the sender signed, for schemes that sign a timestamp. */
      readonly signedAt?: number;
    }
  | {
      /** Never `signature_retired_secret`: the pipeline decides that by retrying with retired keys. */
      readonly ok: false;
      readonly reason: Exclude<SignatureFailure, 'signature_retired_secret'>;
      /** Operator-facing explanation for the delivery log; never contains key material. */
      readonly detail: string;
    };

/**
 * One signature scheme: a pure function of (request, keys) to a verdict. Checking the timestamp
 * window, trying retired secrets and dedupe are the pipeline's job; the scheme only reports
 * `signedAt` and the delivery id.
 */
export interface SignatureScheme<K> {
  /** Turns a configured secret value into key material; throws an Error naming the problem, never the value. */
  prepareKey(secret: string): K;
  verify(request: InboundRequest, keys: readonly VerificationKey<K>[]): SignatureCheck | Promise<SignatureCheck>;
  /** The sender's id for this event, used for idempotency; undefined when the request carries none. */
  deliveryId(request: InboundRequest): string | undefined;
  /** Whether this scheme signs a timestamp (and so gets a tolerance window and a recorded skew). */
  readonly signsTimestamp: boolean;
}

/** Reads one header as a single string: absent → undefined, repeated → the first occurrence. */
export function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}
