// The floor for any DNS server on Node's dgram: every query answered with its own bytes, QR
// set and no records, nothing parsed, nothing looked up. Its QPS is what Node's per-datagram
// receive and send cost leaves; minilb's distance to it is minilb's own work.
// Usage: node bench/dgram-floor.mjs PORT
import dgram from 'node:dgram';

const port = Number(process.argv[2]);
// The cheapest send Node's dgram has, as minilb's UDP front end sends: an address lookup that
// answers the sender's IP literal at once (dns.lookup answers it a tick later) and no callback.
const socket = dgram.createSocket({ type: 'udp4', lookup: (address, family, callback) => callback(null, address, 4) });
socket.on('message', (query, from) => {
  if (query.length < 12) return;
  const reply = Buffer.from(query);
  reply[2] = (reply[2] ?? 0) | 0x80; // QR
  reply[3] = 0; // NOERROR, RA off
  socket.send(reply, from.port, from.address);
});
socket.bind(port, '127.0.0.1', () => {
  // The receive buffer minilb asks for: with the default, bursts overflow it, and every lost
  // query holds one of dnsperf's outstanding slots for its whole timeout.
  socket.setRecvBufferSize(4 * 1024 * 1024);
  process.stdout.write(`listening on ${port}\n`);
});
process.on('SIGTERM', () => socket.close(() => process.exit(0)));
