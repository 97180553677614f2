// minilb's HTTP listeners. On -health the probes' endpoints: /healthz and /metrics. On
// -explain (loopback by default: it names pods, nodes and endpoints) the API: /v1/explain?name=
// for "why does this name resolve like that" and /v1/endpoint-health for the endpoints health
// checks or drained nodes keep out of answers. HTTP work is bounded so it can never starve DNS:
// few requests at a time (the rest get a quick 503), small headers, no bodies, short timeouts,
// a cap on connections, and /metrics rendered at most twice a second.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HostPort } from '../config/host-port.js';
import type { RecordIndex } from '../index/record-index.js';
import type { Logger } from '../log.js';
import { httpRejected, registry } from '../metrics.js';
import { parseRequestTarget } from './request-target.js';

export type HttpEndpoints = 'probes' | 'api' | 'all';

export interface HttpLimits {
  maxInFlight: number; // requests being answered at once; past it, 503 at once
  maxConnections: number; // open sockets; past it, new ones are closed on accept
  maxHeaderBytes: number;
  headersTimeoutMs: number; // the whole request head must arrive within this
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
  metricsCacheMs: number; // /metrics text is reused for this long
}

export const httpDefaults: HttpLimits = {
  maxInFlight: 16,
  maxConnections: 256,
  maxHeaderBytes: 8 * 1024,
  headersTimeoutMs: 5_000,
  requestTimeoutMs: 10_000,
  keepAliveTimeoutMs: 5_000,
  metricsCacheMs: 500,
};

export interface HttpServerOptions {
  listen: HostPort;
  index: RecordIndex;
  healthy: () => { ok: boolean; detail: string };
  log: Logger;
  serves?: HttpEndpoints; // default 'all'
  limits?: Partial<HttpLimits>;
}

type Send = (status: number, type: string, body: string) => void;

export async function startHttpServer(options: HttpServerOptions): Promise<{ server: Server; port: number; close: () => Promise<void> }> {
  const limits = { ...httpDefaults, ...options.limits };
  const serves = options.serves ?? 'all';
  const metricsText = cachedMetrics(limits.metricsCacheMs);
  let inFlight = 0;

  const server = createServer({ maxHeaderSize: limits.maxHeaderBytes, requestTimeout: limits.requestTimeoutMs, headersTimeout: limits.headersTimeoutMs }, (req, res) => {
    const send = responder(res);
    if (inFlight >= limits.maxInFlight) {
      httpRejected.labels('busy').inc();
      res.setHeader('connection', 'close');
      res.setHeader('retry-after', '1');
      return send(503, 'text/plain', 'busy: too many HTTP requests at once\n');
    }
    if (hasBody(req)) {
      httpRejected.labels('body').inc();
      res.setHeader('connection', 'close');
      return send(413, 'text/plain', 'no request bodies here\n');
    }
    inFlight++;
    res.once('close', () => inFlight--);
    try {
      route(req.method, req.url, send);
    } catch (err) {
      // A bug behind one request answers 500; it must never reach the process and take DNS down.
      options.log.error({ err, method: req.method, url: req.url?.slice(0, 200) }, 'HTTP request handling failed');
      send(500, 'text/plain', 'internal error\n');
    }
  });

  const probes = serves !== 'api';
  const api = serves !== 'probes';
  const route = (method: string | undefined, target: string | undefined, send: Send): void => {
    const url = parseRequestTarget(target);
    if (method !== 'GET' && method !== 'HEAD') return send(405, 'text/plain', 'only GET\n');
    switch (url.path) {
      case '/healthz': {
        if (!probes) break;
        const { ok, detail } = options.healthy();
        return send(ok ? 200 : 503, 'text/plain', `${detail}\n`);
      }
      case '/metrics':
        if (!probes) break;
        metricsText()
          .then((text) => send(200, registry.contentType, text))
          .catch((err: Error) => send(500, 'text/plain', `${err.message}\n`));
        return;
      case '/v1/explain': {
        if (!api) break;
        const name = url.query.get('name');
        if (!name) return send(400, 'application/json', JSON.stringify({ error: 'missing ?name=<hostname>' }));
        return send(200, 'application/json', JSON.stringify(options.index.explain(name), null, 2));
      }
      case '/v1/endpoint-health':
        if (!api) break;
        return send(200, 'application/json', JSON.stringify(options.index.healthReport(), null, 2));
    }
    if (!api && url.path.startsWith('/v1/')) {
      return send(404, 'text/plain', 'not here: /v1/ is on the -explain listener (127.0.0.1:8082 by default; kubectl port-forward to it)\n');
    }
    return send(404, 'text/plain', `not found: try ${[probes && '/healthz, /metrics', api && '/v1/explain?name=, /v1/endpoint-health'].filter(Boolean).join(', ')}\n`);
  };

  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  server.maxConnections = limits.maxConnections;
  server.maxRequestsPerSocket = 100;
  server.on('clientError', (err, socket) => {
    // Oversized or malformed heads, and timeouts: a short answer when the socket still takes one.
    httpRejected.labels('bad_request').inc();
    if (socket.writable && !(err as NodeJS.ErrnoException).code?.startsWith('ECONNRESET')) {
      const status = (err as NodeJS.ErrnoException).code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
      socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
    }
    socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: options.listen.port, host: options.listen.host ?? '::', ipv6Only: false }, () => resolve());
  });
  server.on('error', (err) => options.log.error({ err: err.message }, 'http server error'));
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}

function responder(res: ServerResponse): Send {
  return (status, type, body) => {
    if (res.headersSent || res.destroyed) return;
    res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
    res.end(body);
  };
}

function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
}

// Rendering every family costs milliseconds; a scrape storm gets the same text for a moment,
// and concurrent scrapes share one rendering.
function cachedMetrics(ttlMs: number): () => Promise<string> {
  let cached: { at: number; text: Promise<string> } | undefined;
  return () => {
    const now = performance.now();
    if (!cached || now - cached.at >= ttlMs) {
      const text = registry.metrics();
      cached = { at: now, text };
      text.catch(() => (cached = undefined));
    }
    return cached.text;
  };
}
