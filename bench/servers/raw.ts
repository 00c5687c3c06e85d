import { createServer } from 'node:http';
import { HOST, announceReady } from '../shared';

// The ceiling: node:http answering every request with the body Tollgate gives for `me`.
const body = Buffer.from(process.env.BENCH_BODY ?? '{"data":{"me":null}}');
const server = createServer((request, response) => {
  request.resume();
  request.on('end', () => {
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
    response.end(body);
  });
});
server.listen(0, HOST, () => {
  const address = server.address();
  announceReady({ port: typeof address === 'object' && address ? address.port : 0 });
});
