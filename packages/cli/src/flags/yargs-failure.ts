// Turns a yargs failure into one line that names the flag as the user typed it
// ("unknown flag --dryrun"), instead of yargs's own multi-line wording.

// How `name` appeared on the command line: `-manifests`, `--dryrun`, `-x`.
function asTyped(name: string, argv: readonly string[]): string | undefined {
  for (const token of argv) {
    if (token === '--') break;
    const m = /^(--?)([^=]+)/.exec(token);
    if (m && (m[2] === name || m[2] === `no-${name}`)) return `${m[1]}${m[2]}`;
  }
  return undefined;
}

export function yargsFailureLine(message: string, argv: readonly string[], commands: readonly string[]): string {
  const unknown = /^Unknown arguments?: (.+)$/.exec(message.trim());
  if (unknown) {
    const names = unknown[1]!.split(', ');
    const flags = names.map((n) => asTyped(n, argv)).filter((f): f is string => f !== undefined);
    if (flags.length > 0) return `unknown flag${flags.length > 1 ? 's' : ''} ${flags.join(', ')}`;
    const first = names[0]!;
    if (argv.find((a) => !a.startsWith('-')) === first && !commands.includes(first)) {
      return `unknown command ${JSON.stringify(first)}: give ${commands.slice(0, -1).join(', ')} or ${commands[commands.length - 1]}`;
    }
    return `unexpected argument ${JSON.stringify(first)}`;
  }
  if (/^Not enough non-option arguments/.test(message)) {
    return argv.some((a) => a === 'inspect') ? 'inspect needs a hostname (example: minilb inspect web.shop.minilb)' : 'a command or argument is missing';
  }
  const following = /^Not enough arguments following: (.+)$/.exec(message.trim());
  if (following) return `${asTyped(following[1]!, argv) ?? `--${following[1]}`} needs a value`;
  return message.replace(/\s*\n\s*/g, ' ').trim();
}
