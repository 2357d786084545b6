import { createHash } from 'node:crypto';
import type { IntegrationView } from '../../../../shared/contract/admin-api.js';
import type { KillSwitchMode } from '../../../../shared/model/kill-switch.js';
import type { AdminClient } from './admin-client.js';
import { AdminApiError } from './admin-error.js';

/** A state change that fans out to every node of a fleet. */
export type FleetOperation =
  | { readonly kind: 'kill'; readonly integrationId: string; readonly mode: KillSwitchMode; readonly reason: string }
  | { readonly kind: 'release'; readonly integrationId: string; readonly reason: string; readonly held?: 'release' | 'discard' | undefined }
  | {
      readonly kind: 'addSecret';
      readonly integrationId: string;
      /** Chosen by the console (see rotation/new-secret.ts), so that every node names the secret alike. */
      readonly secretId: string;
      readonly secret: string;
      readonly overlapSeconds?: number | undefined;
      /** Pending: the older secrets get no expiry until `confirmSecret`. */
      readonly pending?: boolean | undefined;
    }
  | { readonly kind: 'confirmSecret'; readonly integrationId: string; readonly secretId: string; readonly overlapSeconds: number }
  | { readonly kind: 'retireSecret'; readonly integrationId: string; readonly secretId: string };

export function sendOperation(client: Pick<AdminClient, 'kill' | 'release' | 'addSecret' | 'confirmSecret' | 'retireSecret'>, operation: FleetOperation): Promise<IntegrationView> {
  switch (operation.kind) {
    case 'kill':
      return client.kill(operation.integrationId, { mode: operation.mode, reason: operation.reason });
    case 'release':
      return client.release(operation.integrationId, { reason: operation.reason, ...(operation.held ? { held: operation.held } : {}) });
    case 'addSecret':
      return client.addSecret(operation.integrationId, {
        secret: operation.secret,
        id: operation.secretId,
        ...(operation.overlapSeconds !== undefined ? { overlapSeconds: operation.overlapSeconds } : {}),
        ...(operation.pending !== undefined ? { pending: operation.pending } : {}),
      });
    case 'confirmSecret':
      return client.confirmSecret(operation.integrationId, operation.secretId, { overlapSeconds: operation.overlapSeconds });
    case 'retireSecret':
      return client.retireSecret(operation.integrationId, operation.secretId);
  }
}

/** Whether `view` shows the operation done: what makes a node's result ok. */
export function shows(operation: FleetOperation, view: IntegrationView): boolean {
  switch (operation.kind) {
    case 'kill':
      return view.kill !== null && view.kill.mode === operation.mode && view.kill.reason === operation.reason.trim();
    case 'release':
      return view.kill === null;
    case 'addSecret': {
      // The fingerprint proves the node holds this value under this id, not just some secret of that name.
      const fingerprint = createHash('sha256').update(operation.secret).digest('hex').slice(0, 8);
      return view.secrets.some(
        (secret) => secret.id === operation.secretId && secret.fingerprint === fingerprint && (secret.state === 'active' || secret.state === 'expiring'),
      );
    }
    case 'confirmSecret':
      // Confirmed: the new secret verifies and every other one is on its way out (expiring, or gone with no overlap).
      return view.secrets.some((secret) => secret.id === operation.secretId && (secret.state === 'active' || secret.state === 'expiring')) &&
        view.secrets.every((secret) => secret.id === operation.secretId || secret.state !== 'active');
    case 'retireSecret': {
      const secret = view.secrets.find((candidate) => candidate.id === operation.secretId);
      // Pruned from the list counts as retired: the node keeps only the newest few dead secrets.
      return secret === undefined || secret.state === 'retired' || secret.state === 'expired';
    }
  }
}

/** A refusal that means the node is already where the operation leads (releasing a switch that is not engaged). */
export function alreadyDone(operation: FleetOperation, error: unknown): boolean {
  return operation.kind === 'release' && error instanceof AdminApiError && error.details.status === 409 && error.code === 'not_killed';
}

export function describeOperation(operation: FleetOperation): string {
  switch (operation.kind) {
    case 'kill':
      return `the kill switch (${operation.mode}) of "${operation.integrationId}"`;
    case 'release':
      return `the release of "${operation.integrationId}"`;
    case 'addSecret':
      return `the new secret "${operation.secretId}" of "${operation.integrationId}"`;
    case 'confirmSecret':
      return `the overlap of the secrets older than "${operation.secretId}" of "${operation.integrationId}"`;
    case 'retireSecret':
      return `the retirement of secret "${operation.secretId}" of "${operation.integrationId}"`;
  }
}
