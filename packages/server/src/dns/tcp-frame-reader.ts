// Splits a TCP byte stream into DNS messages by their 2-byte length prefix (RFC 1035 4.2.2),
// whatever the chunking; bytes are copied only when a message spans chunks.

export class FrameReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private expected: number | undefined;

  get bufferedBytes(): number {
    return this.buffered;
  }

  push(chunk: Buffer): Buffer[] {
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
    }
    const frames: Buffer[] = [];
    for (;;) {
      if (this.expected === undefined) {
        if (this.buffered < 2) break;
        this.expected = this.take(2).readUInt16BE(0);
      }
      if (this.buffered < this.expected) break;
      frames.push(this.take(this.expected));
      this.expected = undefined;
    }
    return frames;
  }

  // Joining on every chunk would make a client that trickles one byte at a time cost quadratic
  // copying; chunks are kept apart until a whole message is there.
  private take(length: number): Buffer {
    this.buffered -= length;
    const first = this.chunks[0];
    if (length === 0 || !first) return Buffer.alloc(0);
    if (first.length >= length) {
      if (first.length === length) this.chunks.shift();
      else this.chunks[0] = first.subarray(length);
      return first.subarray(0, length);
    }
    const out = Buffer.allocUnsafe(length);
    let filled = 0;
    while (filled < length) {
      const chunk = this.chunks[0]!;
      const used = Math.min(chunk.length, length - filled);
      chunk.copy(out, filled, 0, used);
      filled += used;
      if (used === chunk.length) this.chunks.shift();
      else this.chunks[0] = chunk.subarray(used);
    }
    return out;
  }
}
