import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_HMAC_OPTIONS, newSecret } from '../../helpers/signers.js';
import { startTestReceiver, type TestReceiver } from '../../helpers/test-receiver.js';

/** Raw sockets against the ingress: nothing a client sends may crash it or hold resources for long. */
describe('slow and hostile clients', () => {
  let receiver: TestReceiver;
  let port: number;
  beforeAll(async () => {
    receiver = await startTestReceiver({
      ingress: { listen: '127.0.0.1:0', headersTimeoutMs: 500, requestTimeoutMs: 1000, keepAliveTimeoutMs: 500 },
      integrations: [{ id: 'inv', scheme: 'hmac', hmac: TEST_HMAC_OPTIONS, secrets: [{ id: 's1', value: newSecret('hmac') }] }],
    });
    port = Number(new URL(receiver.engine.ingressUrl).port);
  });
  afterAll(() => receiver.close());

  /** Writes `chunks` and resolves with everything the server sent once it closed the socket. */
  function exchange(write: (socket: Socket) => void): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1');
      let received = '';
      socket.on('data', (chunk) => (received += chunk.toString()));
      socket.on('close', () => resolve(received));
      socket.on('error', reject);
      socket.setTimeout(10_000, () => reject(new Error('the server kept the socket open')));
      write(socket);
    });
  }

  it('closes a connection whose headers never finish (slowloris)', async () => {
    const answer = await exchange((socket) => socket.write('POST /hooks/inv HTTP/1.1\r\nHost: x\r\nX-Slow: '));
    expect(answer === '' || answer.startsWith('HTTP/1.1 408')).toBe(true);
  });

  it('answers 408 to a body that never finishes', async () => {
    const answer = await exchange((socket) => socket.write('POST /hooks/inv HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"a":'));
    expect(answer === '' || /^HTTP\/1\.1 (408|400)/.test(answer)).toBe(true);
  });

  it('logs a body the client cut off as body_incomplete, and stays up', async () => {
    const answer = await exchange((socket) =>
      socket.write('POST /hooks/inv HTTP/1.1\r\nHost: x\r\nX-Cut-Off: yes\r\nContent-Length: 100\r\n\r\n{"a":', () => socket.destroy()),
    );
    expect(answer).toBe('');
    const select = receiver.db().prepare("SELECT reason FROM deliveries WHERE headers LIKE '%x-cut-off%'");
    const deadline = Date.now() + 30_000;
    let row: { reason: string } | undefined;
    while (!(row = select.get() as { reason: string } | undefined) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(row?.reason).toBe('body_incomplete');
    expect((await fetch(`${receiver.engine.ingressUrl}/healthz`)).status).toBe(200);
  });

  it('answers 431 to oversized headers', async () => {
    const answer = await exchange((socket) =>
      socket.write(`POST /hooks/inv HTTP/1.1\r\nHost: x\r\nX-Signature: ${'a'.repeat(20_000)}\r\nContent-Length: 2\r\n\r\n{}`),
    );
    expect(answer).toMatch(/^HTTP\/1\.1 431/);
  });

  it('answers 400 to garbage and stays up', async () => {
    const answer = await exchange((socket) => socket.write('\u0000\u0001 NOT HTTP AT ALL\r\n\r\n'));
    expect(answer).toMatch(/^HTTP\/1\.1 400/);
    expect((await fetch(`${receiver.engine.ingressUrl}/healthz`)).status).toBe(200);
  });
});
