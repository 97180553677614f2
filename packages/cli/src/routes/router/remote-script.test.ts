import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { buildScript, parseScriptOutput } from './remote-script.js';
import { shellCommand, shellQuote } from './shell-quote.js';

// Runs a script the way the router would (sh -s, script on stdin).
function runLocally(script: string): string {
  return execFileSync('sh', ['-s'], { input: script, encoding: 'utf8' });
}

describe('remote scripts', () => {
  it("marks each step's output and exit status, and ignores what is printed around them", () => {
    const script = buildScript([
      { name: 'one', command: 'echo hello; echo oops >&2' },
      { name: 'two', command: 'exit_with() { return $1; }; exit_with 3' },
    ]);
    const out = parseScriptOutput(`Welcome to the router\n${runLocally(script)}`);
    expect(out.complete).toBe(true);
    expect(out.steps.get('one')).toEqual({ status: 0, output: 'hello\noops' });
    expect(out.steps.get('two')).toEqual({ status: 3, output: '' });
  });

  it('skips if-ok steps after a gate fails and runs if-failed steps then', () => {
    const script = buildScript([
      { name: 'a', command: 'true', when: 'if-ok', gate: true },
      { name: 'b', command: 'false', when: 'if-ok', gate: true },
      { name: 'c', command: 'echo never', when: 'if-ok', gate: true },
      { name: 'revert', command: 'echo reverting', when: 'if-failed' },
      { name: 'd', command: 'echo always' },
    ]);
    const out = parseScriptOutput(runLocally(script));
    expect([...out.steps].map(([name, r]) => [name, r.status, r.output])).toEqual([
      ['a', 0, ''],
      ['b', 1, ''],
      ['c', 'skipped', ''],
      ['revert', 0, 'reverting'],
      ['d', 0, 'always'],
    ]);
  });

  it('runs a step only where its test holds', () => {
    const script = buildScript([
      { name: 'yes', command: 'echo ran', test: '[ -d / ]' },
      { name: 'no', command: 'echo ran', test: '[ -f /nonexistent/openwrt_release ]' },
    ]);
    const out = parseScriptOutput(runLocally(script));
    expect(out.steps.get('yes')!.status).toBe(0);
    expect(out.steps.get('no')!.status).toBe('skipped');
  });

  it('keeps the script on stdin away from the commands', () => {
    const script = buildScript([{ name: 'reader', command: 'cat' }, { name: 'after', command: 'echo still here' }]);
    const out = parseScriptOutput(runLocally(script));
    expect(out.steps.get('reader')!.output).toBe('');
    expect(out.steps.get('after')!.output).toBe('still here');
  });

  it('notices a script cut short', () => {
    const out = parseScriptOutput("@@minilb begin one\npartial");
    expect(out.complete).toBe(false);
    expect(out.steps.size).toBe(0);
  });

  it('quotes words for the shell', () => {
    expect(shellQuote('10.244.1.0/24')).toBe('10.244.1.0/24');
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    expect(runLocally(`printf '%s|' ${shellCommand(['a b', "it's", '$HOME', '`x`'])}`)).toBe("a b|it's|$HOME|`x`|");
  });
});
