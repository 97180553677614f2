// The REST client against a real HTTPS server on loopback with a throwaway CA.

import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { KubeClient } from './kube-client.js';

const run = promisify(execFile);
// The CommonJS module object: tls.connect calls createSecureContext through it.
const tls = createRequire(import.meta.url)('node:tls') as typeof import('node:tls');

describe('KubeClient', () => {
  let dir: string;
  let server: Server;
  let connections = 0;
  let kc: KubeConfig;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'minilb-kube-client-'));
    await run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', 'key.pem', '-out', 'cert.pem'], { cwd: dir });
    const [cert, key] = await Promise.all([readFile(join(dir, 'cert.pem')), readFile(join(dir, 'key.pem'))]);
    server = createServer({ cert, key }, (req, res) => {
      // A watch: headers, then nothing (an idle cluster), until the client goes away.
      if (req.url?.includes('watch=1')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('');
        return;
      }
      // Every response closes its connection, as a watch that the API server ends does.
      res.writeHead(200, { 'content-type': 'application/json', connection: 'close' });
      res.end(JSON.stringify({ kind: 'Status', auth: req.headers.authorization ?? '' }));
    });
    server.on('secureConnection', () => connections++);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'c', server: `https://127.0.0.1:${(server.address() as AddressInfo).port}`, caData: cert.toString('base64'), skipTLSVerify: false }],
      users: [{ name: 'u', token: 'secret-token' }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
  });
  afterAll(async () => {
    server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('reuses one TLS context across reconnects, verifying the server against the kubeconfig CA', async () => {
    const client = await KubeClient.create(kc);
    const contexts = vi.spyOn(tls, 'createSecureContext');
    try {
      for (let i = 0; i < 3; i++) expect(await client.json('/api/v1/services')).toEqual({ kind: 'Status', auth: 'Bearer secret-token' });
      expect(connections).toBeGreaterThanOrEqual(3);
      expect(contexts).not.toHaveBeenCalled();
    } finally {
      contexts.mockRestore();
      await client.close();
    }
  });

  it('leaves nothing ticking while idle: a finished request and an open quiet watch wake no thread', async () => {
    // In a process of its own, so only the client's timers count. undici's header and body
    // timeouts run on a shared 500 ms tick while any is armed (an open watch kept it going), and
    // AbortSignal.timeout() fired at every request's deadline long after its answer.
    const clientModule = new URL('../../../dist/sources/kubernetes/kube-client.js', import.meta.url).href;
    const script = `
      import { KubeConfig } from '@kubernetes/client-node';
      import { KubeClient } from ${JSON.stringify(clientModule)};
      const kc = new KubeConfig();
      kc.loadFromOptions(JSON.parse(process.argv[1]));
      const client = await KubeClient.create(kc);
      await client.json('/api/v1/services', { timeoutMs: 2000 });
      const watch = await client.open('/api/v1/services', { query: { watch: 1 }, unboundedBody: true });
      watch.body.on('data', () => {});
      process.stdout.write('ready\\n');
      setInterval(() => {}, 1 << 30);
    `;
    const options = JSON.stringify({ clusters: kc.clusters, users: kc.users, contexts: kc.contexts, currentContext: kc.currentContext });
    const child = spawn(process.execPath, ['--input-type=module', '-e', script, options], { cwd: fileURLToPath(new URL('.', import.meta.url)), stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
        child.once('exit', (code) => reject(new Error(`client process exited (${code}) before it was ready`)));
      });
      const switches = async () => {
        let sum = 0;
        for (const task of await readdir(`/proc/${child.pid}/task`)) {
          const status = await readFile(`/proc/${child.pid}/task/${task}/status`, 'utf8').catch(() => '');
          for (const m of status.matchAll(/^(?:non)?voluntary_ctxt_switches:\s+(\d+)$/gm)) sum += Number(m[1]);
        }
        return sum;
      };
      await new Promise((r) => setTimeout(r, 1000));
      const before = await switches();
      // Past the request's 2 s deadline, and six ticks of undici's timer.
      await new Promise((r) => setTimeout(r, 3000));
      expect((await switches()) - before).toBeLessThan(4);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('still ends a request that gets no answer within its deadline', async () => {
    const client = await KubeClient.create(kc);
    try {
      const started = Date.now();
      // The watch path holds the response open after its headers: the body never ends.
      await expect(client.json('/api/v1/services?watch=1', { timeoutMs: 300 })).rejects.toThrow(/no answer within 300 ms|abort/i);
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await client.close();
    }
  });

  it('refuses a server its CA did not sign', async () => {
    const other = new KubeConfig();
    other.loadFromOptions({
      clusters: [{ name: 'c', server: kc.getCurrentCluster()!.server, skipTLSVerify: false }],
      users: [{ name: 'u', token: 'secret-token' }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
    const client = await KubeClient.create(other);
    try {
      await expect(client.json('/api/v1/services')).rejects.toThrow(/self-signed|certificate/);
    } finally {
      await client.close();
    }
  });
});
