// What one flood packet costs minilb's query handler, beside one legitimate query: the same
// modules the server runs, called directly (no sockets), timed with process.cpuUsage, so time
// spent waiting for a CPU on a busy machine does not count. The flood is one EDNS question from
// one source past its rate (dropped, every second one slipped as TC); the legitimate client
// asks the same question from an exempt address and gets the answer.
import { parseNetworkList, privateNetworks } from '../../packages/server/src/config/network-list.js';
import { createQueryHandler } from '../../packages/server/src/dns/query-handler.js';
import { Responder } from '../../packages/server/src/dns/responder.js';
import { ResponseRateLimiter } from '../../packages/server/src/dns/response-rate-limiter.js';
import { captureLog } from '../../packages/server/testing/captured-log.js';
import { encodeQuery } from '../../packages/server/testing/dns-test-client.js';
import { MapNameIndex } from '../../packages/server/testing/map-name-index.js';

export interface AttackCost {
  packets: number;
  floodUs: number; // CPU microseconds per flood packet, best of the rounds
  legitimateUs: number;
  floodReplies: number; // of `packets`: the slips (and the first second's answers)
}

export function measureAttackCost(packets = 300_000, rounds = 4): AttackCost {
  const index = new MapNameIndex('minilb').set('web.shop.minilb', { a: ['10.244.1.5', '10.244.2.7', '10.244.3.9'] });
  const responder = new Responder({ index, ttl: 5, negativeTtl: 5, relayAvailable: false, cacheEntries: 10_000 });
  const rateLimiter = new ResponseRateLimiter({ rate: 20, slip: 2, exempt: parseNetworkList('127.0.0.1/32') });
  const handle = createQueryHandler(responder, undefined, captureLog().log, { rateLimiter, relayAllow: parseNetworkList(privateNetworks.join(',')) });
  const packet = encodeQuery('web.shop.minilb', 'A', { edns: { udpPayloadSize: 4096 } });
  const run = (client: string): { us: number; replies: number } => {
    let replies = 0;
    const before = process.cpuUsage();
    for (let i = 0; i < packets; i++) {
      packet.writeUInt16BE(i & 0xffff, 0);
      if (handle(packet, 'udp', client)) replies++;
    }
    const used = process.cpuUsage(before);
    return { us: (used.user + used.system) / packets, replies };
  };
  let best: AttackCost = { packets, floodUs: Infinity, legitimateUs: Infinity, floodReplies: 0 };
  for (let round = 0; round < rounds; round++) {
    const flood = run('127.0.1.1');
    const legitimate = run('127.0.0.1');
    best = { packets, floodUs: Math.min(best.floodUs, flood.us), legitimateUs: Math.min(best.legitimateUs, legitimate.us), floodReplies: flood.replies };
  }
  return best;
}
