// What the rate limiter counts a response as: a positive answer by its question; negative
// answers and errors by class, so a flood of random names shares one bucket per netblock.

import { Rcode } from './protocol-numbers.js';

export function responseClass(questionKey: string | undefined, bytes: Buffer): string {
  const rcode = bytes.length >= 4 ? bytes[3]! & 0xf : -1;
  if (questionKey === undefined) return `error${rcode}`;
  const answers = bytes.length >= 8 ? bytes.readUInt16BE(6) : 0;
  if (rcode === Rcode.NOERROR && answers > 0) return questionKey;
  if (rcode === Rcode.NOERROR || rcode === Rcode.NXDOMAIN) return 'negative';
  return `error${rcode}`;
}
