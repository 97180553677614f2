// The image built from the repository's Dockerfile, unchanged, run the way the Deployment in
// examples/deploy runs it: read-only root, no-new-privileges, every capability dropped, its
// user and sysctls, its args. It must answer on port 53 of its own network namespace and
// through a published port. (A private dockerd; nothing is pulled.)

import { randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDockerd, importNodeBaseImage, type Docker } from '../harness/docker.js';
import { answersOf, dig, digAt, freePorts, parseYaml, repoRoot, waitFor } from '../harness/index.js';

interface Container {
  image: string;
  args: string[];
  securityContext: { allowPrivilegeEscalation?: boolean; readOnlyRootFilesystem?: boolean; capabilities?: { drop?: string[]; add?: string[] } };
}
interface PodSpec {
  securityContext: { runAsUser: number; runAsGroup: number; runAsNonRoot?: boolean; sysctls?: { name: string; value: string }[] };
  containers: Container[];
}

const deployment = parseYaml(readFileSync(join(repoRoot, 'examples/deploy/20-deployment.yaml'), 'utf8')).find((o) => o.kind === 'Deployment') as unknown as {
  spec: { template: { spec: PodSpec } };
};
const pod = deployment.spec.template.spec;
const container = pod.containers[0]!;

// docker run flags that mean what the pod spec says.
function dockerFlagsFor(spec: PodSpec, c: Container): string[] {
  const flags = ['--user', `${spec.securityContext.runAsUser}:${spec.securityContext.runAsGroup}`];
  if (c.securityContext.readOnlyRootFilesystem) flags.push('--read-only');
  if (c.securityContext.allowPrivilegeEscalation === false) flags.push('--security-opt', 'no-new-privileges');
  for (const cap of c.securityContext.capabilities?.drop ?? []) flags.push('--cap-drop', cap);
  for (const cap of c.securityContext.capabilities?.add ?? []) flags.push('--cap-add', cap);
  // The kernel's default (1024) unless the pod sets it: Docker's own default (0) would let a
  // manifest without the sysctl bind port 53 here and fail on a kubelet that does not.
  const sysctls = new Map([['net.ipv4.ip_unprivileged_port_start', '1024']]);
  for (const s of spec.securityContext.sysctls ?? []) sysctls.set(s.name, s.value);
  for (const [name, value] of sysctls) flags.push('--sysctl', `${name}=${value}`);
  return flags;
}

const nodeMajor = Number(readFileSync(join(repoRoot, 'Dockerfile'), 'utf8').match(/^FROM node:(\d+)-bookworm-slim/m)?.[1]);
const ipForward = () => readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8').trim();

