// Splits a TCP byte stream into DNS messages by their 2-byte length prefix (RFC 1035 4.2.2),
// whatever the chunking. A message inside one chunk is a view of it; a message that spans
// chunks is copied into one buffer of its announced size as its bytes arrive, so a client
// that trickles one byte per segment costs one buffer, never one per segment.

export class FrameReader {
  private chunk: Buffer | undefined; // the unread rest of the last chunk pushed
  private lengthHigh: number | undefined; // first byte of a length prefix split across chunks
  private partial: Buffer | undefined; // a message spanning chunks, `filled` bytes so far
  private filled = 0;

  // True while bytes of an incomplete message (or its length prefix) are held.
  get midFrame(): boolean {
    return this.lengthHigh !== undefined || this.partial !== undefined || (this.chunk !== undefined && this.chunk.length > 0);
  }

  // Adds a chunk; call next() until it returns undefined before pushing the following one.
  append(chunk: Buffer): void {
    if (this.chunk && this.chunk.length > 0) {
      // The caller pushed without reading everything: keep both, at the cost of a copy.
      this.chunk = Buffer.concat([this.chunk, chunk]);
    } else {
      this.chunk = chunk;
    }
  }

  // The next complete message, or undefined when the held bytes do not make one yet.
  next(): Buffer | undefined {
    for (;;) {
      const chunk = this.chunk;
      if (!chunk || chunk.length === 0) return undefined;
      if (this.partial) {
        const used = Math.min(chunk.length, this.partial.length - this.filled);
        chunk.copy(this.partial, this.filled, 0, used);
        this.filled += used;
        this.chunk = chunk.subarray(used);
        if (this.filled < this.partial.length) return undefined;
        const message = this.partial;
        this.partial = undefined;
        return message;
      }
      let length: number;
      let start: number;
      if (this.lengthHigh !== undefined) {
        length = (this.lengthHigh << 8) | chunk[0]!;
        start = 1;
        this.lengthHigh = undefined;
      } else if (chunk.length >= 2) {
        length = chunk.readUInt16BE(0);
        start = 2;
      } else {
        this.lengthHigh = chunk[0]!;
        this.chunk = undefined;
        return undefined;
      }
      if (chunk.length - start >= length) {
        this.chunk = chunk.subarray(start + length);
        return chunk.subarray(start, start + length);
      }
      this.partial = Buffer.allocUnsafe(length);
      this.filled = 0;
      this.chunk = chunk.subarray(start);
    }
  }

  // Every complete message in the chunk and the bytes held before it.
  push(chunk: Buffer): Buffer[] {
    this.append(chunk);
    const frames: Buffer[] = [];
    for (let frame = this.next(); frame; frame = this.next()) frames.push(frame);
    return frames;
  }
}
