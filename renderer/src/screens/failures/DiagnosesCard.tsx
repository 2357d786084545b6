import type { Diagnosis } from '../../../../shared/model/outcomes.js';
import { DIAGNOSIS_ADVICE } from '../../components/diagnosis-advice.js';
import { liveHref } from '../live/live-filter.js';

/** Causes the receiver pinned down, called out in words an operator can act on. */
export function DiagnosesCard({ fleetId, diagnoses }: { fleetId: string; diagnoses: readonly { integrationId: string; diagnosis: Diagnosis; count: number }[] }) {
  if (diagnoses.length === 0) return null;
  return (
    <section className="card diagnoses" aria-labelledby="diagnoses-title">
      <h2 id="diagnoses-title">What the receiver found</h2>
      <ul>
        {diagnoses.map((found) => (
          <li key={`${found.integrationId}-${found.diagnosis}`}>
            <strong>{found.integrationId}</strong> — {DIAGNOSIS_ADVICE[found.diagnosis]}{' '}
            <a href={liveHref({ fleetId, integrationId: found.integrationId, outcome: 'rejected', text: found.diagnosis })}>
              {found.count} deliver{found.count === 1 ? 'y' : 'ies'}
            </a>
          </li>
        ))}
      </ul>
    </section>
  );
}
