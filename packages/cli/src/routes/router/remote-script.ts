// The scripts sent to a router on ssh's stdin and the parsing of what they print: each step's
// output sits between marker lines with its exit status, so banners and profile noise are ignored.

export type StepCondition = 'always' | 'if-ok' | 'if-failed';


export interface ScriptStep {
  name: string; // [A-Za-z0-9_.-]
  command: string; // POSIX shell, already quoted
  when?: StepCondition; // against the steps marked `gate` before it; 'always' by default
  gate?: boolean; // a failure of this step makes later 'if-ok' steps skip
  test?: string; // a shell condition the step also needs ('[ -f /etc/openwrt_release ]')
}

export interface StepResult {
  status: number | 'skipped';
  output: string; // stdout and stderr together, as the operator would have seen them
}

const marker = '@@minilb';

export function buildScript(steps: readonly ScriptStep[]): string {
  const lines = [
    // The script is read from stdin, so no command may read it: each step gets /dev/null.
    'LC_ALL=C; export LC_ALL',
    'minilb_ok=1',
  ];
  for (const step of steps) {
    if (!/^[A-Za-z0-9_.-]+$/.test(step.name)) throw new Error(`bad step name ${step.name}`);
    const run = `{ ${step.command}\n} </dev/null 2>&1; minilb_rc=$?`;
    lines.push(`echo '${marker} begin ${step.name}'`);
    const conditions = [
      ...(step.when === 'if-ok' ? ['[ "$minilb_ok" = 1 ]'] : step.when === 'if-failed' ? ['[ "$minilb_ok" != 1 ]'] : []),
      ...(step.test ? [step.test] : []),
    ];
    lines.push(conditions.length === 0 ? run : `if ${conditions.join(' && ')}; then ${run}; else minilb_rc=skipped; fi`);
    if (step.gate) lines.push('[ "$minilb_rc" = 0 ] || [ "$minilb_rc" = skipped ] || minilb_ok=0');
    lines.push(`echo "${marker} end ${step.name} $minilb_rc"`);
  }
  lines.push(`echo '${marker} done'`);
  return `${lines.join('\n')}\n`;
}

export interface ScriptOutput {
  steps: Map<string, StepResult>;
  complete: boolean; // false when the script stopped before its last line (connection lost)
}

export function parseScriptOutput(stdout: string): ScriptOutput {
  const steps = new Map<string, StepResult>();
  let current: { name: string; lines: string[] } | undefined;
  let complete = false;
  for (const line of stdout.split('\n')) {
    if (line.startsWith(`${marker} `)) {
      const [, word, name, status] = line.split(' ');
      if (word === 'begin' && name) current = { name, lines: [] };
      else if (word === 'end' && name && current?.name === name) {
        steps.set(name, {
          status: status === 'skipped' ? 'skipped' : Number(status),
          output: current.lines.join('\n'),
        });
        current = undefined;
      } else if (word === 'done') complete = true;
      continue;
    }
    current?.lines.push(line);
  }
  return { steps, complete };
}
