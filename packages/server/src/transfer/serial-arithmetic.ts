// SOA serial comparison (RFC 1982 with SERIAL_BITS 32): serials wrap, so "newer" means less
// than half the number space ahead.

export function serialNewer(a: number, b: number): boolean {
  const difference = ((a >>> 0) - (b >>> 0) + 2 ** 32) % 2 ** 32;
  return difference !== 0 && difference < 2 ** 31;
}
