// Quotes words for the POSIX shell on the router (bash, dash or BusyBox ash): the scripts are
// sent as text on ssh's stdin, so every value that reaches them goes through here.

const plain = /^[A-Za-z0-9_@%+=:,./-]+$/;

export function shellQuote(word: string): string {
  if (plain.test(word)) return word;
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

export function shellCommand(argv: readonly string[]): string {
  return argv.map(shellQuote).join(' ');
}
