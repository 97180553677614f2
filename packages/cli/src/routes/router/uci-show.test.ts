import { describe, expect, it } from 'vitest';
import { parseUciShow } from './uci-show.js';

describe('uci show', () => {
  it('reads named and anonymous sections, quoted values and lists', () => {
    const text = [
      "network.loopback=interface",
      "network.loopback.device='lo'",
      "network.lan=interface",
      "network.lan.ipaddr='192.0.2.1'",
      "network.lan.dns='192.0.2.53' '198.51.100.53'",
      "network.minilb_worker_1_v4=route",
      "network.minilb_worker_1_v4.target='10.244.1.0/24'",
      "network.@route[0]=route",
      "network.@route[0].target='10.244.3.0'",
      "network.@route[0].netmask='255.255.255.0'",
      "network.lan.description='it'\\''s the LAN'",
    ].join('\n');
    const sections = parseUciShow(text, 'network');
    expect([...sections.keys()]).toEqual(['loopback', 'lan', 'minilb_worker_1_v4', '@route[0]']);
    expect(sections.get('lan')!.options.get('dns')).toEqual(['192.0.2.53', '198.51.100.53']);
    expect(sections.get('lan')!.options.get('description')).toEqual(["it's the LAN"]);
    expect(sections.get('@route[0]')).toMatchObject({ type: 'route' });
    expect(sections.get('@route[0]')!.options.get('netmask')).toEqual(['255.255.255.0']);
  });

  it('ignores other configs and noise', () => {
    expect(parseUciShow("system.@system[0]=system\nBusyBox banner\n", 'network').size).toBe(0);
  });
});
