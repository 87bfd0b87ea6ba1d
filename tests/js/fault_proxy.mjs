// A loopback HTTP proxy in front of an S3 server that misbehaves on purpose, for retry tests:
// a share of requests gets 503 SlowDown, a share has its connection dropped, a share is delayed.
// Deterministic for a seed; bounded: exits after --max-seconds. Prints its port on stdout, and on
// SIGTERM its own counts on stderr as JSON: requests received, faults of each kind, and the body
// bytes of every exchange that completed (bytes_out: request bodies, bytes_in: response bodies),
// which the client's own figures must equal.
// Usage: node fault_proxy.mjs --target 127.0.0.1:4568 [--slowdown 0.1] [--drop 0.05] [--delay 0.1] [--seed 1]
import http from 'node:http';

const arg = (name, def) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? process.argv[i + 1] : def; };
const [targetHost, targetPort] = arg('target').split(':');
const p = { slowdown: +arg('slowdown', 0.1), drop: +arg('drop', 0.05), delay: +arg('delay', 0.1) };
let seed = +arg('seed', 1);
const rand = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
const counts = { requests: 0, slowdown: 0, drop: 0, delay: 0, bytes_in: 0, bytes_out: 0 };

const server = http.createServer((req, res) => {
  counts.requests++;
  const r = rand();
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    if (r < p.slowdown) {
      counts.slowdown++;
      const body = '<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>';
      counts.bytes_out += Buffer.concat(chunks).length;
      counts.bytes_in += Buffer.byteLength(body);
      res.writeHead(503, { 'content-type': 'application/xml' });
      res.end(body);
      return;
    }
    if (r < p.slowdown + p.drop) {
      counts.drop++;
      req.socket.destroy();
      return;
    }
    const forward = () => {
      const up = http.request({ host: targetHost, port: +targetPort, method: req.method, path: req.url, headers: req.headers }, (ur) => {
        res.writeHead(ur.statusCode, ur.headers);
        let n = 0;
        ur.on('data', (c) => { n += c.length; });
        ur.on('end', () => { counts.bytes_in += n; counts.bytes_out += Buffer.concat(chunks).length; });
        ur.pipe(res);
      });
      up.on('error', () => req.socket.destroy());
      up.end(Buffer.concat(chunks));
    };
    if (r < p.slowdown + p.drop + p.delay) {
      counts.delay++;
      setTimeout(forward, 300);
    } else {
      forward();
    }
  });
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
const stop = () => { console.error(JSON.stringify(counts)); process.exit(0); };
process.on('SIGTERM', stop);
setTimeout(stop, 1000 * +arg('max-seconds', 600));
