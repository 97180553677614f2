// A throwaway PKI for one cluster, made with the openssl CLI: a CA, the API server's serving
// certificate, client certificates (admin in system:masters, the controller manager) and the
// service-account signing key pair.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

async function openssl(args: string[], cwd: string): Promise<void> {
  try {
    await run('openssl', args, { cwd });
  } catch (e) {
    const err = e as Error & { stderr?: string };
    throw new Error(`openssl ${args.join(' ')} failed: ${err.stderr ?? err.message}`);
  }
}

export interface KeyPair {
  cert: string;
  key: string;
}

export interface ClusterPki {
  dir: string;
  ca: KeyPair;
  apiserver: KeyPair;
  admin: KeyPair;
  controllerManager: KeyPair;
  /** Request-header (front proxy) CA and client, as kubeadm sets up for aggregated APIs. */
  frontProxyCa: KeyPair;
  frontProxyClient: KeyPair;
  serviceAccountKey: string;
  serviceAccountPub: string;
}

const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

async function issue(
  dir: string,
  name: string,
  subject: string,
  extensions: string[],
  ca = 'ca',
): Promise<KeyPair> {
  const key = join(dir, `${name}.key`);
  const csr = join(dir, `${name}.csr`);
  const cert = join(dir, `${name}.crt`);
  await openssl(['req', '-new', ...ecKey, '-keyout', key, '-out', csr, '-subj', subject, ...extensions.flatMap((e) => ['-addext', e])], dir);
  await openssl(
    ['x509', '-req', '-in', csr, '-CA', `${ca}.crt`, '-CAkey', `${ca}.key`, '-set_serial', `0x${randomBytes(12).toString('hex')}`, '-days', '7', '-copy_extensions', 'copy', '-out', cert],
    dir,
  );
  return { cert, key };
}

async function selfSignedCa(dir: string, name: string, cn: string): Promise<KeyPair> {
  await openssl(
    ['req', '-x509', ...ecKey, '-keyout', `${name}.key`, '-out', `${name}.crt`, '-days', '7', '-subj', `/CN=${cn}`,
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign,digitalSignature'],
    dir,
  );
  return { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
}

export async function makePki(dir: string): Promise<ClusterPki> {
  mkdirSync(dir, { recursive: true });
  const [ca, frontProxyCa] = await Promise.all([
    selfSignedCa(dir, 'ca', 'minilb-e2e-ca'),
    selfSignedCa(dir, 'front-proxy-ca', 'minilb-e2e-front-proxy-ca'),
  ]);
  const client = ['basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature', 'extendedKeyUsage=clientAuth'];
  const [apiserver, admin, controllerManager, frontProxyClient] = await Promise.all([
    issue(dir, 'apiserver', '/CN=kube-apiserver', [
      'basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature',
      'extendedKeyUsage=serverAuth',
      // 10.96.0.1 and fd00:10:96::1 are the `kubernetes` Service's cluster IPs.
      'subjectAltName=IP:127.0.0.1,IP:::1,IP:10.96.0.1,IP:fd00:10:96::1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local',
    ]),
    issue(dir, 'admin', '/O=system:masters/CN=minilb-e2e-admin', client),
    issue(dir, 'controller-manager', '/CN=system:kube-controller-manager', client),
    issue(dir, 'front-proxy-client', '/CN=front-proxy-client', client, 'front-proxy-ca'),
    openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', 'sa.key'], dir).then(() =>
      openssl(['pkey', '-in', 'sa.key', '-pubout', '-out', 'sa.pub'], dir),
    ),
  ]);
  return {
    dir,
    ca,
    apiserver,
    admin,
    controllerManager,
    frontProxyCa,
    frontProxyClient,
    serviceAccountKey: join(dir, 'sa.key'),
    serviceAccountPub: join(dir, 'sa.pub'),
  };
}

export function base64File(path: string): string {
  return readFileSync(path).toString('base64');
}
