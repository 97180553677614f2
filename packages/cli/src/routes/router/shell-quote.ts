// Quotes words for the POSIX shell on the router (bash, dash or BusyBox ash): the scripts are
// sent as text on ssh's stdin, so every value that reaches them goes through here.

const plain = /^[A-Za-z0-9_@%+=:,./-]+$/;

export function shellQuote(word: string): string {
  return plain.test(word) ? word : singleQuoted(word);
}

// Always in single quotes, as OpenWrt's documentation writes UCI values.
export function singleQuoted(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

export function shellCommand(argv: readonly string[]): string {
  return argv.map(shellQuote).join(' ');
}
