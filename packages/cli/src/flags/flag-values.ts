// Checks flag values the way every command needs them: one line naming the flag, exit 2,
// before the command reads, prints or changes anything.

import { CliError, exitCodes } from '../exit-codes.js';

export function usage(message: string): never {
  throw new CliError(message, exitCodes.usage);
}

// A flag given as `--ssh` with nothing after it (or `--ssh=`) arrives as ''; one given twice
// as an array. Neither is what the user meant, so neither is guessed at.
export function single(flag: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (Array.isArray(value)) usage(`${flag} was given ${value.length} times: give it once`);
  const text = String(value);
  if (text === '') usage(`${flag} needs a value`);
  return text;
}

// Repeatable flags (`--manifests a.yaml b.yaml`, `--ssh-option A=1 --ssh-option B=2`).
export function several(flag: string, value: unknown, what: string): string[] | undefined {
  if (value === undefined) return undefined;
  const values = (Array.isArray(value) ? value : [value]).map(String);
  if (values.length === 0 || values.some((v) => v === '')) usage(`${flag} needs ${what}`);
  return values;
}

export interface NumberRule {
  min: number;
  max?: number;
  integer?: boolean;
  expect: string; // what to give, for the message: "at least 5 seconds"
}

// yargs turns `--ssh-timeout abc` into NaN; the flags are read as text and checked here instead.
export function numberFlag(flag: string, value: unknown, rule: NumberRule): number | undefined {
  if (value === undefined) return undefined;
  const text = typeof value === 'number' ? String(value) : single(flag, value)!;
  const n = /^\s*-?\d+(\.\d+)?\s*$/.test(text) ? Number(text) : NaN;
  if (!Number.isFinite(n) || (rule.integer && !Number.isInteger(n)) || n < rule.min || (rule.max !== undefined && n > rule.max)) {
    usage(`${flag} ${text}: give ${rule.expect}`);
  }
  return n;
}

export function oneOf<T extends string>(flag: string, value: string | undefined, choices: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!(choices as readonly string[]).includes(value)) usage(`${flag} ${value}: choose one of ${choices.join(', ')}`);
  return value as T;
}
