// Go-style durations ("300", "300s", "5m", "1h30m", "250ms") as whole milliseconds.

const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

export function parseDuration(value: string | number, defaultUnit: 's' | 'ms' = 's'): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) throw new Error(`"${value}" is not a non-negative duration`);
    return Math.round(value * units[defaultUnit]!);
  }
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * units[defaultUnit]!);
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) {
    throw new Error(`"${value}" is not a duration (examples: 300, 300s, 5m, 1h30m, 250ms)`);
  }
  return Math.round(parts.reduce((sum, p) => sum + Number(p[1]) * units[p[2]!]!, 0));
}
