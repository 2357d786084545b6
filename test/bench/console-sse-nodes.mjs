// Stand-ins for three receiver nodes' `GET /admin/v1/stream` at a fixed total rate: no receiver on a
// 2-core machine logs 10,000 deliveries a second, and the console's merge is what is measured here.
// Speaks the node's event format (id = seq, event: delivery, data: a delivery summary).
import { createServer } from 'node:http';

const rate = Number(process.argv[2] ?? 10_000);
const nodes = Number(process.argv[3] ?? 3);
const perTick = Math.max(1, Math.round(rate / nodes / 100));
const ports = [];
for (let n = 0; n < nodes; n++) {
  let seq = 0;
  const server = createServer((request, response) => {
    if (!request.url?.startsWith('/admin/v1/stream')) return response.writeHead(404).end();
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
    const timer = setInterval(() => {
      let frame = '';
      for (let i = 0; i < perTick; i++) {
        seq++;
        const delivery = {
          seq, requestId: `n${n}-${seq}`, nodeId: `node-${n + 1}`, integrationId: 'bench', receivedAt: new Date().toISOString(), sourceIp: '127.0.0.1',
          method: 'POST', path: '/hooks/bench', status: seq % 10 === 0 ? 401 : 202, outcome: seq % 10 === 0 ? 'rejected' : 'accepted',
          reason: seq % 10 === 0 ? 'signature_invalid' : null, diagnosis: null, secretId: 's1', deliveryId: `evt_${n}_${seq}`, bodySize: 900, skewMs: 12, latencyUs: 300,
        };
        frame += `id: ${seq}\nevent: delivery\ndata: ${JSON.stringify(delivery)}\n\n`;
      }
      response.write(frame);
    }, 10);
    request.on('close', () => clearInterval(timer));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  ports.push(server.address().port);
}
process.stdout.write(`${JSON.stringify({ ports })}\n`);
