// Starts minilb's DNS service on one -listen address, UDP and TCP on the same port, wiring the
// index, the response cache, the optional upstream relay and both front ends together.

import dgram from 'node:dgram';
import net, { type AddressInfo } from 'node:net';
import type { NameIndex } from '../index/name-lookup.js';
import type { Logger } from '../log.js';
import type { HostPort, UpstreamAddress } from '../config/host-port.js';
import { CnameTargetResolver, systemLookup, upstreamLookup } from './cname-target-resolver.js';
import { createQueryHandler } from './query-handler.js';
import { Responder } from './responder.js';
import { TcpFrontEnd, tcpDefaults } from './tcp-front-end.js';
import { literalLookup, UdpFrontEnd } from './udp-front-end.js';
import { UpstreamRelay } from './upstream-relay.js';
import { ResponseRateLimiter, type RateLimitOptions } from './response-rate-limiter.js';
import type { NetworkList } from '../config/network-list.js';
import type { SoaTimers } from './zone-authority.js';
import type { TransferService } from '../transfer/transfer-service.js';

export interface DnsServerOptions {
  listen: HostPort; // host undefined: every address (IPv4 and IPv6); port 0 picks one
  index: NameIndex;
  log: Logger;
  ttl?: number; // whole seconds, for every answer record (default 5); -ttl checks the range
  negativeTtl?: number; // whole seconds, the SOA's own TTL and MINIMUM (default: ttl)
  upstream?: readonly UpstreamAddress[]; // servers for names the index does not know
  upstreamTimeoutMs?: number; // after this the client gets SERVFAIL (default 2000)
  nameServerAddresses?: readonly string[]; // the A/AAAA of ns.<zone> (-ns-address)
  // Who looks up out-of-zone CNAME targets for recursive queries (-cname-resolver; default off
  // here, main picks); `systemServers` replaces /etc/resolv.conf's servers (tests).
  cnameResolver?: 'upstream' | 'system' | 'off';
  cnameResolverServers?: string[];
  cnameTimeoutMs?: number; // default 1000: a client's resolver usually gives up after about 2 s
  tcpIdleTimeoutMs?: number; // default 10000
  maxTcpConnections?: number; // default 1024; at the cap the oldest idle connection makes room
  maxTcpConnectionsPerClient?: number; // default 32
  tcpFrameTimeoutMs?: number; // a started message must be complete within this (default 1000)
  responseCacheEntries?: number; // default 10000
  // UDP response rate limiting (-rrl-*); none when unset.
  rateLimit?: RateLimitOptions;
  // Clients whose other names are relayed to the upstream (-upstream-allow); default everyone.
  upstreamAllow?: NetworkList;
  soaTimers?: SoaTimers;
  transfers?: TransferService; // answers AXFR/IXFR (else they are REFUSED)
}

export interface DnsServer {
  readonly port: number; // the bound port, the same for UDP and TCP
  readonly udpAddress: AddressInfo;
  readonly tcpAddress: AddressInfo;
  // Stops taking queries, lets the answers in flight go out (relays included), then resolves.
  close(): Promise<void>;
}

export async function startDnsServer(options: DnsServerOptions): Promise<DnsServer> {
  const { log } = options;
  const { listen } = options;
  const ttl = options.ttl ?? 5;
  const negativeTtl = options.negativeTtl ?? ttl;
  const relay =
    options.upstream && options.upstream.length > 0
      ? new UpstreamRelay({ upstreams: options.upstream, timeoutMs: options.upstreamTimeoutMs ?? 2000, log })
      : undefined;
  const cnameMode = options.cnameResolver ?? 'off';
  if (cnameMode === 'upstream' && !relay) throw new Error('DNS server option cnameResolver: "upstream" needs an upstream');
  const cnameTargets =
    cnameMode === 'off'
      ? undefined
      : new CnameTargetResolver({
          lookup: cnameMode === 'upstream' ? upstreamLookup(relay!) : systemLookup(options.cnameResolverServers),
          timeoutMs: options.cnameTimeoutMs ?? 1000,
        });
  const responder = new Responder({
    cnameTargets,
    index: options.index,
    ttl,
    negativeTtl,
    relayAvailable: relay !== undefined,
    cacheEntries: options.responseCacheEntries ?? 10_000,
    nameServerAddresses: options.nameServerAddresses,
    soaTimers: options.soaTimers,
    transfers: options.transfers !== undefined,
    reportUnwritable: (name, detail) => log.warn({ name, detail }, 'DNS record left out of an answer: it cannot be encoded'),
  });
  const handle = createQueryHandler(responder, relay, log, {
    rateLimiter: options.rateLimit ? new ResponseRateLimiter(options.rateLimit) : undefined,
    relayAllow: options.upstreamAllow,
    transfers: options.transfers,
  });

  const { tcpServer, udpSocket } = await bindBoth(listen.host, listen.port);
  const tcp = new TcpFrontEnd(
    tcpServer,
    handle,
    {
      idleTimeoutMs: options.tcpIdleTimeoutMs ?? tcpDefaults.idleTimeoutMs,
      maxConnections: options.maxTcpConnections ?? tcpDefaults.maxConnections,
      maxConnectionsPerClient: options.maxTcpConnectionsPerClient,
      frameTimeoutMs: options.tcpFrameTimeoutMs,
    },
    log,
  );
  tcpServer.on('error', (error) => log.error({ err: error.message }, 'DNS TCP listener error'));
  const udp = new UdpFrontEnd(udpSocket, handle, log);
  const tcpAddress = tcpServer.address() as AddressInfo;
  const udpAddress = udpSocket.address();
  log.info({ udp: `${udpAddress.address}:${udpAddress.port}`, tcp: `${tcpAddress.address}:${tcpAddress.port}`, zone: options.index.zone }, 'DNS server listening');

  let closed: Promise<void> | undefined;
  return {
    port: tcpAddress.port,
    udpAddress,
    tcpAddress,
    close: () =>
      (closed ??= (async () => {
        const listenerClosed = new Promise<void>((resolve) => tcpServer.close(() => resolve()));
        await Promise.all([udp.close(), tcp.close(), listenerClosed]);
        await relay?.close();
      })()),
  };
}

