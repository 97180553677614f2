// The REST client against a real HTTPS server on loopback with a throwaway CA.

import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
