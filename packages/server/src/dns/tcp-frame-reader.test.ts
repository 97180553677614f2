import { describe, expect, it } from 'vitest';
import { FrameReader } from './tcp-frame-reader.js';

function framed(...messages: string[]): Buffer {
  return Buffer.concat(
    messages.map((m) => {
      const body = Buffer.from(m);
      const prefix = Buffer.alloc(2);
      prefix.writeUInt16BE(body.length);
      return Buffer.concat([prefix, body]);
    }),
  );
}

describe('FrameReader', () => {
  it('reads several messages from one chunk, and an empty one', () => {
    const reader = new FrameReader();
    expect(reader.push(framed('abc', '', 'defg')).map(String)).toEqual(['abc', '', 'defg']);
    expect(reader.midFrame).toBe(false);
  });

  it('reassembles a message sent one byte at a time into a single buffer of its size', () => {
    const reader = new FrameReader();
    const stream = framed('hello world', 'x');
    const out: string[] = [];
    for (let i = 0; i < stream.length; i++) {
      out.push(...reader.push(stream.subarray(i, i + 1)).map(String));
      // Between the two messages (after byte 12) nothing is held.
      expect(reader.midFrame).toBe(i !== 12 && i !== stream.length - 1);
    }
    expect(out).toEqual(['hello world', 'x']);
    expect(reader.midFrame).toBe(false);
  });

  it('holds no more than the announced message size for a trickled frame', () => {
    const reader = new FrameReader();
    reader.push(Buffer.from([0x00, 0x10]));
    for (let i = 0; i < 15; i++) reader.push(Buffer.from([i]));
    // One 16-byte buffer being filled: the private state holds no per-segment buffers.
    expect((reader as unknown as { partial: Buffer }).partial.length).toBe(16);
    expect(reader.push(Buffer.from([15]))).toHaveLength(1);
  });

  it('hands out messages one by one with next(), leaving the rest for later', () => {
    const reader = new FrameReader();
    reader.append(framed('a', 'b', 'c'));
    expect(String(reader.next())).toBe('a');
    expect(reader.midFrame).toBe(true);
    expect(String(reader.next())).toBe('b');
    expect(String(reader.next())).toBe('c');
    expect(reader.next()).toBeUndefined();
  });
});
