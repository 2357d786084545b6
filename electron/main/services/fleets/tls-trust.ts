import { timingSafeEqual } from 'node:crypto';
import { checkServerIdentity, type PeerCertificate } from 'node:tls';
import { ConsoleError } from '../console-error.js';
import type { TlsCheck } from './admin-error.js';

/** How a node's certificate is trusted: the system store (neither set), a pinned CA, a pinned certificate, or both pins. */
export interface TlsTrust {
  /** PEM of the CA that signs the node's certificate; replaces the system store when set. */
  readonly ca?: string | undefined;
  /** SHA-256 of the node's own (leaf) certificate, 32 bytes. */
  readonly fingerprint?: Buffer | undefined;
}

/** Thrown from the handshake when the leaf certificate is not the pinned one. */
export const FINGERPRINT_MISMATCH = 'ERR_HOOKWARDEN_FINGERPRINT_MISMATCH';

/** `AB:CD:…` or 64 hex digits, as the contract accepts them, to the 32 bytes they name. */
export function parseFingerprint(text: string): Buffer {
  const hex = text.replace(/:/g, '').trim();
  if (!/^[0-9A-Fa-f]{64}$/.test(hex)) {
    throw new ConsoleError('invalid_fingerprint', 'the pinned fingerprint must be a SHA-256 certificate fingerprint (64 hex digits, colons allowed)');
  }
  return Buffer.from(hex, 'hex');
}

/** Compares the leaf certificate's SHA-256 with the pin in constant time: how long it takes says nothing about the pin. */
export function matchesPin(certificate: PeerCertificate, pin: Buffer): boolean {
  const seen = certificate.fingerprint256 ? Buffer.from(certificate.fingerprint256.replace(/:/g, ''), 'hex') : Buffer.alloc(0);
  return seen.length === pin.length && timingSafeEqual(seen, pin);
}

export function fingerprintMismatch(): Error {
  return Object.assign(new Error('certificate fingerprint does not match the pinned one'), { code: FINGERPRINT_MISMATCH });
}

/**
 * Options for tls.connect. A pinned fingerprint alone accepts a self-signed certificate, so the
 * chain is not verified by OpenSSL then and the pin is checked once the handshake is done (before
 * a byte of the request is written: see `openConnection`). With a CA (pinned or the system's),
 * OpenSSL verifies the chain and `checkServerIdentity` the host name, and the pin, if also given.
 */
export function tlsOptions(trust: TlsTrust): { ca?: string; rejectUnauthorized: boolean; checkServerIdentity: typeof checkServerIdentity } {
  const pin = trust.fingerprint;
  const verifyChain = trust.ca !== undefined || pin === undefined;
  return {
    ...(trust.ca !== undefined ? { ca: trust.ca } : {}),
    rejectUnauthorized: verifyChain,
    checkServerIdentity: (host, certificate) => {
      const wrongHost = checkServerIdentity(host, certificate);
      if (wrongHost) return wrongHost;
      return pin && !matchesPin(certificate, pin) ? fingerprintMismatch() : undefined;
    },
  };
}

const CHAIN_ERRORS = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'INVALID_CA',
  'CERT_CHAIN_TOO_LONG',
  'PATH_LENGTH_EXCEEDED',
  'INVALID_PURPOSE',
]);

/** Which check refused the node, and a plain sentence saying so. */
export function describeTlsFailure(code: string, trust: TlsTrust, host: string): { check: TlsCheck; text: string } {
  if (code === FINGERPRINT_MISMATCH) return { check: 'fingerprint', text: 'certificate fingerprint does not match the pinned one' };
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return { check: 'hostname', text: `the certificate is not issued for ${host}` };
  if (code === 'CERT_HAS_EXPIRED') return { check: 'validity', text: 'the certificate has expired' };
  if (code === 'CERT_NOT_YET_VALID') return { check: 'validity', text: 'the certificate is not valid yet' };
  if (CHAIN_ERRORS.has(code)) {
    return trust.ca !== undefined
      ? { check: 'pinned-ca', text: 'the certificate is not signed by the pinned CA' }
      : { check: 'system-store', text: 'the certificate is not signed by a CA this system trusts (pin the CA or the certificate fingerprint)' };
  }
  return { check: 'handshake', text: 'the TLS handshake failed (does the node serve https on this port, and not ask for a client certificate?)' };
}
