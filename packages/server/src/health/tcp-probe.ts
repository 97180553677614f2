// One health probe: a TCP connect with a hard deadline, closed as soon as it succeeds.

import { connect } from 'node:net';
import type { ProbeResult } from './endpoint-state.js';

const unreachable = new Set(['EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN']);

export type Probe = (address: string, port: number, timeoutMs: number) => Promise<ProbeResult>;

export const tcpProbe: Probe = (address, port, timeoutMs) =>
  new Promise((resolve) => {
    const started = performance.now();
    const socket = connect({ host: address, port });
    const done = (result: ProbeResult) => {
      clearTimeout(timer);
      // An established probe ends with a RST, as HAProxy's checks do: no TIME_WAIT left on
      // minilb's node for every probe (500 a second at the default budget).
      if (result.ok) socket.resetAndDestroy();
      else socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => done({ ok: false, kind: 'timeout', detail: `no connection within ${timeoutMs} ms` }), timeoutMs);
    socket.once('connect', () => done({ ok: true, detail: `connected in ${Math.round(performance.now() - started)} ms` }));
    socket.once('error', (err: NodeJS.ErrnoException) => {
      const code = err.code ?? 'error';
      done({ ok: false, kind: code === 'ECONNREFUSED' ? 'refused' : unreachable.has(code) ? 'unreachable' : 'error', detail: code });
    });
  });
