import type { Diagnosis } from '../../shared/model/outcomes.js';
import type { InboundRequest, VerificationKey } from '../schemes/scheme.js';
import type { IntegrationRuntime } from './integration-runtime.js';

export interface DiagnosisResult {
  readonly diagnosis: Diagnosis;
  readonly detail: string;
}

/** Re-encodings a proxy or a framework commonly applies to a body on its way to the receiver. */
const BODY_VARIANTS: readonly { readonly diagnosis: Diagnosis; readonly detail: string; readonly from: (body: Buffer) => Buffer | undefined }[] = [
  {
    diagnosis: 'body_trailing_newline',
    detail: 'a trailing newline was removed from the body on the way',
    from: (body) => Buffer.concat([body, Buffer.from('\n')]),
  },
  {
    diagnosis: 'body_trailing_newline',
    detail: 'a trailing newline was added to the body on the way',
    from: (body) => (body.at(-1) === 0x0a ? body.subarray(0, body.at(-2) === 0x0d ? -2 : -1) : undefined),
  },
  {
    diagnosis: 'body_line_endings',
    detail: 'the body\'s line endings were converted on the way (CRLF to LF)',
    from: (body) => (body.includes('\n') ? Buffer.from(body.toString('latin1').replace(/\r?\n/g, '\r\n'), 'latin1') : undefined),
  },
  {
    diagnosis: 'body_line_endings',
    detail: 'the body\'s line endings were converted on the way (LF to CRLF)',
    from: (body) => (body.includes('\r\n') ? Buffer.from(body.toString('latin1').replace(/\r\n/g, '\n'), 'latin1') : undefined),
  },
  {
    diagnosis: 'body_reserialized_json',
    detail: 'the JSON body was parsed and re-serialised on the way (the sender signed it compact)',
    from: (body) => reserialize(body, undefined),
  },
  {
    diagnosis: 'body_reserialized_json',
    detail: 'the JSON body was parsed and re-serialised on the way (the sender signed it indented)',
    from: (body) => reserialize(body, 2),
  },
];

/** Bodies beyond this are not re-encoded for a diagnosis: the work must stay bounded. */
const MAX_DIAGNOSED_BODY = 256 * 1024;

/**
 * Looks for the cause of a `signature_invalid` among the ones operators hit again and again.
 * Each candidate is one more verification; the caller budgets how often this runs.
 */
export async function diagnoseSignatureFailure(
  integration: IntegrationRuntime,
  request: InboundRequest,
  now: number,
  others: Iterable<IntegrationRuntime>,
): Promise<DiagnosisResult | undefined> {
  const { scheme } = integration;
  const { active } = integration.keysAt(now);

  const trimmed: VerificationKey<unknown>[] = [];
  for (const secret of active) {
    const value = secret.spec.value.trim();
    if (value === secret.spec.value) continue;
    try {
      trimmed.push({ secretId: secret.secretId, key: scheme.prepareKey(value) });
    } catch {
      // A trimmed value that is no longer a valid key cannot be the cause.
    }
  }
  if (trimmed.length > 0 && (await scheme.verify(request, trimmed)).ok) {
    return { diagnosis: 'secret_whitespace', detail: 'the configured secret has stray whitespace; the sender signs with the trimmed value' };
  }

  if (request.body.length <= MAX_DIAGNOSED_BODY) {
    for (const variant of BODY_VARIANTS) {
      const body = variant.from(request.body);
      if (body && !body.equals(request.body) && (await scheme.verify({ ...request, body }, active)).ok) {
        return { diagnosis: variant.diagnosis, detail: variant.detail };
      }
    }
  }

  for (const other of others) {
    if (other === integration || other.schemeName !== integration.schemeName) continue;
    if ((await scheme.verify(request, other.keysAt(now).active)).ok) {
      return { diagnosis: 'other_integration_secret', detail: `signed with the secret of integration "${other.id}"` };
    }
  }
  return undefined;
}

function reserialize(body: Buffer, indent: number | undefined): Buffer | undefined {
  const first = body.find((byte) => byte !== 0x20 && byte !== 0x0a && byte !== 0x0d && byte !== 0x09);
  if (first !== 0x7b && first !== 0x5b) return undefined;
  try {
    return Buffer.from(JSON.stringify(JSON.parse(body.toString('utf8')), null, indent));
  } catch {
    return undefined;
  }
}
