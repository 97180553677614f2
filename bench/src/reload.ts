// Answer latency while minilb reloads a large manifest (issue 11): the same server, the same
// client (one query at a time) and the same names, first with nothing happening, then from the moment the
// manifest is rewritten until the last of its Services answers with its new addresses.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generatedAddresses, generatedManifest } from '../../packages/server/testing/generated-manifest.js';
import { DnsProbeClient } from './dns-client.js';
import { percentileOf } from './propagation.js';
import type { MinilbStart } from './servers.js';

export interface LatencyWindow {
  answers: number;
  lost: number;
  wrong: number; // neither the old nor the new addresses
  p50: number;
  p99: number;
  max: number;
}

export interface ReloadResult {
  services: number;
  manifestMiB: number;
  quiet: LatencyWindow;
  duringReload: LatencyWindow;
  reloadSeconds: number; // rewrite until the last Service answered its new addresses
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

// One query at a time, to one Service after another, until `stop` resolves: a client that waits
// for each answer, so its own backlog never adds to the latency. Each answer must be one of the
// two generations' addresses.
async function queryStream(client: DnsProbeClient, services: number, stop: Promise<void>): Promise<LatencyWindow> {
  const latencies: number[] = [];
  let lost = 0;
  let wrong = 0;
  let done = false;
  void stop.then(() => (done = true));
  for (let q = 0; !done; q++) {
    const i = (q * 7919) % services;
    const t0 = performance.now();
    const answer = await client.query(`svc-${i}.load.minilb`).catch(() => undefined);
    if (!answer) {
      lost++;
      continue;
    }
    latencies.push(performance.now() - t0);
    const got = answer.addresses.join();
    if (got !== generatedAddresses(i, 0).sort().join() && got !== generatedAddresses(i, 1).sort().join()) wrong++;
    if (q % 64 === 63) await sleep(0); // let the stop signal and the probe run
  }
  return {
    answers: latencies.length,
    lost,
    wrong,
    p50: percentileOf(latencies, 50),
    p99: percentileOf(latencies, 99),
    max: latencies.reduce((a, b) => Math.max(a, b), 0),
  };
}

export async function measureReload(
  start: (args: string[]) => Promise<MinilbStart>,
  dir: string,
  opts: { services: number; quietSeconds: number; log: (line: string) => void },
): Promise<ReloadResult> {
  const file = join(dir, 'reload-set.yaml');
  writeFileSync(file, generatedManifest(opts.services, 0));
  const next = generatedManifest(opts.services, 1);
  const minilb = await start(['-manifests', file]);
  const client = new DnsProbeClient(minilb.port);
  try {
    const quiet = await queryStream(client, opts.services, sleep(opts.quietSeconds * 1000));
    opts.log(`  no reload: p99 ${quiet.p99.toFixed(3)} ms over ${quiet.answers} answers`);
    const lastName = `svc-${opts.services - 1}.load.minilb`;
    const lastNew = generatedAddresses(opts.services - 1, 1).sort().join();
    const t0 = performance.now();
    writeFileSync(file, next);
    const applied = (async () => {
      const probe = new DnsProbeClient(minilb.port);
      try {
        for (;;) {
          const answer = await probe.query(lastName).catch(() => undefined);
          if (answer?.addresses.join() === lastNew) return;
          await sleep(20);
        }
      } finally {
        probe.close();
      }
    })();
    const duringReload = await queryStream(client, opts.services, applied);
    const reloadSeconds = (performance.now() - t0) / 1000;
    opts.log(`  during the reload (${reloadSeconds.toFixed(1)} s): p99 ${duringReload.p99.toFixed(3)} ms over ${duringReload.answers} answers`);
    return { services: opts.services, manifestMiB: Buffer.byteLength(next) / 2 ** 20, quiet, duringReload, reloadSeconds };
  } finally {
    client.close();
    await minilb.stop();
  }
}
