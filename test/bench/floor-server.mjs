// The floor: the least a verifying receiver with the same durability does, on the same node:http and SQLite, with none
// of the product around it. It checks a Standard Webhooks signature and timestamp, remembers ids in a Map, and appends
// one row per delivery (request id, time, headers, body) in a WAL database with synchronous=FULL, each event-loop
// turn's deliveries in one transaction on a worker thread, answering 202 once that committed. No capture sealing or
// compression, replay log, indexes but the time's, statistics, rate limits, metrics or outbox. What the receiver
// reaches against it says what the product's work costs; what it reaches against the bare server, what this machine allows.
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const TOLERANCE_SECONDS = 300;
const MAX_BATCH = 256;

if (isMainThread) serve();
else write();

function serve() {
  const key = Buffer.from(process.env.FLOOR_SECRET.replace(/^whsec_/, ''), 'base64');
  const writer = new Worker(new URL(import.meta.url), { workerData: { file: process.env.FLOOR_DATABASE } });
  const seen = new Map();
  const queue = [];
  let inFlight;
  let scheduled = false;
  const commit = () => {
    if (inFlight || queue.length === 0) return;
    inFlight = queue.splice(0, MAX_BATCH);
    writer.postMessage(inFlight.flatMap((delivery) => [delivery.requestId, delivery.receivedAt, delivery.headers, delivery.body]));
  };
  writer.on('message', () => {
    for (const delivery of inFlight) delivery.answer(202, `{"status":"accepted","requestId":"${delivery.requestId}"}`);
    inFlight = undefined;
    commit();
  });
  const server = createServer((request, response) => {
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => {
      const answer = (status, text) => {
        response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
        response.end(text);
      };
      const body = Buffer.concat(chunks);
      const { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': signatures } = request.headers;
      if (!id || !timestamp || !signatures) return answer(400, '{"status":"rejected"}');
      if (Math.abs(Date.now() / 1000 - Number(timestamp)) > TOLERANCE_SECONDS) return answer(401, '{"status":"rejected"}');
      const expected = createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest();
      const matches = signatures.split(' ').some((entry) => {
        const [version, signature = ''] = entry.split(',');
        const given = Buffer.from(signature, 'base64');
        return version === 'v1' && given.length === expected.length && timingSafeEqual(given, expected);
      });
      if (!matches) return answer(401, '{"status":"rejected"}');
      if (seen.has(id)) return answer(200, '{"status":"duplicate"}');
      seen.set(id, true);
      queue.push({ requestId: randomUUID(), receivedAt: Date.now(), headers: JSON.stringify(request.headers), body, answer });
      if (!scheduled) {
        scheduled = true;
        setImmediate(() => {
          scheduled = false;
          commit();
        });
      }
    });
  });
  server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ msg: 'receiver listening', ingress: `http://127.0.0.1:${server.address().port}` })));
  process.once('SIGTERM', () => server.close(() => writer.terminate().then(() => process.exit(0))));
}

function write() {
  const db = new Database(workerData.file);
  db.pragma('page_size = 2048');
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('CREATE TABLE IF NOT EXISTS deliveries (seq INTEGER PRIMARY KEY, request_id TEXT NOT NULL, received_at INTEGER NOT NULL, headers TEXT NOT NULL, body BLOB NOT NULL)');
  db.exec('CREATE INDEX IF NOT EXISTS deliveries_by_time ON deliveries (received_at)');
  const insert = db.prepare('INSERT INTO deliveries (request_id, received_at, headers, body) VALUES (?, ?, ?, ?)');
  const append = db.transaction((values) => {
    for (let index = 0; index < values.length; index += 4) insert.run(values[index], values[index + 1], values[index + 2], values[index + 3]);
  });
  parentPort.on('message', (values) => {
    append(values);
    parentPort.postMessage(null);
  });
}