describe('the minilb-server image', () => {
  let docker: Docker;
  const timings: Record<string, number> = {};
  const tag = `minilb-server:e2e-${process.pid}`;
  const network = `minilb-e2e-${process.pid}`;
  const name = `minilb-e2e-${process.pid}`;
  let containerIp = '';
  let ports: { udp: number; tcp: number; http: number };
  const forwardBefore = ipForward();

  beforeAll(async () => {
    let t = Date.now();
    docker = await startDockerd();
    timings.dockerd = Date.now() - t;
    t = Date.now();
    const base = await importNodeBaseImage(docker, nodeMajor);
    timings[base.built ? 'base image (debootstrap, npm, import)' : 'base image (cached, import)'] = Date.now() - t;
    expect(base.nodeVersion).toMatch(new RegExp(`^v${nodeMajor}\\.`));
    t = Date.now();
    // The build stage reaches npm for `npm ci` through the host's network (no bridge exists).
    await docker.cli(['build', '--network', 'host', '--tag', tag, repoRoot], { timeoutMs: 600_000 });
    timings['docker build'] = Date.now() - t;

    // A bridge of our own (no NAT, no forwarding: the host reaches it directly) on a random
    // documentation /28, so parallel runs never share one.
    process.stdout.write(`[image] built ${tag}; starting it\n`);
    const subnet = `203.0.113.${16 * randomInt(1, 15)}/28`;
    await docker.cli(['network', 'create', '--driver', 'bridge', '--subnet', subnet, '-o', `com.docker.network.bridge.name=mlb${process.pid % 100000}`, network]);
    const [udp, tcp, http] = await freePorts(3);
    ports = { udp: udp!, tcp: tcp!, http: http! };
    t = Date.now();
    await docker.cli([
      'run',
      '--detach',
      '--name',
      name,
      '--network',
      network,
      ...dockerFlagsFor(pod, container),
      '--publish',
      `127.0.0.1:${ports.udp}:53/udp`,
      '--publish',
      `127.0.0.1:${ports.tcp}:53/tcp`,
      '--publish',
      `127.0.0.1:${ports.http}:8080/tcp`,
      '--volume',
      `${join(repoRoot, 'examples/demo-cluster.yaml')}:/demo/cluster.yaml:ro`,
      tag,
      // The Deployment's own args; the demo manifests stand in for the API server.
      ...container.args,
      '-manifests=/demo/cluster.yaml',
    ]);
    process.stdout.write(`[image] container started\n`);
    containerIp = (await docker.cli(['inspect', '--format', `{{(index .NetworkSettings.Networks "${network}").IPAddress}}`, name])).trim();
    await waitFor(async () => (await fetch(`http://127.0.0.1:${ports.http}/healthz`, { signal: AbortSignal.timeout(2000) }).catch(() => undefined))?.status === 200 || undefined, {
      what: 'the container to answer /healthz',
      timeoutMs: 20_000,
      intervalMs: 100,
    });
    timings['container start to healthy'] = Date.now() - t;
  });

  afterAll(async () => {
    if (docker) {
      const logs = await docker.cli(['logs', name]).catch(() => '');
      if (logs) process.stdout.write(`[image] container log:\n${logs}\n`);
      await docker.cli(['rm', '--force', name]).catch(() => '');
      await docker.cli(['network', 'rm', network]).catch(() => '');
      await docker.stop();
    }
    process.stdout.write(`[image] timings (ms): ${JSON.stringify(timings)}\n`);
  });

  it('is built without the setcap layer and is small: node, its C libraries and the bundle', async () => {
    const size = Number(await docker.cli(['image', 'inspect', '--format', '{{.Size}}', tag]));
    const layers = JSON.parse(await docker.cli(['image', 'inspect', '--format', '{{json .RootFS.Layers}}', tag])) as string[];
    process.stdout.write(`[image] ${tag}: ${(size / 1e6).toFixed(1)} MB, ${layers.length} layer(s)\n`);
    // The Node 24 binary alone is about 120 MB; 470 MB was the image with the setcap copy.
    expect(size).toBeLessThan(170e6);
    expect(layers).toHaveLength(1);
  });

  it('runs as the pod spec says: uid 65532, no capabilities, no new privileges, read-only root', async () => {
    const pid = Number(await docker.cli(['inspect', '--format', '{{.State.Pid}}', name]));
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    expect(status).toMatch(/^Uid:\s+65532\s+65532\s+65532\s+65532$/m);
    expect(status).toMatch(/^CapEff:\s+0+$/m);
    expect(status).toMatch(/^CapPrm:\s+0+$/m);
    expect(status).toMatch(/^NoNewPrivs:\s+1$/m);
    const mounts = readFileSync(`/proc/${pid}/mounts`, 'utf8');
    expect(mounts.split('\n').find((l) => l.split(' ')[1] === '/')).toMatch(/\bro\b/);
    expect(await docker.cli(['inspect', '--format', '{{.HostConfig.ReadonlyRootfs}} {{.HostConfig.SecurityOpt}}', name])).toMatch(/^true \[no-new-privileges\]/);
  });

  it('answers on port 53 of its own network namespace, over UDP and TCP', async () => {
    const udp = await dig([`@${containerIp}`, '-p', '53', 'paperless.sko.ai', 'A']);
    expect(udp.status).toBe('NOERROR');
    expect(answersOf(udp, 'A').sort()).toEqual(['10.244.0.15', '10.244.1.22']);
    const tcp = await dig([`@${containerIp}`, '-p', '53', 'internal-kubernetes-ingress.haproxy.minilb', 'AAAA', '+tcp']);
    expect(answersOf(tcp, 'AAAA').sort()).toEqual(['fd00:10:244:1::16', 'fd00:10:244::f']);
  });

  it('answers through the published ports, and serves /metrics there', async () => {
    expect(answersOf(await digAt(ports.udp, 'mqtt.example.com', 'A'), 'A')).toEqual(['10.244.2.31']);
    expect(answersOf(await digAt(ports.tcp, 'mqtt.example.com', 'A', '+tcp'), 'A')).toEqual(['10.244.2.31']);
    const metrics = await (await fetch(`http://127.0.0.1:${ports.http}/metrics`, { signal: AbortSignal.timeout(5000) })).text();
    expect(metrics).toMatch(new RegExp(`^minilb_build_info\\{version="[^"]+",nodeversion="${nodeMajor}\\.\\d+\\.\\d+"\\} 1$`, 'm'));
  });

  it('left the host alone: IP forwarding is as it was', () => {
    expect(ipForward()).toBe(forwardBefore);
  });
});
