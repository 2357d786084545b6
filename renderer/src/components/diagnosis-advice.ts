import type { Diagnosis } from '../../../shared/model/outcomes.js';

/** What a diagnosis means, in words an operator can act on. */
export const DIAGNOSIS_ADVICE: Record<Diagnosis, string> = {
  secret_whitespace: 'The configured secret has stray whitespace — check the env var or file for a trailing newline.',
  body_trailing_newline:
    'A proxy or framework changed the body before it reached the receiver (a trailing newline was added or removed) — verify the raw bytes, before any parsing.',
  body_line_endings: 'A proxy or framework changed the body before it reached the receiver (line endings were converted) — look for middleware rewriting the body.',
  body_reserialized_json:
    'A proxy or framework changed the body before it reached the receiver (the JSON was parsed and re-serialised) — the receiver must see the bytes the sender signed.',
  other_integration_secret: "Signed with another integration's secret — check which endpoint this sender points at.",
};
