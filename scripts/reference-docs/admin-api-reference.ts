import { join } from 'node:path';
import { z } from 'zod';
import * as adminApi from '../../shared/contract/admin-api.js';
import { markdownTable } from './markdown-table.js';
import { schemaRows } from './schema-rows.js';
import { keyComments } from './source-comments.js';

const SOURCE = join(import.meta.dirname, '..', '..', 'shared', 'contract', 'admin-api.ts');

type SchemaName = { [K in keyof typeof adminApi]: (typeof adminApi)[K] extends z.ZodType ? K : never }[keyof typeof adminApi];

interface Route {
  readonly method: 'GET' | 'POST' | 'DELETE';
  readonly path: string;
  readonly scope: (typeof adminApi.TOKEN_SCOPES)[number];
  readonly what: string;
  /** The body (POST, DELETE) or the query string (GET) the receiver parses with this schema. */
  readonly input?: SchemaName;
  /** The answer's schema; the console parses answers with it. */
  readonly output?: SchemaName;
}

/**
 * The routes under /admin/v1 (receiver/admin/routes.ts holds the handlers). Schema names are typed
 * against the contract's exports, so a renamed or removed schema breaks the build of these docs.
 */
const ROUTES: readonly Route[] = [
  { method: 'GET', path: '/node', scope: 'read', what: 'node id, version, uptime, clock, readiness, storage, Redis and downstream health', output: 'nodeInfo' },
  { method: 'GET', path: '/whoami', scope: 'read', what: 'the calling token\'s name, scope and payload permission', output: 'whoami' },
  { method: 'GET', path: '/integrations', scope: 'read', what: 'the inventory: scheme, path, status, kill switch, secrets (never their values), limits, 24 h counts, drift from the file', output: 'integrationList' },
  { method: 'POST', path: '/integrations/{id}/kill', scope: 'operate', what: 'engage the kill switch: `reject` (503 + Retry-After), `hold` (store, park, 202), `drop` (record, discard, 202)', input: 'killRequest', output: 'integrationView' },
  { method: 'DELETE', path: '/integrations/{id}/kill', scope: 'operate', what: 'release it; parked deliveries go downstream in arrival order, or are discarded', input: 'releaseRequest', output: 'integrationView' },
  { method: 'POST', path: '/integrations/{id}/secrets', scope: 'admin', what: 'add a secret; older ones expire after the overlap (or, `pending`, once confirmed)', input: 'addSecretRequest', output: 'integrationView' },
  { method: 'POST', path: '/integrations/{id}/secrets/{secretId}/confirm', scope: 'admin', what: 'the sender signs with the pending secret now: the older secrets\' overlap starts', input: 'confirmSecretRequest', output: 'integrationView' },
  { method: 'DELETE', path: '/integrations/{id}/secrets/{secretId}', scope: 'admin', what: 'retire a secret now (never the last active one)', output: 'integrationView' },
  { method: 'GET', path: '/deliveries', scope: 'read', what: 'the delivery log, newest first, cursor-paged; search by delivery id, request id or sender address', input: 'deliveryQuery', output: 'deliveryPage' },
  { method: 'GET', path: '/deliveries/{requestId}', scope: 'read', what: 'one delivery with its verification trace', output: 'deliveryDetail' },
  { method: 'GET', path: '/deliveries/{requestId}/raw', scope: 'read', what: 'the captured request (body base64) for replay; needs the token\'s payload permission, audited', output: 'rawDelivery' },
  { method: 'POST', path: '/deliveries/redrive', scope: 'operate', what: 're-enqueue captured accepted or held deliveries downstream, exactly once per request, audited', input: 'redriveRequest', output: 'redriveResult' },
  { method: 'GET', path: '/stream', scope: 'read', what: 'server-sent events, one `deliverySummary` per delivery; `id:` is the log position, `Last-Event-ID` resumes without gap or duplicate', input: 'streamQuery', output: 'deliverySummary' },
  { method: 'GET', path: '/stats', scope: 'read', what: 'time buckets per integration × outcome × reason, cutover per secret, diagnoses, clock skew, replay cache, top rejected sources', input: 'statsQuery', output: 'statsView' },
  { method: 'GET', path: '/audit', scope: 'read', what: 'the hash-chained log of admin actions and refusals, paged, with chain verification', input: 'auditQuery', output: 'auditLog' },
];

/** docs/admin-api.md: the routes, then every schema they name, from the zod contract the node and the console both use. */
export function adminApiReference(): string {
  const comments = keyComments(SOURCE, (constant) => constant);
  const code = (text: string) => `\`${text}\``;
  const routes = markdownTable(
    ['method and path', 'scope', 'what', 'input', 'answer'],
    ROUTES.map((route) => [code(`${route.method} ${route.path}`), route.scope, route.what, route.input ? `[${route.input}](#${route.input.toLowerCase()})` : '', route.output ? `[${route.output}](#${route.output.toLowerCase()})` : '']),
  );
  const named = [...new Set<SchemaName>([...ROUTES.flatMap((route) => [route.input, route.output].filter((name): name is SchemaName => name !== undefined)), 'apiError'])];
  const sections = named.map((name) => {
    const io = ROUTES.some((route) => route.input === name) ? 'input' : 'output';
    const rows = schemaRows(z.toJSONSchema(adminApi[name], { io, unrepresentable: 'any' }) as never);
    const comment = (path: string) => comments.get(`${name}.${path}`) ?? [...comments].find(([key]) => key.endsWith(`.${path}`))?.[1] ?? '';
    const table = markdownTable(
      ['field', 'type', 'default', 'constraints', 'notes'],
      rows.map((row) => [`${code(row.path)}${row.required ? '' : ' (optional)'}`, row.type, row.defaultValue, row.constraints, comment(row.path.replace(/\[\]/g, ''))]),
    );
    return `### ${name}\n\n${table}`;
  });
  return `<!-- Generated by \`npm run docs:reference\` from shared/contract/admin-api.ts. Do not edit: a test fails when it is stale. -->
# Admin API reference

Every receiver node serves its admin API on \`admin.listen\` under \`/admin/v1\`, JSON in and out, with
\`Authorization: Bearer <token>\` (the node's config holds only each token's sha256). A missing or wrong token is
\`401\`, a token without the scope \`403\` (both audited); more than 10 failures a minute from one address get
\`429\`. Scopes nest: \`admin\` ⊃ \`operate\` ⊃ \`read\`. The console sends \`X-Hookwarden-Person: <os user>@<host>\`,
recorded in the audit log as \`person\`. Errors are [apiError](#apierror). \`/metrics\`, \`/healthz\` and \`/readyz\` on
the same listener need no token. Query parameters that take several values take them comma-separated
(\`outcome=rejected,duplicate\`).

${routes}

## Schemas

${sections.join('\n\n')}
`;
}
