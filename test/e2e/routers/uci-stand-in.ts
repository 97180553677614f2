// A STAND-IN for OpenWrt's `uci`, which Debian does not package: a BusyBox ash script that
// records every call and keeps the network config as `uci show` lines, so minilb's reads see
// its writes. The calls it records are what the scenarios compare with golden files; the
// rest of the OpenWrt-like router (dropbear, BusyBox ash and ip, the kernel) is real.
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const script = (state: string): string => `#!/usr/local/sbin/ash
# STAND-IN for OpenWrt's uci (not packaged for Debian), written by minilb's router e2e tests.
# It supports only what minilb uses, on the "network" config: changes, show, set, delete,
# commit, revert; and it records each call in ${state}/calls.
state=${state}
echo "$*" >> "$state/calls"
fail() { echo "uci: $1" >&2; exit 1; }
# A test makes one call fail by writing a fixed string that the call's arguments contain.
[ -s "$state/fail-on" ] && echo "$*" | grep -qF "$(cat "$state/fail-on")" && fail 'Invalid argument'
[ "$2" = network ] || [ "\${2#network.}" != "$2" ] || fail 'Entry not found'
case "$1" in
  changes) cat "$state/changes" ;;
  show) cat "$state/staged" ;;
  commit) cp "$state/staged" "$state/committed"; : > "$state/changes" ;;
  revert) cp "$state/committed" "$state/staged"; : > "$state/changes" ;;
  set)
    key=\${2%%=*}; value=\${2#*=}
    [ "$key" != "$2" ] || fail 'Invalid argument'
    case "$key" in
      network.*.*)
        grep -q "^\${key%.*}=" "$state/staged" || fail 'Invalid argument'
        grep -v "^$key=" "$state/staged" > "$state/tmp"
        echo "$key='$value'" >> "$state/tmp"
        mv "$state/tmp" "$state/staged" ;;
      *)
        grep -v "^$key=" "$state/staged" > "$state/tmp"
        echo "$key=$value" >> "$state/tmp"
        mv "$state/tmp" "$state/staged" ;;
    esac
    echo "$key='$value'" >> "$state/changes" ;;
  delete)
    grep -q "^$2[.=]" "$state/staged" || fail 'Entry not found'
    grep -v "^$2[.=]" "$state/staged" > "$state/tmp"
    mv "$state/tmp" "$state/staged"
    echo "-$2" >> "$state/changes" ;;
  *) fail "stand-in does not support: $*" ;;
esac
`;

// The committed config a fresh OpenWrt router starts with (trimmed to what matters here).
export const baseNetworkConfig = [
  'network.loopback=interface',
  "network.loopback.device='lo'",
  "network.loopback.proto='static'",
  'network.lan=interface',
  "network.lan.device='br-lan'",
  "network.lan.proto='static'",
  "network.lan.ipaddr='192.0.2.1'",
  "network.lan.netmask='255.255.255.0'",
];

export class UciStandIn {
  readonly state: string;

  constructor(binDir: string, stateDir: string) {
    this.state = stateDir;
    mkdirSync(stateDir, { recursive: true });
    writeFileSync(join(binDir, 'uci'), script(stateDir));
    chmodSync(join(binDir, 'uci'), 0o755);
    this.reset(baseNetworkConfig);
  }

  // Starts a scenario: committed config, optional pending edits, and an empty call record.
  reset(config: string[], pending: string[] = []): void {
    const text = config.map((l) => `${l}\n`).join('');
    writeFileSync(join(this.state, 'committed'), text);
    writeFileSync(join(this.state, 'staged'), text);
    writeFileSync(join(this.state, 'changes'), pending.map((l) => `${l}\n`).join(''));
    this.failOn('');
    this.clearCalls();
  }

  // Makes the next calls whose arguments contain `text` fail as uci would ('' for none).
  failOn(text: string): void {
    writeFileSync(join(this.state, 'fail-on'), text);
  }

  clearCalls(): void {
    writeFileSync(join(this.state, 'calls'), '');
  }

  calls(): string {
    return readFileSync(join(this.state, 'calls'), 'utf8');
  }

  committed(): string[] {
    return readFileSync(join(this.state, 'committed'), 'utf8').split('\n').filter(Boolean);
  }
}
