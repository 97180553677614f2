#!/usr/bin/env node
// Builds the real programs the e2e harness runs (etcd, kube-apiserver, kube-controller-manager,
// kubectl, CoreDNS, helm, promtool) and fetches the Gateway API CRDs, pinned, into the git-ignored
// .cache/e2e/.
// Each peer lands in .cache/e2e/<name>-<version>/ with a stamp file; it is rebuilt only when
// its pin (version, wrapper go.mod/go.sum, build flags, Go version) changes.
//
// Usage: node test/e2e/peers/build.mjs [--force] [--only name,name]
// Prints progress (peer, elapsed seconds) and finally writes .cache/e2e/peers.json, the
// manifest the TypeScript harness reads to find the binaries.

import { spawn, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '../../..');
const cacheRoot = resolve(process.env.MINILB_E2E_CACHE ?? join(repoRoot, '.cache/e2e'));

// The pins. Kubernetes and etcd versions live in their wrapper go.mod files (checked below);
// CoreDNS and Gateway API are fetched by version directly.
const COREDNS_VERSION = 'v1.14.7';
// helm v4 for the chart tests (lint, template, install/upgrade into the harness cluster).
const HELM_VERSION = 'v4.3.1';
// Prometheus's Go module is versioned v0.<minor*100+...>: v0.316.0 is Prometheus 3.16.0.
const PROMETHEUS_VERSION = 'v0.316.0';
// Only its ServiceMonitor CRD, so the chart's optional ServiceMonitor is validated by the API server.
const PROMETHEUS_OPERATOR_VERSION = 'v0.85.0';
// v1.7.0 needs go >= 1.27 (its module refuses to extract under Go 1.26); v1.6.3 is the newest that fits.
const GATEWAY_API_VERSION = 'v1.6.3';
// Bump when the way a peer is built changes, so caches from older recipes are rebuilt.
const RECIPE = '1';

const args = process.argv.slice(2);
const force = args.includes('--force');
const onlyArg = args.indexOf('--only');
const only = onlyArg >= 0 ? new Set((args[onlyArg + 1] ?? '').split(',')) : null;

const started = Date.now();
const cachedPeers = [];
let builtAny = false;
const log = (msg) => process.stdout.write(`[e2e peers +${((Date.now() - started) / 1000).toFixed(0)}s] ${msg}\n`);

function goVersion() {
  return execFileSync('go', ['env', 'GOVERSION'], { encoding: 'utf8' }).trim();
}

function sha256(...parts) {
  const h = createHash('sha256');
  for (const p of parts) h.update(String(p)).update('\0');
  return h.digest('hex');
}

function readModRequire(goModText, path) {
  const m = goModText.match(new RegExp(`^\\s*(?:require\\s+)?${path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\s+(v\\S+)`, 'm'));
  if (!m) throw new Error(`wrapper go.mod does not require ${path}`);
  return m[1];
}

