// `minilb secondary`: the configuration that makes a router's own DNS server (Knot, BIND,
// Unbound, PowerDNS) a secondary of minilb, so it holds a live copy of every minilb zone.

export const secondaryFormats = ['knot', 'bind', 'unbound', 'powerdns'] as const;
export type SecondaryFormat = (typeof secondaryFormats)[number];

export interface SecondaryKey {
  name: string;
  algorithm: string; // as the key file names it, e.g. hmac-sha256
  secret: string; // base64
}

export interface SecondaryOptions {
  format: SecondaryFormat;
  primary: { host: string; port: number }; // where minilb answers transfers
  zones: string[]; // apexes, the minilb zone first
  key: SecondaryKey | undefined;
  // Networks minilb's NOTIFY may come from (its pods' addresses) when there is no key to check.
  notifyFrom: string[];
}

export function secondaryStanza(options: SecondaryOptions): string {
  switch (options.format) {
    case 'knot':
      return knot(options);
    case 'bind':
      return bind(options);
    case 'unbound':
      return unbound(options);
    case 'powerdns':
      return powerdns(options);
  }
}

const header = (options: SecondaryOptions, comment: string): string[] => [
  `${comment} minilb zones, transferred from ${formatPrimary(options.primary)} and kept current by its NOTIFY.`,
  `${comment} New hostnames are new zones: run \`minilb secondary\` again when you add Ingresses.`,
];

function formatPrimary(primary: SecondaryOptions['primary']): string {
  return primary.host.includes(':') ? `[${primary.host}]:${primary.port}` : `${primary.host}:${primary.port}`;
}

function knot(options: SecondaryOptions): string {
  const { key, primary } = options;
  const lines = [...header(options, '#')];
  if (key) lines.push('key:', `  - id: ${key.name}`, `    algorithm: ${key.algorithm}`, `    secret: ${key.secret}`, '');
  lines.push('remote:', '  - id: minilb', `    address: ${primary.host}@${primary.port}`);
  if (key) lines.push(`    key: ${key.name}`);
  lines.push('', 'acl:', '  - id: minilb-notify');
  if (key) lines.push(`    key: ${key.name}`);
  else lines.push(`    address: [${options.notifyFrom.join(', ')}]`);
  lines.push('    action: notify', '', 'template:', '  - id: minilb', '    master: minilb', '    acl: minilb-notify', '', 'zone:');
  for (const zone of options.zones) lines.push(`  - domain: ${zone}`, '    template: minilb');
  return `${lines.join('\n')}\n`;
}

function bind(options: SecondaryOptions): string {
  const { key, primary } = options;
  const lines = [...header(options, '//')];
  if (key) lines.push(`key "${key.name}" {`, `    algorithm ${key.algorithm};`, `    secret "${key.secret}";`, '};', '');
  const keyRef = key ? ` key "${key.name}"` : '';
  const allowNotify = key ? `key "${key.name}";` : options.notifyFrom.map((n) => `${n};`).join(' ');
  for (const zone of options.zones) {
    lines.push(
      `zone "${zone}" {`,
      '    type secondary;',
      `    primaries port ${primary.port} { ${primary.host}${keyRef}; };`,
      `    allow-notify { ${allowNotify} };`,
      '};',
    );
  }
  return `${lines.join('\n')}\n`;
}

function unbound(options: SecondaryOptions): string {
  const lines = [...header(options, '#')];
  if (options.key) {
    lines.push(
      '# Unbound cannot sign transfers with TSIG: give minilb -transfer-allow with this host\'s',
      `# address and no -tsig-key, or use Knot or BIND (key ${options.key.name} is not used here).`,
    );
  }
  for (const zone of options.zones) {
    lines.push(
      'auth-zone:',
      `    name: "${zone}"`,
      `    primary: ${options.primary.host}@${options.primary.port}`,
      ...options.notifyFrom.map((n) => `    allow-notify: ${n}`),
      '    fallback-enabled: yes',
      '    for-downstream: yes',
      '    for-upstream: yes',
    );
  }
  return `${lines.join('\n')}\n`;
}

function powerdns(options: SecondaryOptions): string {
  const { key, primary } = options;
  const lines = [...header(options, '#'), '# pdns.conf needs: secondary=yes'];
  if (options.notifyFrom.length > 0) lines.push(`#   and allow-notify-from=${options.notifyFrom.join(',')}`);
  if (key) lines.push(`pdnsutil import-tsig-key ${key.name} ${key.algorithm} '${key.secret}'`);
  for (const zone of options.zones) {
    lines.push(`pdnsutil create-secondary-zone ${zone} ${formatPrimary(primary)}`);
    if (key) lines.push(`pdnsutil activate-tsig-key ${zone} ${key.name} secondary`);
  }
  return `${lines.join('\n')}\n`;
}
