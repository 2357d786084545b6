import { ADMIN_TOKEN } from './receiver-node.js';

const MAX_AUDIT_PAGES = 200;

/** GET on the admin API with the suite's token; resolves with the status (0 when the connection failed). */
export async function adminStatus(adminUrl: string, path: string): Promise<number> {
  try {
    const response = await fetch(`${adminUrl}/admin/v1${path}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return 0;
  }
}

/** Entries in the node's audit log, following `nextCursor` where the node pages it. */
export async function auditEntryCount(adminUrl: string): Promise<number> {
  let count = 0;
  let cursor: string | null | undefined;
  for (let page = 0; page < MAX_AUDIT_PAGES; page++) {
    const response = await fetch(`${adminUrl}/admin/v1/audit${cursor ? `?cursor=${cursor}` : ''}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    if (!response.ok) throw new Error(`GET /audit answered ${response.status}`);
    const body = (await response.json()) as { entries: unknown[]; nextCursor?: string | null };
    count += body.entries.length;
    cursor = body.nextCursor;
    if (!cursor) return count;
  }
  throw new Error(`more than ${MAX_AUDIT_PAGES} pages of audit entries`);
}
