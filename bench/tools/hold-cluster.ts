// A harness cluster holding the scale set until Ctrl-C, for profiling minilb by hand:
//   BENCH_ENTRY=tools/hold-cluster.ts node bench/run.mjs [SERVICES]
// prints the admin kubeconfig path (also written to $BENCH_KUBECONFIG_OUT, default
// .cache/bench-kubeconfig) for `minilb-server -kubeconfig` and CoreDNS.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { installGatewayApiCrds, repoRoot, startCluster } from '#e2e-harness';
import { BulkWriter } from '../src/kube-bulk.js';
import { createScaleSet } from '../src/scale.js';

export async function main(argv: string[]): Promise<number> {
  const services = Number(argv[0] ?? 10000);
  const cluster = await startCluster();
  await installGatewayApiCrds('standard');
  const w = await BulkWriter.create(cluster);
  if (services > 0) {
    const c = await createScaleSet(w, { services, endpointsPerService: 10, ingresses: services / 10, routes: services / 10 });
    console.log(`created ${c.objects} in ${c.seconds.toFixed(1)} s`);
  }
  writeFileSync(process.env.BENCH_KUBECONFIG_OUT ?? join(repoRoot, '.cache/bench-kubeconfig'), cluster.kubeconfigPath);
  console.log(`kubeconfig ${cluster.kubeconfigPath}`);
  await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
  await w.close();
  await cluster.stop();
  return 0;
}
