import type { Socket } from 'node:net';
import { spawnConsole, type ConsoleProcess } from '../../helpers/console-process.js';
import { DeliveryLedger } from '../harness/delivery-ledger.js';
import { newStripeSecret, stripeDeliveries, stripeIntegration } from '../harness/outgoing.js';
import { rawExchange, type RawAnswer } from '../harness/raw-http.js';
import { ReceiverNode, stopAll } from '../harness/receiver-node.js';
import type { ReliabilityRow } from '../harness/reliability-row.js';
import { sendWithRetries } from '../harness/retrying-sender.js';
import { settledRow } from '../harness/settled-row.js';

const SLOW_CLIENTS = 300;
const ENDLESS_BODY_CAP = 32 * 1024 * 1024;
const HUGE_BODY = 100 * 1024 * 1024;
/** Longer than every ingress timeout configured below: a socket still open then is one the server holds on to. */
const HELD_AFTER_MS = 20_000;
const CHUNK = Buffer.alloc(64 * 1024, 'a');

/** A request with a second one hidden in its body: two answers mean the server read the body as a request. */
const HIDDEN = 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n';
const SMUGGLING: Record<string, string> = {
  'Content-Length with Transfer-Encoding': `POST /hooks/pay HTTP/1.1\r\nHost: x\r\nContent-Length: ${5 + HIDDEN.length}\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n${HIDDEN}`,
  'two different Content-Lengths': `POST /hooks/pay HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nContent-Length: ${HIDDEN.length}\r\n\r\n${HIDDEN}`,
  'two Transfer-Encodings': `POST /hooks/pay HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n0\r\n\r\n${HIDDEN}`,
  'space before the colon of Transfer-Encoding': `POST /hooks/pay HTTP/1.1\r\nHost: x\r\nContent-Length: ${HIDDEN.length}\r\nTransfer-Encoding : chunked\r\n\r\n${HIDDEN}`,
};
const MALFORMED_PATHS = ['/%E0%A4%A', '/hooks/%E0%A4%A', '/hooks/pay?%E0%A4%A=%', '/%', '//hooks/pay', '/hooks/pay/../../etc/passwd', '/hooks/%00pay', 'http://evil.example/hooks/pay', '*'];

/**
 * What a hostile client can send a receiver, over raw sockets, while a legitimate sender keeps
 * delivering: slow headers, a body that never ends, a declared 100 MB body, 64 KB of headers,
 * request-smuggling shapes, malformed URLs; and malformed URLs to the console's browser mode.
 * Each must be refused (or cut) and none may end a process.
 */
