// Command line of `npm run bench`: full or --quick scale, and --only to run some sections.

export const SECTIONS = ['throughput', 'reload', 'cluster', 'propagation', 'failover', 'cpu', 'scale', 'transfer', 'nodedeath', 'probeload', 'footprint', 'attack'] as const;
export type Section = (typeof SECTIONS)[number];

export interface BenchOptions {
  quick: boolean;
  sections: Set<Section>;
  /** Full-speed dnsperf rounds per server (the best counts), their length, the 80% run's length. */
  rounds: number;
  roundSeconds: number;
  latencySeconds: number;
  warmupSeconds: number;
  throughputServices: number;
  throughputIngresses: number;
  hotServices: number;
  queryLines: number;
  scale: { services: number; endpointsPerService: number; ingresses: number; routes: number };
  flips: number;
  failoverTrials: number;
  /** Trials of the node-death scenario (its own cluster, with the node lifecycle controller). */
  nodeDeathTrials: number;
  /** Seconds of health checking measured at 1,000 endpoints. */
  probeLoadSeconds: number;
  cpuSeconds: number;
  /** Seconds after sync before memory is read at scale (the same for every server). */
  settleSeconds: number;
  /** footprint: the stages (idle, then growing sets) and the window each is sampled over. */
  footprintStages: Array<{ label: string; set: { services: number; endpointsPerService: number; ingresses: number; routes: number }; startAfterCreation?: boolean }>;
  footprintWindowSeconds: number;
  /** --image-node-arg=FLAG: try Node flags for the image before the Dockerfile's entrypoint has them. */
  imageNodeArgs: string[];
  /** Where the report goes (bench/results/latest.{md,json}); --out to change. */
  outBase: string | undefined;
  /** Node flags for the minilb processes, e.g. --cpu-prof (profiling a run). */
  minilbNodeArgs: string[];
  /** --minilb-bundle=PATH: another build of minilb-server.mjs (for before/after figures). */
  minilbBundle: string | undefined;
  /** --write-data=DIR: write the throughput set's files there and stop (for profiling by hand). */
  dataDir: string | undefined;
}

export const USAGE = `npm run bench [-- --quick] [--only=${SECTIONS.join(',')}] [--window=SECONDS] [--stages=idle,1000,10000] [--image-node-arg=FLAG]... [--out=PATH] [--minilb-node-arg=FLAG]... [--minilb-bundle=PATH] [--write-data=DIR]`;

// The same endpoints per Service in every stage: a stage leaves the earlier ones' objects as they are.
const IDLE_STAGE = { label: 'idle (5 Services)', set: { services: 5, endpointsPerService: 10, ingresses: 0, routes: 0 } };
const SMALL_STAGE = { label: '1,000 Services', set: { services: 1_000, endpointsPerService: 10, ingresses: 100, routes: 100 } };
// Written with the servers stopped, then measured after they start again (see footprint.ts).
const LARGE_STAGE = { label: '10,000 Services', set: { services: 10_000, endpointsPerService: 10, ingresses: 1_000, routes: 1_000 }, startAfterCreation: true };
const STAGES: Record<string, typeof LARGE_STAGE | typeof IDLE_STAGE> = { idle: IDLE_STAGE, '1000': SMALL_STAGE, '10000': LARGE_STAGE };

export function parseOptions(argv: string[]): BenchOptions {
  const quick = argv.includes('--quick');
  let sections = new Set<Section>(SECTIONS);
  let outBase: string | undefined = 'bench/results/latest';
  const minilbNodeArgs: string[] = [];
  let dataDir: string | undefined;
  let minilbBundle: string | undefined;
  let windowSeconds: number | undefined;
  const imageNodeArgs: string[] = [];
  let stages: BenchOptions['footprintStages'] | undefined;
  for (const a of argv) {
    if (a === '--quick') continue;
    if (a.startsWith('--only=')) {
      const want = a.slice('--only='.length).split(',');
      for (const w of want) if (!(SECTIONS as readonly string[]).includes(w)) throw new Error(`--only: unknown section "${w}"; sections: ${SECTIONS.join(', ')}`);
      sections = new Set(want as Section[]);
    } else if (a.startsWith('--out=')) {
      outBase = a.slice('--out='.length) || undefined;
    } else if (a.startsWith('--minilb-bundle=')) {
      minilbBundle = a.slice('--minilb-bundle='.length);
    } else if (a.startsWith('--write-data=')) {
      dataDir = a.slice('--write-data='.length);
    } else if (a.startsWith('--window=')) {
      windowSeconds = Number(a.slice('--window='.length));
      if (!Number.isInteger(windowSeconds) || windowSeconds < 1) throw new Error(`--window: "${a.slice('--window='.length)}" is not a whole number of seconds`);
    } else if (a.startsWith('--stages=')) {
      stages = a.slice('--stages='.length).split(',').map((w) => {
        const stage = STAGES[w];
        if (!stage) throw new Error(`--stages: unknown stage "${w}"; stages: ${Object.keys(STAGES).join(', ')}`);
        return stage;
      });
    } else if (a.startsWith('--image-node-arg=')) {
      imageNodeArgs.push(a.slice('--image-node-arg='.length));
    } else if (a.startsWith('--minilb-node-arg=')) {
      minilbNodeArgs.push(a.slice('--minilb-node-arg='.length));
    } else {
      throw new Error(`unknown argument "${a}"; usage: ${USAGE}`);
    }
  }
  // A partial run, or one of another build, does not overwrite the published table unless asked to.
  if ((sections.size !== SECTIONS.length || minilbBundle) && !argv.some((a) => a.startsWith('--out='))) outBase = undefined;
  return quick
    ? {
        quick,
        sections,
        rounds: 2,
        roundSeconds: 2,
        latencySeconds: 2,
        warmupSeconds: 1,
        throughputServices: 300,
        throughputIngresses: 60,
        hotServices: 30,
        queryLines: 10_000,
        scale: { services: 1_000, endpointsPerService: 10, ingresses: 100, routes: 100 },
        flips: 40,
        failoverTrials: 1,
        nodeDeathTrials: 1,
        probeLoadSeconds: 5,
        cpuSeconds: 4,
        settleSeconds: 5,
        footprintStages: stages ?? [IDLE_STAGE, SMALL_STAGE],
        footprintWindowSeconds: windowSeconds ?? 10,
        imageNodeArgs,
        outBase: outBase === 'bench/results/latest' ? 'bench/results/quick' : outBase,
        minilbNodeArgs,
        dataDir,
        minilbBundle,
      }
    : {
        quick,
        sections,
        rounds: 3,
        roundSeconds: 5,
        latencySeconds: 10,
        warmupSeconds: 2,
        throughputServices: 1_000,
        throughputIngresses: 200,
        hotServices: 100,
        queryLines: 20_000,
        scale: { services: 10_000, endpointsPerService: 10, ingresses: 1_000, routes: 1_000 },
        flips: 200,
        failoverTrials: 5,
        nodeDeathTrials: 3,
        probeLoadSeconds: 10,
        cpuSeconds: 10,
        settleSeconds: 20,
        footprintStages: stages ?? [IDLE_STAGE, SMALL_STAGE, LARGE_STAGE],
        footprintWindowSeconds: windowSeconds ?? 120,
        imageNodeArgs,
        outBase,
        minilbNodeArgs,
        dataDir,
        minilbBundle,
      };
}