// Port 0 must give UDP and TCP the same port: take TCP's ephemeral port, then try it for UDP,
// and start over in the rare case another process holds it for UDP.
async function bindBoth(host: string | undefined, port: number): Promise<{ tcpServer: net.Server; udpSocket: dgram.Socket }> {
  for (let attempt = 0; ; attempt++) {
    const tcpServer = await listenTcp(host, port);
    const boundPort = (tcpServer.address() as AddressInfo).port;
    try {
      const udpSocket = await bindUdp(host, boundPort);
      return { tcpServer, udpSocket };
    } catch (error) {
      await new Promise<void>((resolve) => tcpServer.close(() => resolve()));
      if (port !== 0 || attempt >= 9 || (error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw listenError('UDP', host, port, error);
    }
  }
}

// Errors that mean "no IPv6 on this host": then every address is every IPv4 address.
const noIpv6 = new Set(['EAFNOSUPPORT', 'EADDRNOTAVAIL', 'EPROTONOSUPPORT']);

async function listenTcp(host: string | undefined, port: number): Promise<net.Server> {
  const attempt = (address: string, ipv6Only: boolean): Promise<net.Server> =>
    new Promise((resolve, reject) => {
      // allowHalfOpen: a client's FIN after its last query must not cut off the answers.
      const server = net.createServer({ allowHalfOpen: true });
      server.once('error', reject);
      server.listen({ host: address, port, ipv6Only }, () => {
        server.off('error', reject);
        resolve(server);
      });
    });
  try {
    return await attempt(host ?? '::', false);
  } catch (error) {
    if (host === undefined && noIpv6.has((error as NodeJS.ErrnoException).code ?? '')) {
      try {
        return await attempt('0.0.0.0', false);
      } catch (fallbackError) {
        throw listenError('TCP', '0.0.0.0', port, fallbackError);
      }
    }
    throw listenError('TCP', host, port, error);
  }
}

async function bindUdp(host: string | undefined, port: number): Promise<dgram.Socket> {
  const attempt = (type: 'udp4' | 'udp6', address: string): Promise<dgram.Socket> =>
    new Promise((resolve, reject) => {
      const socket = dgram.createSocket({ type, ipv6Only: false, lookup: literalLookup });
      socket.once('error', reject);
      socket.bind({ port, address, exclusive: true }, () => {
        socket.off('error', reject);
        try {
          // A burst, or a flood past what the thread can answer, queues in the kernel rather than
          // drops a legitimate query (the kernel caps this at rmem_max). A 256 KiB buffer cut the
          // bench's p99 under attack (9-18 ms against 26-81) but dropped legitimate queries under
          // the flood test's 10,000 queries: waiting beats losing.
          socket.setRecvBufferSize(4 * 1024 * 1024);
        } catch {
          // Not fatal: the default buffer still works, only smaller.
        }
        resolve(socket);
      });
    });
  if (host !== undefined) return attempt(net.isIPv6(host) ? 'udp6' : 'udp4', host);
  try {
    return await attempt('udp6', '::');
  } catch (error) {
    if (!noIpv6.has((error as NodeJS.ErrnoException).code ?? '')) throw error;
    return attempt('udp4', '0.0.0.0');
  }
}

function listenError(transport: string, host: string | undefined, port: number, error: unknown): Error {
  const where = host === undefined ? `:${port}` : net.isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
  const code = (error as NodeJS.ErrnoException).code;
  const hint =
    code === 'EACCES' ? ' (ports below 1024 need root, CAP_NET_BIND_SERVICE, or the pod sysctl net.ipv4.ip_unprivileged_port_start at or below the port, as examples/deploy sets)' : code === 'EADDRINUSE' ? ' (another process holds it)' : '';
  return new Error(`-listen: cannot listen for DNS over ${transport} on ${where}: ${(error as Error).message}${hint}`, { cause: error });
}