export async function hostileHttp(): Promise<ReliabilityRow> {
  const secret = newStripeSecret();
  const node = new ReceiverNode({
    node: { id: 'hostile' },
    ingress: { listen: '127.0.0.1:0', headersTimeoutMs: 2_000, requestTimeoutMs: 5_000, keepAliveTimeoutMs: 1_000 },
    storage: { path: './data', sync: 'normal' },
    integrations: [stripeIntegration('pay', secret)],
  });
  let consoleProcess: ConsoleProcess | undefined;
  const violations: string[] = [];
  const answers: string[] = [];
  let hostile = 0;
  let refused = 0;
  const expectRefusal = (what: string, answer: RawAnswer, allowed: (status: number) => boolean): void => {
    hostile++;
    answers.push(`${what}: ${answer.status || (answer.closedByServer ? 'closed' : 'held')}`);
    if (answer.status >= 400 || (answer.status === 0 && answer.closedByServer)) refused++;
    if (!answer.closedByServer && answer.status === 0) violations.push(`${what}: the server still held the socket after ${HELD_AFTER_MS / 1000} s`);
    else if (!allowed(answer.status)) violations.push(`${what}: answered ${answer.status || 'nothing'}`);
  };
  try {
    await node.start();
    consoleProcess = await spawnConsole();
    const port = Number(new URL(node.ingressUrl).port);
    const ledger = new DeliveryLedger();
    const legitimate = await stripeDeliveries(secret, 200);
    const legitimately = (from: number, to: number): Promise<void> =>
      sendWithRetries(ledger, legitimate.slice(from, to), { target: () => `${node.ingressUrl}/hooks/pay`, concurrency: 4, maxAttempts: 50, deadline: Date.now() + 60_000 });

    // Slow headers from many sockets at once, while the legitimate sender delivers.
    const slow = Array.from({ length: SLOW_CLIENTS }, () =>
      rawExchange(port, (socket) => trickle(socket, 'POST /hooks/pay HTTP/1.1\r\nHost: x\r\nX-Slow: '), HELD_AFTER_MS),
    );
    await legitimately(0, 100);
    const slowAnswers = await Promise.all(slow);
    const held = slowAnswers.filter((answer) => !answer.closedByServer).length;
    hostile += SLOW_CLIENTS;
    refused += SLOW_CLIENTS - held;
    answers.push(`slowloris ×${SLOW_CLIENTS}: ${held} held`);
    if (held > 0) violations.push(`slowloris: ${held} of ${SLOW_CLIENTS} sockets still open after ${HELD_AFTER_MS / 1000} s`);

    let endlessSent = 0;
    const endless = await rawExchange(
      port,
      (socket) => pump(socket, 'POST /hooks/pay HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n', ENDLESS_BODY_CAP, true, (bytes) => (endlessSent = bytes)),
      HELD_AFTER_MS,
    );
    expectRefusal('endless chunked body', endless, (status) => status === 413 || status === 408 || status === 0);
    if (endlessSent >= ENDLESS_BODY_CAP) violations.push(`endless body: the server read all ${ENDLESS_BODY_CAP / 1024 / 1024} MiB without cutting it`);

    let hugeSent = 0;
    const huge = await rawExchange(
      port,
      (socket) => pump(socket, `POST /hooks/pay HTTP/1.1\r\nHost: x\r\nContent-Length: ${HUGE_BODY}\r\n\r\n`, HUGE_BODY, false, (bytes) => (hugeSent = bytes)),
      HELD_AFTER_MS,
    );
    // A server that refuses and closes while the client still writes may reset the socket before the 413 is read.
    expectRefusal('100 MB body', huge, (status) => status === 413 || status === 0);
    if (hugeSent >= HUGE_BODY) violations.push('100 MB body: the server read all of it before refusing');

    const bigHeaders = await rawExchange(port, (socket) => socket.end(`POST /hooks/pay HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\nContent-Length: 2\r\n\r\n{}`), HELD_AFTER_MS);
    expectRefusal('64 KB of headers', bigHeaders, (status) => status === 431 || status === 400);

    for (const [shape, request] of Object.entries(SMUGGLING)) {
      const answer = await rawExchange(port, (socket) => socket.end(request), HELD_AFTER_MS);
      expectRefusal(`smuggling: ${shape}`, answer, (status) => status === 400);
      if ((answer.text.match(/HTTP\/1\.1 \d{3}/g) ?? []).length > 1) violations.push(`smuggling: ${shape}: the hidden request was answered`);
    }
    for (const path of MALFORMED_PATHS) {
      for (const method of ['GET', 'POST']) {
        const answer = await rawExchange(port, (socket) => socket.end(`${method} ${path} HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`), HELD_AFTER_MS);
        expectRefusal(`receiver ${method} ${path}`, answer, (status) => status >= 400 && status < 500);
      }
    }

    const consolePort = Number(new URL(consoleProcess.origin).port);
    for (const [method, path] of [['GET', '/%E0%A4%A'], ['POST', '/rpc/%E0%A4%A'], ['GET', '/%'], ['POST', '/rpc/%FF'], ['GET', '/events%E0']] as const) {
      const answer = await rawExchange(
        consolePort,
        (socket) => socket.end(`${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1:${consolePort}\r\nX-Hookwarden-Token: ${consoleProcess!.token}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`),
        HELD_AFTER_MS,
      );
      expectRefusal(`console ${method} ${path}`, answer, (status) => status === 400 || status === 404);
    }

    await legitimately(100, 200);
    if (!node.running) violations.push(`the receiver process ended: ${node.output().slice(-300)}`);
    if (!consoleProcess.running()) violations.push(`the console process ended: ${consoleProcess.output().split('\n').find((line) => /Error/.test(line)) ?? ''}`);
    const row = await settledRow({
      name: 'hostile HTTP against receiver and console',
      ledger,
      nodes: [node],
      integration: 'pay',
      violations,
      note: `${hostile} hostile requests (slowloris, endless and 100 MB bodies, 64 KB headers, 4 smuggling shapes, malformed URLs), ${refused} refused or cut; endless body cut after ${(endlessSent / 1024 / 1024).toFixed(1)} MiB, 100 MB body after ${(hugeSent / 1024 / 1024).toFixed(1)} MiB`,
    });
    return { ...row, sent: row.sent + hostile, rejected: row.rejected + refused };
  } finally {
    await consoleProcess?.stop();
    await stopAll([node]);
  }
}

/** Headers that never finish: a byte every half second until the server gives up on them. */
function trickle(socket: Socket, start: string): void {
  socket.write(start);
  const timer = setInterval(() => (socket.writable ? socket.write('a') : clearInterval(timer)), 500);
  socket.once('close', () => clearInterval(timer));
}

/** Writes `head`, then body chunks as fast as the server reads them, until `total` bytes or the server closes. */
function pump(socket: Socket, head: string, total: number, chunked: boolean, progress: (bytes: number) => void): void {
  let written = 0;
  const frame = chunked ? Buffer.concat([Buffer.from(`${CHUNK.length.toString(16)}\r\n`), CHUNK, Buffer.from('\r\n')]) : CHUNK;
  socket.write(head);
  const more = (): void => {
    while (written < total && socket.writable) {
      written += CHUNK.length;
      progress(written);
      if (!socket.write(frame)) return void socket.once('drain', more);
    }
  };
  more();
}
