// A bare UDP DNS probe (`. IN NS`, the query CoreDNS's health check sends): true when any
// reply comes back. Used to know a DNS server is listening without depending on its answers.
import { createSocket } from 'node:dgram';
import { randomBytes } from 'node:crypto';

export function dnsProbe(port: number, host = '127.0.0.1', timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const id = randomBytes(2);
    // Header: id, flags RD, QDCOUNT 1; question: root name, type NS (2), class IN (1).
    const query = Buffer.concat([id, Buffer.from([0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0x00, 0, 2, 0, 1])]);
    const sock = createSocket('udp4');
    const done = (ok: boolean) => {
      clearTimeout(timer);
      sock.close();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    sock.on('error', () => done(false));
    sock.on('message', (msg) => {
      if (msg.length >= 12 && msg[0] === id[0] && msg[1] === id[1]) done(true);
    });
    sock.send(query, port, host);
  });
}
