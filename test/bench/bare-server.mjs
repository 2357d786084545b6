// The baseline: a bare node:http server that reads the body and answers 202, as fast as Node goes.
import { createServer } from 'node:http';
import { randomUUID } from 'node:crypto';

const server = createServer((request, response) => {
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', () => {
    const body = `{"status":"accepted","requestId":"${randomUUID()}"}`;
    response.writeHead(202, { 'content-type': 'application/json', 'content-length': body.length });
    response.end(body);
  });
});
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ msg: 'receiver listening', ingress: `http://127.0.0.1:${server.address().port}` })));
process.once('SIGTERM', () => server.close(() => process.exit(0)));