/** Runs a command, printing a heartbeat with the elapsed time while it runs. */
function run(label, cmd, cmdArgs, opts = {}) {
  return new Promise((resolvePromise, reject) => {
    const t0 = Date.now();
    const child = spawn('nice', ['-n', '10', cmd, ...cmdArgs], {
      cwd: opts.cwd ?? repoRoot,
      env: { ...process.env, ...opts.env },
      stdio: ['ignore', opts.captureStdout ? 'pipe' : 'inherit', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout?.on('data', (d) => (out += d));
    let downloads = 0;
    let partial = '';
    child.stderr.on('data', (d) => {
      err += d;
      // `go` reports each module download on stderr: count those, pass anything else through.
      const lines = (partial + d).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        if (line.startsWith('go: downloading ')) downloads++;
        else if (line.trim() !== '') process.stderr.write(`${line}\n`);
      }
    });
    const beat = setInterval(
      () =>
        log(
          `${label}: still running (${((Date.now() - t0) / 1000).toFixed(0)}s` +
            (downloads > 0 ? `, ${downloads} modules downloaded)` : ')'),
        ),
      20_000,
    );
    child.on('error', (e) => {
      clearInterval(beat);
      reject(new Error(`${label}: could not start ${cmd}: ${e.message}`));
    });
    child.on('close', (code, signal) => {
      clearInterval(beat);
      if (partial.trim() !== '' && !partial.startsWith('go: downloading ')) process.stderr.write(`${partial}\n`);
      if (code === 0) resolvePromise(out);
      else reject(new Error(`${label}: ${cmd} ${cmdArgs.join(' ')} failed (${signal ?? `exit ${code}`})\n${err.slice(-4000)}`));
    });
  });
}

/** Builds one peer into cacheRoot/<dirName> unless its stamp already matches `key`. */
async function peer(name, version, key, outputs, build) {
  const dir = join(cacheRoot, `${name}-${version}`);
  const stampPath = join(dir, '.stamp.json');
  if (only && !only.has(name)) return dir;
  if (!force && existsSync(stampPath)) {
    try {
      const stamp = JSON.parse(readFileSync(stampPath, 'utf8'));
      if (stamp.key === key && outputs.every((o) => existsSync(join(dir, o)))) {
        cachedPeers.push(`${name} ${version}`);
        return dir;
      }
    } catch {
      // An unreadable stamp means an interrupted write: rebuild.
    }
  }
  if (!builtAny) log(`cache: ${cacheRoot}; ${goVersion()}`);
  builtAny = true;
  log(`${name} ${version}: building into ${dir}`);
  const t0 = Date.now();
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  try {
    await build(tmp);
    for (const o of outputs) if (!existsSync(join(tmp, o))) throw new Error(`${name} ${version}: the build did not produce ${o}`);
    const seconds = Math.round((Date.now() - t0) / 1000);
    writeFileSync(
      join(tmp, '.stamp.json'),
      JSON.stringify({ name, version, key, builtAt: new Date().toISOString(), seconds, go: goVersion() }, null, 2) + '\n',
    );
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
    log(`${name} ${version}: done in ${seconds}s`);
    return dir;
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}

// go build/install inside our wrapper modules: go.sum is committed, so the module graph is
// read-only and verified; a drift fails loudly instead of editing tracked files.
const goEnvModule = { GOFLAGS: '-mod=readonly -buildvcs=false', GOTOOLCHAIN: 'local', CGO_ENABLED: '0' };
// go install pkg@version and go mod download outside a module reject -mod.
const goEnvPlain = { GOFLAGS: '-buildvcs=false', GOTOOLCHAIN: 'local', CGO_ENABLED: '0' };

function kubernetesLdflags(version) {
  return [
    '-s',
    '-w',
    `-X k8s.io/component-base/version.gitVersion=${version}`,
    `-X k8s.io/component-base/version.gitMajor=1`,
    `-X k8s.io/component-base/version.gitMinor=${version.split('.')[1]}`,
    `-X k8s.io/component-base/version.gitTreeState=clean`,
    `-X k8s.io/client-go/pkg/version.gitVersion=${version}`,
  ].join(' ');
}

async function buildKubernetes() {
  const modDir = join(here, 'kubernetes');
  const goMod = readFileSync(join(modDir, 'go.mod'), 'utf8');
  const goSum = readFileSync(join(modDir, 'go.sum'), 'utf8');
  const version = readModRequire(goMod, 'k8s.io/kubernetes');
  const staging = `v0.${version.slice(3)}`; // v1.37.2 -> v0.37.2
  const ldflags = kubernetesLdflags(version);
  const key = sha256(RECIPE, goMod, goSum, ldflags, goVersion());
  return peer('kubernetes', version, key, ['bin/kube-apiserver', 'bin/kube-controller-manager'], async (out) => {
    // The release's own go.mod lists the staging modules; ours must replace exactly those.
    const info = JSON.parse(
      await run('kubernetes: fetch go.mod', 'go', ['mod', 'download', '-json', `k8s.io/kubernetes@${version}`], {
        cwd: modDir,
        env: goEnvModule,
        captureStdout: true,
      }),
    );
    const upstreamMod = readFileSync(info.GoMod, 'utf8');
    const goLine = upstreamMod.match(/^go (\S+)/m)?.[1];
    log(`kubernetes ${version}: its go.mod says go ${goLine}; using ${goVersion()}`);
    const stagingMods = [...upstreamMod.matchAll(/^\s*(k8s\.io\/\S+)\s+=>\s+\.\/staging\//gm)].map((m) => m[1]);
    const ours = new Map([...goMod.matchAll(/^\s*(k8s\.io\/\S+)\s+=>\s+(\S+)\s+(v\S+)/gm)].map((m) => [m[1], `${m[2]} ${m[3]}`]));
    const missing = stagingMods.filter((m) => ours.get(m) !== `${m} ${staging}`);
    const extra = [...ours.keys()].filter((m) => !stagingMods.includes(m));
    if (missing.length || extra.length) {
      throw new Error(
        `test/e2e/peers/kubernetes/go.mod does not match k8s.io/kubernetes ${version}'s staging modules.\n` +
          (missing.length ? `  needs "X => X ${staging}" for: ${missing.join(', ')}\n` : '') +
          (extra.length ? `  replaces modules the release does not stage: ${extra.join(', ')}\n` : '') +
          '  Fix the replace block, then run `go mod tidy` in that folder.',
      );
    }
    mkdirSync(join(out, 'bin'));
    await run(
      `kubernetes ${version}: go build kube-apiserver kube-controller-manager`,
      'go',
      [
        'build',
        '-trimpath',
        '-ldflags',
        ldflags,
        '-o',
        join(out, 'bin') + '/',
        'k8s.io/kubernetes/cmd/kube-apiserver',
        'k8s.io/kubernetes/cmd/kube-controller-manager',
      ],
      { cwd: modDir, env: goEnvModule },
    );
  });
}

// kubectl from the same wrapper module (and so the same pin) as kube-apiserver: the e2e tests
// apply examples/deploy with it as the README says, and run `kubectl minilb` through it.
async function buildKubectl() {
  const modDir = join(here, 'kubernetes');
  const goMod = readFileSync(join(modDir, 'go.mod'), 'utf8');
  const goSum = readFileSync(join(modDir, 'go.sum'), 'utf8');
  const version = readModRequire(goMod, 'k8s.io/kubernetes');
  const ldflags = kubernetesLdflags(version);
  const key = sha256(RECIPE, goMod, goSum, ldflags, goVersion());
  return peer('kubectl', version, key, ['bin/kubectl'], async (out) => {
    mkdirSync(join(out, 'bin'));
    await run(`kubectl ${version}: go build`, 'go', ['build', '-trimpath', '-ldflags', ldflags, '-o', join(out, 'bin', 'kubectl'), 'k8s.io/kubernetes/cmd/kubectl'], {
      cwd: modDir,
      env: goEnvModule,
    });
  });
}

async function buildEtcd() {
  const modDir = join(here, 'etcd');
  const goMod = readFileSync(join(modDir, 'go.mod'), 'utf8');
  const goSum = readFileSync(join(modDir, 'go.sum'), 'utf8');
  const mainGo = readFileSync(join(modDir, 'main.go'), 'utf8');
  const version = readModRequire(goMod, 'go.etcd.io/etcd/server/v3');
  const ldflags = `-s -w -X go.etcd.io/etcd/api/v3/version.GitSHA=${version}`;
  const key = sha256(RECIPE, goMod, goSum, mainGo, ldflags, goVersion());
  return peer('etcd', version, key, ['bin/etcd'], async (out) => {
    mkdirSync(join(out, 'bin'));
    await run(`etcd ${version}: go build`, 'go', ['build', '-trimpath', '-ldflags', ldflags, '-o', join(out, 'bin', 'etcd'), '.'], {
      cwd: modDir,
      env: goEnvModule,
    });
  });
}

async function buildCoreDNS() {
  const key = sha256(RECIPE, COREDNS_VERSION, goVersion());
  return peer('coredns', COREDNS_VERSION, key, ['bin/coredns'], async (out) => {
    await run(
      `coredns ${COREDNS_VERSION}: go install`,
      'go',
      ['install', '-trimpath', '-ldflags', '-s -w', `github.com/coredns/coredns@${COREDNS_VERSION}`],
      { cwd: out, env: { ...goEnvPlain, GOBIN: join(out, 'bin') } },
    );
  });
}

// A tool with no replace directives in its go.mod: `go install module/cmd@version` builds it.
async function goInstallTool(name, version, pkg, binary, extraFlags = []) {
  const key = sha256(RECIPE, version, pkg, extraFlags.join(' '), goVersion());
  return peer(name, version, key, [`bin/${binary}`], async (out) => {
    await run(`${name} ${version}: go install`, 'go', ['install', '-trimpath', ...extraFlags, '-ldflags', '-s -w', `${pkg}@${version}`], {
      cwd: out,
      env: { ...goEnvPlain, GOBIN: join(out, 'bin') },
    });
  });
}

async function fetchGatewayApi() {
  const key = sha256(RECIPE, GATEWAY_API_VERSION);
  return peer('gateway-api', GATEWAY_API_VERSION, key, ['standard', 'experimental'], async (out) => {
    const info = JSON.parse(
      await run(
        `gateway-api ${GATEWAY_API_VERSION}: go mod download`,
        'go',
        ['mod', 'download', '-json', `sigs.k8s.io/gateway-api@${GATEWAY_API_VERSION}`],
        { cwd: out, env: goEnvPlain, captureStdout: true },
      ),
    );
    for (const channel of ['standard', 'experimental']) {
      const src = join(info.Dir, 'config/crd', channel);
      const files = readdirSync(src).filter((f) => f.endsWith('.yaml'));
      if (files.length === 0) throw new Error(`gateway-api ${GATEWAY_API_VERSION}: no YAML in ${src}`);
      mkdirSync(join(out, channel));
      for (const f of files) cpSync(join(src, f), join(out, channel, f));
    }
  });
}

async function fetchServiceMonitorCrd() {
  const key = sha256(RECIPE, PROMETHEUS_OPERATOR_VERSION);
  const file = 'monitoring.coreos.com_servicemonitors.yaml';
  return peer('prometheus-operator-crds', PROMETHEUS_OPERATOR_VERSION, key, [file], async (out) => {
    const info = JSON.parse(
      await run(
        `prometheus-operator ${PROMETHEUS_OPERATOR_VERSION}: go mod download`,
        'go',
        ['mod', 'download', '-json', `github.com/prometheus-operator/prometheus-operator@${PROMETHEUS_OPERATOR_VERSION}`],
        { cwd: out, env: goEnvPlain, captureStdout: true },
      ),
    );
    cpSync(join(info.Dir, 'example/prometheus-operator-crd', file), join(out, file));
  });
}

// One build at a time: a second invocation (another test file, a parallel CI step) waits.
function lock() {
  mkdirSync(cacheRoot, { recursive: true });
  const lockDir = join(cacheRoot, '.build.lock');
  const deadline = Date.now() + 3 * 3600_000;
  let waited = false;
  for (;;) {
    try {
      mkdirSync(lockDir);
      writeFileSync(join(lockDir, 'pid'), String(process.pid));
      return () => rmSync(lockDir, { recursive: true, force: true });
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
      let holder = NaN;
      try {
        holder = Number(readFileSync(join(lockDir, 'pid'), 'utf8'));
      } catch {
        // The holder has not written its pid yet.
      }
      let alive = false;
      if (Number.isInteger(holder) && holder > 0) {
        try {
          process.kill(holder, 0);
          alive = true;
        } catch {
          alive = false;
        }
      } else {
        alive = true;
      }
      if (!alive) {
        rmSync(lockDir, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`another peer build (pid ${holder}) holds ${lockDir}`);
      if (!waited) log(`waiting for another peer build (pid ${holder})`);
      waited = true;
      execFileSync('sleep', ['2']);
    }
  }
}

const unlock = lock();
// Holding the lock, any half-built folder is a killed build's leftover.
for (const entry of readdirSync(cacheRoot)) {
  if (/\.tmp-\d+$/.test(entry)) rmSync(join(cacheRoot, entry), { recursive: true, force: true });
}
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    unlock();
    process.exit(130);
  });
}
try {
  // Cheapest first, so a broken network shows up before the long compile.
  const gatewayApi = await fetchGatewayApi();
  const prometheusOperatorCrds = await fetchServiceMonitorCrd();
  const coredns = await buildCoreDNS();
  const helm = await goInstallTool('helm', HELM_VERSION, 'helm.sh/helm/v4/cmd/helm', 'helm');
  // remove_all_sd leaves out the cloud service-discovery SDKs (Prometheus's own build tag):
  // `promtool check metrics` needs none of them, and they are most of the compile.
  const promtool = await goInstallTool('promtool', PROMETHEUS_VERSION, 'github.com/prometheus/prometheus/cmd/promtool', 'promtool', ['-tags', 'remove_all_sd']);
  const etcd = await buildEtcd();
  const kubernetes = await buildKubernetes();
  const kubectl = await buildKubectl();
  const manifest = {
    etcd: join(etcd, 'bin/etcd'),
    kubeApiserver: join(kubernetes, 'bin/kube-apiserver'),
    kubeControllerManager: join(kubernetes, 'bin/kube-controller-manager'),
    coredns: join(coredns, 'bin/coredns'),
    kubectl: join(kubectl, 'bin/kubectl'),
    helm: join(helm, 'bin/helm'),
    promtool: join(promtool, 'bin/promtool'),
    serviceMonitorCrd: join(prometheusOperatorCrds, 'monitoring.coreos.com_servicemonitors.yaml'),
    gatewayApiCrds: { standard: join(gatewayApi, 'standard'), experimental: join(gatewayApi, 'experimental') },
  };
  if (!only) {
    for (const p of [manifest.etcd, manifest.kubeApiserver, manifest.kubeControllerManager, manifest.coredns, manifest.kubectl, manifest.helm, manifest.promtool]) {
      if (!existsSync(p)) throw new Error(`expected ${p} after the build`);
    }
    writeFileSync(join(cacheRoot, 'peers.json'), JSON.stringify(manifest, null, 2) + '\n');
  }
  if (builtAny) log(`all peers ready (${((Date.now() - started) / 1000).toFixed(0)}s)`);
  else log(`cached in ${cacheRoot}: ${cachedPeers.join(', ')}`);
} catch (e) {
  process.stderr.write(`\n[e2e peers] FAILED: ${e.message}\n`);
  process.exitCode = 1;
} finally {
  unlock();
}
