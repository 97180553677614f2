// The HTTP side on -health: /healthz for probes, /metrics for Prometheus and
// /v1/explain?name= for "why does this name resolve like that", /v1/endpoint-health for the
// endpoints health checks or drained nodes keep out of answers.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HostPort } from '../config/host-port.js';
import type { RecordIndex } from '../index/record-index.js';
import type { Logger } from '../log.js';
import { registry } from '../metrics.js';
import { parseRequestTarget } from './request-target.js';

export interface HttpServerOptions {
  listen: HostPort;
  index: RecordIndex;
  healthy: () => { ok: boolean; detail: string };
  log: Logger;
}

export async function startHttpServer(options: HttpServerOptions): Promise<{ server: Server; port: number; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    const send = (status: number, type: string, body: string) => {
      if (res.headersSent || res.destroyed) return;
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    try {
      route(req.method, req.url, send);
    } catch (err) {
      // A bug behind one request answers 500; it must never reach the process and take DNS down.
      options.log.error({ err, method: req.method, url: req.url?.slice(0, 200) }, 'HTTP request handling failed');
      send(500, 'text/plain', 'internal error\n');
    }
  });
  const route = (method: string | undefined, target: string | undefined, send: (status: number, type: string, body: string) => void): void => {
    const url = parseRequestTarget(target);
    if (method !== 'GET' && method !== 'HEAD') return send(405, 'text/plain', 'only GET\n');
    switch (url.path) {
      case '/healthz': {
        const { ok, detail } = options.healthy();
        return send(ok ? 200 : 503, 'text/plain', `${detail}\n`);
      }
      case '/metrics':
        registry
          .metrics()
          .then((text) => send(200, registry.contentType, text))
          .catch((err: Error) => send(500, 'text/plain', `${err.message}\n`));
        return;
      case '/v1/explain': {
        const name = url.query.get('name');
        if (!name) return send(400, 'application/json', JSON.stringify({ error: 'missing ?name=<hostname>' }));
        return send(200, 'application/json', JSON.stringify(options.index.explain(name), null, 2));
      }
      case '/v1/endpoint-health':
        return send(200, 'application/json', JSON.stringify(options.index.healthReport(), null, 2));
      default:
        return send(404, 'text/plain', 'not found: try /healthz, /metrics, /v1/explain?name= or /v1/endpoint-health\n');
    }
  };
  server.keepAliveTimeout = 5000;
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
