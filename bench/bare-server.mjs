// The wire limit: node:http answering every request with bytes computed in advance (read from
// stdin), after reading the request body as any server must. Usage: node bare-server.mjs PORT
import http from 'node:http';

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const body = Buffer.concat(chunks);

http
  .createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length });
      res.end(body);
    });
  })
  .listen(Number(process.argv[2]), () => console.log('ready'));
process.once('SIGTERM', () => process.exit(0));
