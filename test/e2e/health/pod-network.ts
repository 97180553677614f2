// Pod networks for the failover scenarios: one network namespace per "node", joined to this
// machine by a veth pair, holding that node's pod IPs (198.51.100.0/24) and a real TCP listener
// on them. Taking the namespace's link down is a node dying as the network sees it, while the
// API server still says Ready. Names carry the test's pid, so parallel runs cannot collide and
// a later run removes what a killed one left behind.

import { existsSync } from 'node:fs';
import { must, run } from '../routers/netns-lab.js';
import { makeDir, startProcess, type ManagedProcess } from '../harness/index.js';

const prefix = 'mlbh-';

// A node's "kubelet side": the namespace, the host end of its link, its pods' listener.
export interface PodNode {
  name: string;
  netns: string;
  hostDev: string;
  hostAddr: string;
  podIPs: string[];
  listener: ManagedProcess;
}

const listenerScript = (port: number) => `
const net = require('node:net');
// A probe ends with a RST: the reset is expected, not a crash.
net.createServer((s) => { s.on('error', () => {}); s.end(); }).listen(${port}, '0.0.0.0', () => console.log('listening on ${port}'));
`;

// Removes namespaces and host links left by runs whose process is gone.
export function cleanStalePodNetworks(): void {
  for (const line of run('ip', ['netns', 'list']).stdout.split('\n')) {
    const name = line.split(' ')[0] ?? '';
    const owner = new RegExp(`^${prefix}(\\d+)-`).exec(name);
    if (owner && !existsSync(`/proc/${owner[1]}`)) run('ip', ['netns', 'del', name]);
  }
  for (const line of run('ip', ['-o', 'link', 'show']).stdout.split('\n')) {
    const dev = /^\d+: (mh(\d+)n\d+)[@:]/.exec(line);
    if (dev && !existsSync(`/proc/${dev[2]}`)) run('ip', ['link', 'del', dev[1]!]);
  }
}

export class PodNetwork {
  readonly nodes = new Map<string, PodNode>();
  private readonly routes: string[] = [];
  private readonly exitHook = () => this.destroySync();

  constructor(private readonly port: number) {
    cleanStalePodNetworks();
    process.once('exit', this.exitHook);
  }

  // A node with `count` pod IPs; index picks 198.51.100.<10*index + 1..count>.
  async addNode(name: string, index: number, count: number): Promise<PodNode> {
    const netns = `${prefix}${process.pid}-${name}`;
    const hostDev = `mh${process.pid}n${index}`;
    const hostAddr = `203.0.113.${index}`;
    must('ip', ['netns', 'add', netns]);
    must('ip', ['-n', netns, 'link', 'set', 'lo', 'up']);
    must('ip', ['link', 'add', hostDev, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', netns]);
    must('ip', ['addr', 'add', `${hostAddr}/32`, 'dev', hostDev]);
    must('ip', ['link', 'set', hostDev, 'up']);
    must('ip', ['-n', netns, 'link', 'set', 'eth0', 'up']);
    must('ip', ['-n', netns, 'route', 'add', `${hostAddr}/32`, 'dev', 'eth0']);
    const podIPs: string[] = [];
    for (let i = 1; i <= count; i++) {
      const ip = `198.51.100.${index * 10 + i}`;
      must('ip', ['-n', netns, 'addr', 'add', `${ip}/32`, 'dev', 'eth0']);
      must('ip', ['route', 'add', `${ip}/32`, 'dev', hostDev, 'src', hostAddr]);
      this.routes.push(ip);
      podIPs.push(ip);
    }
    const listener = startProcess({
      name: `listener-${name}`,
      command: 'ip',
      args: ['netns', 'exec', netns, process.execPath, '-e', listenerScript(this.port)],
      dir: makeDir(`listener-${name}`),
    });
    const node: PodNode = { name, netns, hostDev, hostAddr, podIPs, listener };
    this.nodes.set(name, node);
    return node;
  }

  // The node's network dies (or comes back): its link inside the namespace goes down (up).
  // Setting a link down drops the routes through it, so coming back puts the route home again.
  setLink(name: string, up: boolean): void {
    const node = this.node(name);
    must('ip', ['-n', node.netns, 'link', 'set', 'eth0', up ? 'up' : 'down']);
    if (up) must('ip', ['-n', node.netns, 'route', 'replace', `${node.hostAddr}/32`, 'dev', 'eth0']);
  }

  node(name: string): PodNode {
    const node = this.nodes.get(name);
    if (!node) throw new Error(`no pod network node ${name}`);
    return node;
  }

  async destroy(): Promise<void> {
    for (const node of this.nodes.values()) await node.listener.stop();
    this.destroySync();
  }

  private destroySync(): void {
    process.off('exit', this.exitHook);
    for (const ip of this.routes.splice(0)) run('ip', ['route', 'del', `${ip}/32`]);
    for (const node of this.nodes.values()) {
      run('ip', ['link', 'del', node.hostDev]);
      for (const pid of run('ip', ['netns', 'pids', node.netns]).stdout.split('\n').filter((p) => /^\d+$/.test(p))) {
        try {
          process.kill(Number(pid), 'SIGKILL');
        } catch {
          // Gone already.
        }
      }
      run('ip', ['netns', 'del', node.netns]);
    }
    this.nodes.clear();
  }
}
