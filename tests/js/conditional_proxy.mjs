// A loopback proxy that gives an S3 server without conditional writes (s3rver) AWS's semantics
// for them: a PUT with "If-None-Match: *" fails with 412 PreconditionFailed when the object
// exists; a PUT with "If-Match: <etag>" fails with 412 unless the object exists with that ETag.
// Conditional PUTs of one key are serialised, so check-then-write is atomic, as on S3. Everything
// else is forwarded untouched. s3rver has no ListMultipartUploads either: the proxy remembers the
// uploads created, completed and aborted through it and answers GET /<bucket>?uploads from that,
// and answers AbortMultipartUpload (DELETE ?uploadId, which s3rver refuses with 405) itself.
// With --delay-ms N every request waits N ms before it is handled, like the first byte of a real
// S3 request (bench/s3_bench.sh --latency-ms: how well a client overlaps requests).
// Prints its port on stdout; exits after --max-seconds.
// Usage: node conditional_proxy.mjs --target 127.0.0.1:4568 [--max-seconds 1800] [--delay-ms 0]
import http from 'node:http';

const arg = (name, def) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? process.argv[i + 1] : def; };
const [host, port] = arg('target').split(':');
const queues = new Map();  // key -> promise of the last conditional PUT on it
const uploads = new Map();  // upload id -> "/bucket/key" of every unfinished multipart upload

// The upload bookkeeping of a request that went through with status `status` and response `text`.
function track(req, status, text) {
  const url = new URL(req.url, 'http://x');
  if (status < 200 || status > 299) return;
  if (req.method === 'POST' && url.searchParams.has('uploads')) {
    const id = /<UploadId>([^<]*)<\/UploadId>/.exec(text);
    if (id) uploads.set(id[1], decodeURIComponent(url.pathname));
  } else if ((req.method === 'DELETE' || req.method === 'POST') && url.searchParams.has('uploadId')) {
    uploads.delete(url.searchParams.get('uploadId'));
  }
}

function listUploads(req, res) {
  const url = new URL(req.url, 'http://x');
  const bucket = decodeURIComponent(url.pathname).replace(/^\/|\/$/g, '');
  const prefix = url.searchParams.get('prefix') ?? '';
  const esc = (t) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  let xml = '<?xml version="1.0" encoding="UTF-8"?><ListMultipartUploadsResult><Bucket>' + esc(bucket) + '</Bucket>';
  for (const [id, path] of [...uploads].sort((a, b) => (a[1] < b[1] ? -1 : 1))) {
    const key = path.slice(bucket.length + 2);
    if (path.startsWith(`/${bucket}/`) && key.startsWith(prefix))
      xml += `<Upload><Key>${esc(key)}</Key><UploadId>${esc(id)}</UploadId></Upload>`;
  }
  xml += '<IsTruncated>false</IsTruncated></ListMultipartUploadsResult>';
  res.writeHead(200, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(xml) });
  res.end(xml);
}

function forward(req, body, res) {
  return new Promise((resolve) => {
    const up = http.request({ host, port: +port, method: req.method, path: req.url, headers: req.headers }, (ur) => {
      res.writeHead(ur.statusCode, ur.headers);
      const parts = [];
      ur.on('data', (c) => parts.push(c));
      ur.pipe(res);
      ur.on('end', () => {
        track(req, ur.statusCode, Buffer.concat(parts).toString('utf8'));
        resolve();
      });
    });
    up.on('error', () => { req.socket.destroy(); resolve(); });
    up.end(body);
  });
}

function etagOf(path) {
  return new Promise((resolve) => {
    const head = http.request({ host, port: +port, method: 'HEAD', path }, (r) => {
      r.resume();
      resolve(r.statusCode === 200 ? r.headers.etag : null);
    });
    head.on('error', () => resolve(null));
    head.end();
  });
}

const delayMs = Number(arg('delay-ms', '0'));
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => (delayMs > 0 ? setTimeout(handle, delayMs) : handle()));
  function handle() {
    const body = Buffer.concat(chunks);
    const noneMatch = req.headers['if-none-match'], match = req.headers['if-match'];
    if (req.method === 'GET' && new URL(req.url, 'http://x').searchParams.has('uploads')) {
      listUploads(req, res);
      return;
    }
    const url = new URL(req.url, 'http://x');
    if (req.method === 'DELETE' && url.searchParams.has('uploadId')) {
      const known = uploads.delete(url.searchParams.get('uploadId'));
      res.writeHead(known ? 204 : 404);
      res.end();
      return;
    }
    if (req.method !== 'PUT' || (!noneMatch && !match)) {
      forward(req, body, res);
      return;
    }
    const path = req.url.split('?')[0];
    const previous = queues.get(path) ?? Promise.resolve();
    const next = previous.then(async () => {
      const etag = await etagOf(path);
      const ok = noneMatch === '*' ? etag === null : etag !== null && etag === match;
      if (!ok) {
        const xml = '<?xml version="1.0" encoding="UTF-8"?><Error><Code>PreconditionFailed</Code>'
          + '<Message>At least one of the pre-conditions you specified did not hold</Message></Error>';
        res.writeHead(412, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(xml) });
        res.end(xml);
        return;
      }
      await forward(req, body, res);
    });
    queues.set(path, next);
  }
});
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
setTimeout(() => process.exit(0), 1000 * +arg('max-seconds', 1800));
