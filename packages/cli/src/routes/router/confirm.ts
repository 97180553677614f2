// Asks before changing a router: only on a terminal; without one, --yes is the only consent.

import { createInterface } from 'node:readline/promises';

export type Confirm = (question: string) => Promise<boolean>;

export function canAsk(): boolean {
  return Boolean(process.stdin.isTTY && process.stderr.isTTY);
}

export const terminalConfirm: Confirm = async (question) => {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(`${question} [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
};
