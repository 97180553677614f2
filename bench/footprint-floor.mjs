// The memory floor for minilb on one Node version: a bare process holding what minilb holds
// open, doing nothing with it: UDP and TCP DNS sockets, the HTTP listener, and minilb's HTTP
// client (undici's Agent with one TLS context, bundle-shims/undici-request.mjs) with one open
// watch per kind minilb watches. Nothing is parsed, indexed or answered.
// Usage: node bench/footprint-floor.mjs DNS_PORT HTTP_PORT API_SERVER CA CERT KEY PATH...
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import { createSecureContext } from 'node:tls';
import { Agent, request } from '../packages/server/scripts/bundle-shims/undici-request.mjs';

const [dnsPort, httpPort, server, ca, cert, key, ...paths] = process.argv.slice(2);
const udp = dgram.createSocket('udp4');
udp.bind(Number(dnsPort), '127.0.0.1');
createTcpServer((socket) => socket.destroy()).listen(Number(dnsPort), '127.0.0.1');
createHttpServer((req, res) => res.end('ok\n')).listen(Number(httpPort), '127.0.0.1');

const secureContext = createSecureContext({ ca: readFileSync(ca), cert: readFileSync(cert), key: readFileSync(key) });
const agent = new Agent({ connect: { secureContext }, keepAliveTimeout: 30_000 });
for (const path of paths) {
  void (async () => {
    const res = await request(`${server}${path}?watch=1&allowWatchBookmarks=true&timeoutSeconds=3600`, { dispatcher: agent });
    for await (const chunk of res.body) void chunk;
  })().catch((err) => process.stderr.write(`watch ${path}: ${err.message}\n`));
}
process.on('SIGTERM', () => process.exit(0));
