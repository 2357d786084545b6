import { execSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { FleetConnection } from '../../../electron/main/services/fleets/fleet-connection.js';
import { spawnReceiver, type ReceiverProcess } from '../../helpers/receiver-process.js';
import { tempDir } from '../../helpers/test-receiver.js';

const EXAMPLE = join(import.meta.dirname, '..', '..', '..', 'examples', 'receiver.yml');
const text = readFileSync(EXAMPLE, 'utf8');

/** examples/receiver.yml is what the README hands a newcomer: the console must connect to it as it is. */
describe('examples/receiver.yml', () => {
  let node: ReceiverProcess | undefined;
  afterAll(async () => {
    node?.child.kill('SIGTERM');
    await node?.exited;
  });

  it('accepts the token its comment names, with the console\'s own fleet client', async () => {
    const token = /the token "([^"]+)"/.exec(text)?.[1];
    expect(token).toBeDefined();
    const config = parse(text) as { ingress: { listen: string }; admin: { listen: string } };
    // Free ports instead of 8080 and 9090, which a developer's own receiver may hold.
    config.ingress.listen = '127.0.0.1:0';
    config.admin.listen = '127.0.0.1:0';
    node = await spawnReceiver(tempDir(), config);
    const [answer] = await new FleetConnection({ id: 'example', nodes: [{ url: node.adminUrl! }], token: token! }).test();
    expect(answer).toMatchObject({ reachable: true, tokenOk: true, nodeId: 'local-1' });
  }, 60_000);

  it('documents a command that prints a token and the sha256 the config wants', () => {
    const command = /^\s*#\s+(node -e .+)$/m.exec(text)?.[1];
    expect(command).toBeDefined();
    const printed = execSync(command!, { encoding: 'utf8' });
    const token = /^token {2}(\S+)$/m.exec(printed)?.[1];
    const sha256 = /^sha256 ([0-9a-f]{64})$/m.exec(printed)?.[1];
    expect(token).toBeDefined();
    expect(sha256).toBe(createHash('sha256').update(token!).digest('hex'));
  });
});
