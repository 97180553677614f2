// Free loopback ports. A port is free when both TCP and UDP can bind it (DNS servers take
// both), and a port is never handed out twice within one test process.
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';

const handedOut = new Set<number>();

function bindTcp(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(undefined));
    srv.listen({ host: '127.0.0.1', port, exclusive: true }, () => {
      const addr = srv.address();
      const got = typeof addr === 'object' && addr ? addr.port : undefined;
      srv.close(() => resolve(got));
    });
  });
}

function bindUdp(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = createSocket('udp4');
    sock.once('error', () => {
      sock.close();
      resolve(false);
    });
    sock.bind({ address: '127.0.0.1', port, exclusive: true }, () => sock.close(() => resolve(true)));
  });
}

/** A loopback port that is free for TCP and UDP right now. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await bindTcp(0);
    if (port === undefined || handedOut.has(port)) continue;
    if (!(await bindUdp(port))) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error('could not find a free loopback port after 50 attempts');
}

export async function freePorts(n: number): Promise<number[]> {
  const ports: number[] = [];
  for (let i = 0; i < n; i++) ports.push(await freePort());
  return ports;
}
