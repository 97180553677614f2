// List-then-watch for one resource, that never silently stops: re-lists on 410 Gone,
// reconnects with capped backoff on any error, restarts a watch that went quiet (watchdog),
// uses bookmarks and server-side watch timeouts, paginates lists, and contains handler errors.
// It lists only when it has no resourceVersion to watch from (start, 410): never on a timer,
// as client-go's reflector (a periodic re-list cost +33 MiB RSS and 0.5 CPU-s per replica).

import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../../log.js';
import { apiError, KubeApiError, type KubeClient } from './kube-client.js';
import { listAllPages } from './list-pages.js';

type Raw = Record<string, unknown>;

export interface ReflectorHandlers<T> {
  // The full current list (after the first list and every re-list).
  replace(items: T[]): void;
  upsert(item: T): void;
  remove(item: Raw): void;
}

export interface ReflectorOptions<T> {
  client: KubeClient;
  kind: string;
  path: string; // e.g. /api/v1/services or /apis/gateway.networking.k8s.io/v1/httproutes
  // Turns an API object into what the handlers keep (undefined skips it); runs per list page.
  convert: (item: Raw) => T | undefined;
  handlers: ReflectorHandlers<T>;
  log: Logger;
  pageSize?: number;
  watchTimeoutSeconds?: number; // asked of the server; it ends the watch cleanly
  idleTimeoutMs?: number; // no byte (event or bookmark) for this long: the watch is dead
  backoffMinMs?: number;
  backoffMaxMs?: number;
  onRestart?: (reason: string) => void;
  onEvent?: () => void;
}

class WatchIdle extends Error {}

function resourceVersionOf(obj: Raw): string | undefined {
  const md = obj.metadata as Raw | undefined;
  return typeof md?.resourceVersion === 'string' ? md.resourceVersion : undefined;
}

export class Reflector<T> {
  synced = false;
  lastEventAt = 0;
  private resourceVersion: string | undefined;
  private readonly abort = new AbortController();
  private running: Promise<void> | undefined;

  constructor(private readonly options: ReflectorOptions<T>) {}

  start(): void {
    this.running ??= this.run();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.running;
  }

  // Resolves once the first list is in; never rejects (errors are retried).
  async waitForSync(signal?: AbortSignal): Promise<void> {
    while (!this.synced && !this.abort.signal.aborted && !signal?.aborted) await sleep(25);
  }

  private get stopped(): boolean {
    return this.abort.signal.aborted;
  }

  private async run(): Promise<void> {
    const { log, kind } = this.options;
    const min = this.options.backoffMinMs ?? 500;
    const max = this.options.backoffMaxMs ?? 8_000;
    let backoff = min;
    while (!this.stopped) {
      try {
        if (!this.resourceVersion) await this.list();
        await this.watch(() => (backoff = min));
      } catch (err) {
        if (this.stopped) break;
        const gone = err instanceof KubeApiError && err.status === 410;
        const idle = err instanceof WatchIdle;
        if (gone) this.resourceVersion = undefined;
        const reason = gone ? 'gone' : idle ? 'idle' : 'error';
        this.options.onRestart?.(reason);
        // A 410 re-lists and a silent watch reconnects at once; only errors wait, doubling up to
        // `max` (a short cap: after an API server restart, changes should flow within seconds).
        const delay = gone || idle ? 0 : backoff;
        log[reason === 'error' ? 'warn' : 'info']({ kind, reason, err: (err as Error).message, retryInMs: delay }, 'watch restarting');
        if (delay > 0) {
          await sleep(delay * (0.75 + Math.random() * 0.5), undefined, { signal: this.abort.signal }).catch(() => undefined);
          backoff = Math.min(max, backoff * 2);
        }
      }
    }
  }

  private call(fn: () => void, what: string): void {
    // A handler bug must never kill the watch or the process; it is logged and counted.
    try {
      fn();
    } catch (err) {
      this.options.log.error({ kind: this.options.kind, err: (err as Error).message }, `${what} handler failed`);
    }
  }

  private async list(): Promise<void> {
    const { items, resourceVersion } = await listAllPages(this.options.client, this.options.path, this.options.kind, {
      pageSize: this.options.pageSize,
      signal: this.abort.signal,
      convert: this.options.convert,
    });
    this.call(() => this.options.handlers.replace(items), 'replace');
    this.resourceVersion = resourceVersion;
    this.lastEventAt = Date.now();
    this.synced = true;
  }

  // One watch request until the server ends it, it errors, or it goes idle. `connected` is
  // called once the API server accepts it, which is when the error backoff starts over.
  private async watch(connected: () => void): Promise<void> {
    const idleMs = this.options.idleTimeoutMs ?? 150_000;
    const timeoutSeconds = this.options.watchTimeoutSeconds ?? 240 + Math.floor(Math.random() * 120);
    const watchAbort = new AbortController();
    const onStop = () => watchAbort.abort();
    this.abort.signal.addEventListener('abort', onStop, { once: true });
    let idle: NodeJS.Timeout | undefined;
    let wentIdle = false;
    const arm = () => {
      clearTimeout(idle);
      idle = setTimeout(() => {
        wentIdle = true;
        watchAbort.abort();
      }, idleMs);
    };
    try {
      arm();
      const res = await this.options.client.open(this.options.path, {
        query: {
          watch: 1,
          allowWatchBookmarks: true,
          resourceVersion: this.resourceVersion,
          timeoutSeconds,
        },
        signal: watchAbort.signal,
        unboundedBody: true,
      });
      if (res.statusCode !== 200) throw apiError(res.statusCode, await res.body.text(), `watch ${this.options.path}`);
      connected();
      let buffered = '';
      for await (const chunk of res.body) {
        arm();
        buffered += (chunk as Buffer).toString('utf8');
        let newline: number;
        while ((newline = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, newline);
          buffered = buffered.slice(newline + 1);
          if (line.trim() !== '') this.event(JSON.parse(line) as { type: string; object: Raw });
        }
      }
    } catch (err) {
      if (wentIdle) throw new WatchIdle(`no event or bookmark for ${idleMs} ms`);
      throw err;
    } finally {
      clearTimeout(idle);
      this.abort.signal.removeEventListener('abort', onStop);
      watchAbort.abort();
    }
  }

  private event(event: { type: string; object: Raw }): void {
    const { object } = event;
    if (event.type === 'ERROR') {
      const status = object as { code?: number; reason?: string; message?: string };
      throw new KubeApiError(status.code ?? 500, status.reason ?? '', `watch ${this.options.path}: ${status.code} ${status.message ?? ''}`);
    }
    const rv = resourceVersionOf(object);
    if (rv) this.resourceVersion = rv;
    this.lastEventAt = Date.now();
    if (event.type === 'BOOKMARK') return;
    object.kind ??= this.options.kind;
    this.options.onEvent?.();
    if (event.type === 'DELETED') this.call(() => this.options.handlers.remove(object), 'delete');
    else {
      this.call(() => {
        const item = this.options.convert(object);
        if (item !== undefined) this.options.handlers.upsert(item);
      }, 'update');
    }
  }
}
