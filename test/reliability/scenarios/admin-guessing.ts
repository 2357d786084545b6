import { randomBytes } from 'node:crypto';
import { adminStatus, auditEntryCount } from '../harness/admin-client.js';
import { loopbackAddress, requestFrom } from '../harness/loopback-client.js';
import { newStripeSecret, stripeIntegration } from '../harness/outgoing.js';
import { ReceiverNode, stopAll } from '../harness/receiver-node.js';
import type { ReliabilityRow } from '../harness/reliability-row.js';

const ADDRESSES = 200;
const GUESSES = 2_000;
const CONCURRENCY = 64;

/**
 * 2,000 wrong admin tokens from 200 loopback addresses (the whole of 127/8 is local). No guess may
 * get in; guessing must be throttled; refusals must not each write an audit entry; the operator's
 * console, on an address that has used its token before, must still be served.
 */
export async function adminTokenGuessing(): Promise<ReliabilityRow> {
  const node = new ReceiverNode({ node: { id: 'guessing' }, storage: { path: './data', sync: 'normal' }, integrations: [stripeIntegration('pay', newStripeSecret())] });
  try {
    await node.start();
    const violations: string[] = [];
    if ((await adminStatus(node.adminUrl, '/node')) !== 200) violations.push('the real token was refused before the attack');
    const auditBefore = await auditEntryCount(node.adminUrl);
    const statuses = new Map<number, number>();
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < GUESSES) {
          const guess = next++;
          const status = await requestFrom(loopbackAddress(guess % ADDRESSES), `${node.adminUrl}/admin/v1/node`, {
            method: 'GET',
            headers: { authorization: `Bearer ${randomBytes(24).toString('base64url')}` },
          });
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
        }
      }),
    );
    const admitted = [...statuses].filter(([status]) => status >= 200 && status < 300).reduce((sum, [, count]) => sum + count, 0);
    if (admitted > 0) violations.push(`${admitted} wrong tokens were let in`);
    if (!statuses.has(429)) violations.push(`${GUESSES} guesses from ${ADDRESSES} addresses were never throttled`);
    const audited = (await auditEntryCount(node.adminUrl)) - auditBefore;
    // Refusals summed per caller and minute: at most one entry per address for each minute the attack spans.
    if (audited > ADDRESSES * 2 + 10) violations.push(`${audited} audit entries for ${GUESSES} refusals: each refusal audited on its own`);
    const operator = await adminStatus(node.adminUrl, '/node');
    if (operator !== 200) violations.push(`the operator's real token answered ${operator} after the attack`);
    if (!node.running) violations.push('the receiver process died');
    return {
      name: `admin token guessing from ${ADDRESSES} loopback addresses`,
      sent: GUESSES,
      acknowledged: admitted,
      rejected: GUESSES - admitted,
      lost: 0,
      acceptedTwice: 0,
      peakRssMib: node.peakRssMib(),
      violations,
      note: `answers: ${[...statuses].map(([status, count]) => `${count} × ${status || 'no answer'}`).join(', ')}; ${audited} audit entries added; real token afterwards: ${operator}`,
    };
  } finally {
    await stopAll([node]);
  }
}
