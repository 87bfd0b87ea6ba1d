// A loopback "S3 endpoint" that answers 200 and then sends its body two bytes a second, the way a
// stalled proxy or a dying server does. --trickle list: every request trickles (ListObjectsV2
// included); --trickle get: listings answer at once with one object, GETs of it trickle. Bounded:
// exits after --max-seconds. Prints its port on stdout.
// Usage: node trickle_server.mjs --trickle list|get [--max-seconds 60]
import http from 'node:http';

const arg = (name, def) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? process.argv[i + 1] : def; };
const mode = arg('trickle', 'get');
const listing = '<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>lake</Name><KeyCount>1</KeyCount>'
  + '<IsTruncated>false</IsTruncated><Contents><Key>slow/song_data/a.json</Key><Size>100000</Size></Contents></ListBucketResult>';
const server = http.createServer((req, res) => {
  if (mode === 'get' && req.url.includes('list-type=2')) {
    const prefix = new URL(req.url, 'http://x').searchParams.get('prefix') ?? '';
    const body = 'slow/song_data/a.json'.startsWith(prefix) ? listing : listing.replace(/<Contents>.*<\/Contents>/, '').replace('<KeyCount>1', '<KeyCount>0');
    res.writeHead(200, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) });
    res.end(body);
    return;
  }
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': 100000 });
  const timer = setInterval(() => res.write('{"'), 1000);
  res.on('close', () => clearInterval(timer));
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
setTimeout(() => process.exit(0), 1000 * +arg('max-seconds', 60));
