// The pinned helm (built by peers/build.mjs) with its own config, cache and data folders, so
// tests never read or write the user's ~/.config/helm.
import { execFile } from 'node:child_process';
import { ensurePeers } from './peers.js';
import { makeDir } from './run-dir.js';

export interface HelmResult {
  code: number;
  stdout: string;
  stderr: string;
}

let home: string | undefined;

/** Runs `helm <args>`; resolves with the exit code and output, whatever the code. */
export async function helm(args: string[], opts: { kubeconfig?: string; timeoutMs?: number } = {}): Promise<HelmResult> {
  const { helm: binary } = await ensurePeers();
  home ??= makeDir('helm');
  const env = {
    ...process.env,
    HELM_CONFIG_HOME: `${home}/config`,
    HELM_CACHE_HOME: `${home}/cache`,
    HELM_DATA_HOME: `${home}/data`,
    ...(opts.kubeconfig ? { KUBECONFIG: opts.kubeconfig } : {}),
  };
  return new Promise((resolve, reject) => {
    execFile(binary, args, { env, timeout: opts.timeoutMs ?? 120_000, maxBuffer: 32 << 20 }, (err, stdout, stderr) => {
      if (err && typeof err.code !== 'number') return reject(new Error(`helm ${args.join(' ')} could not run: ${err.message}`));
      resolve({ code: typeof err?.code === 'number' ? err.code : 0, stdout, stderr });
    });
  });
}

/** Like helm(), but rejects with helm's stderr on a non-zero exit. */
export async function helmOk(args: string[], opts: { kubeconfig?: string; timeoutMs?: number } = {}): Promise<string> {
  const result = await helm(args, opts);
  if (result.code !== 0) throw new Error(`helm ${args.join(' ')} failed (exit ${result.code}): ${result.stderr || result.stdout}`);
  return result.stdout;
}
