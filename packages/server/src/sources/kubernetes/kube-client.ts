// A small Kubernetes REST client on undici: JSON requests, paginated lists and watch streams
// with deadlines we control. client-node supplies only the credentials (KubeConfig).

import type { RequestOptions } from 'node:https';
import { createSecureContext } from 'node:tls';
import type { KubeConfig } from '@kubernetes/client-node';
import { Agent, request, type Dispatcher } from 'undici';

export class KubeApiError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

export interface RequestArgs {
  method?: Dispatcher.HttpMethod;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  contentType?: string;
  signal?: AbortSignal;
  // A hard deadline for the whole exchange, headers and body.
  timeoutMs?: number;
  // A watch: its body has no deadline here (the reflector ends a watch that goes quiet).
  unboundedBody?: boolean;
}

export class KubeClient {
  private constructor(
    private readonly kc: KubeConfig,
    private readonly server: string,
    private readonly agent: Agent,
  ) {}

  static async create(kc: KubeConfig): Promise<KubeClient> {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig has no current cluster');
    const opts: RequestOptions = {};
    await kc.applyToHTTPSOptions(opts);
    // One SecureContext for every connection: given ca/cert/key instead, each new connection
    // (every watch reconnect) parsed them into a fresh OpenSSL context.
    const secureContext = createSecureContext({ ca: opts.ca, cert: opts.cert, key: opts.key });
    const agent = new Agent({
      connect: {
        secureContext,
        rejectUnauthorized: !cluster.skipTLSVerify,
        ...(cluster.tlsServerName ? { servername: cluster.tlsServerName } : {}),
      },
      keepAliveTimeout: 30_000,
    });
    return new KubeClient(kc, cluster.server.replace(/\/$/, ''), agent);
  }

  get serverUrl(): string {
    return this.server;
  }

  // Credentials are asked for on every request so exec plugins and token files can rotate.
  private async headers(contentType: string | undefined): Promise<Record<string, string>> {
    const opts: RequestOptions = {};
    await this.kc.applyToHTTPSOptions(opts);
    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'minilb' };
    for (const [k, v] of Object.entries(opts.headers ?? {})) if (typeof v === 'string') headers[k.toLowerCase()] = v;
    if (opts.auth) headers.authorization = `Basic ${Buffer.from(opts.auth).toString('base64')}`;
    if (contentType) headers['content-type'] = contentType;
    return headers;
  }

  private url(path: string, query: RequestArgs['query']): string {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) params.set(k, String(v));
    const qs = params.toString();
    return `${this.server}${path}${qs ? `?${qs}` : ''}`;
  }

  // Idle, nothing here may leave a timer running: undici's own header and body timeouts run on a
  // shared 500 ms tick for as long as any is armed (every open watch kept it ticking), and
  // AbortSignal.timeout() fires at its deadline even after the response came. A request with a
  // deadline gets one timer, cleared when its body is done; a watch turns the body timeout off.
  async open(path: string, args: RequestArgs = {}): Promise<Dispatcher.ResponseData> {
    const deadline = args.timeoutMs ? new AbortController() : undefined;
    const timer = deadline ? setTimeout(() => deadline.abort(new DOMException(`no answer within ${args.timeoutMs} ms`, 'TimeoutError')), args.timeoutMs) : undefined;
    timer?.unref();
    const signals = [args.signal, deadline?.signal].filter((s): s is AbortSignal => !!s);
    try {
      const res = await request(this.url(path, args.query), {
        dispatcher: this.agent,
        method: args.method ?? 'GET',
        headers: await this.headers(args.body !== undefined ? (args.contentType ?? 'application/json') : undefined),
        body: args.body !== undefined ? JSON.stringify(args.body) : undefined,
        signal: signals.length > 1 ? AbortSignal.any(signals) : signals[0],
        ...(deadline ? { headersTimeout: 0, bodyTimeout: 0 } : args.unboundedBody ? { bodyTimeout: 0 } : {}),
      });
      if (timer) res.body.once('close', () => clearTimeout(timer));
      return res;
    } catch (err) {
      clearTimeout(timer);
      throw err;
    }
  }

  // A JSON request; a non-2xx status throws KubeApiError with the API server's message.
  async json<T = Record<string, unknown>>(path: string, args: RequestArgs = {}): Promise<T> {
    const res = await this.open(path, { timeoutMs: 30_000, ...args });
    const text = await res.body.text();
    if (res.statusCode < 200 || res.statusCode >= 300) throw apiError(res.statusCode, text, `${args.method ?? 'GET'} ${path}`);
    return (text ? JSON.parse(text) : {}) as T;
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}

export function apiError(status: number, body: string, what: string): KubeApiError {
  let reason = '';
  let message = body.slice(0, 300);
  try {
    const parsed = JSON.parse(body) as { reason?: string; message?: string };
    reason = parsed.reason ?? '';
    message = parsed.message ?? message;
  } catch {
    // not a Status object: keep the text
  }
  return new KubeApiError(status, reason, `${what}: ${status} ${reason} ${message}`.replace(/\s+/g, ' ').trim());
}
