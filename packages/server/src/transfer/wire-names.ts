// Names in messages minilb reads whole (transfer requests, TSIG, replies to our NOTIFY): skip,
// read and write them without trusting the input. Pointer loops are cut by a hop limit.

export function skipName(message: Buffer, start: number): number {
  let offset = start;
  for (let labels = 0; labels < 128; labels++) {
    const length = message[offset];
    if (length === undefined) throw new RangeError('name truncated');
    if (length === 0) return offset + 1;
    if ((length & 0xc0) === 0xc0) return offset + 2;
    if (length > 63) throw new RangeError('bad label');
    offset += 1 + length;
  }
  throw new RangeError('name too long');
}

// Lower-cased, dot-separated, no trailing dot; follows compression pointers.
export function readName(message: Buffer, start: number): string {
  const labels: string[] = [];
  let offset = start;
  for (let hops = 0; hops < 128; hops++) {
    const length = message[offset];
    if (length === undefined) throw new RangeError('name truncated');
    if (length === 0) return labels.join('.').toLowerCase();
    if ((length & 0xc0) === 0xc0) {
      offset = message.readUInt16BE(offset) & 0x3fff;
      continue;
    }
    if (offset + 1 + length > message.length) throw new RangeError('label truncated');
    labels.push(message.toString('latin1', offset + 1, offset + 1 + length));
    offset += 1 + length;
  }
  throw new RangeError('name loop');
}

// Uncompressed wire form, lower-cased (the canonical form TSIG digests).
export function wireName(name: string): Buffer {
  const parts: Buffer[] = [];
  for (const label of name.toLowerCase().split('.')) {
    if (label === '') continue;
    parts.push(Buffer.from([label.length]), Buffer.from(label, 'latin1'));
  }
  parts.push(Buffer.from([0]));
  return Buffer.concat(parts);
}

// The serial of the SOA record starting at `offset` (its owner name first).
export function soaSerialAt(message: Buffer, offset: number): number | undefined {
  const nameEnd = skipName(message, offset);
  if (message.readUInt16BE(nameEnd) !== 6) return undefined;
  const rdata = nameEnd + 10;
  const end = rdata + message.readUInt16BE(nameEnd + 8);
  const serialAt = skipName(message, skipName(message, rdata));
  if (serialAt + 20 > end || end > message.length) return undefined;
  return message.readUInt32BE(serialAt);
}
