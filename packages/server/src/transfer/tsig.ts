// TSIG (RFC 8945): the shared-secret signature that lets a secondary prove it may transfer the
// zone and lets it trust our NOTIFY. Reads BIND's key files, verifies signed requests, signs
// replies (each message of a multi-message transfer) and our own NOTIFY messages.

import { createHmac, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readName, skipName, wireName } from './wire-names.js';

export interface TsigKey {
  name: string; // lower-case, no trailing dot
  algorithm: string; // lower-case algorithm name as on the wire, e.g. 'hmac-sha256'
  secret: Buffer;
}

// RFC 8945 section 6 and RFC 4635: the algorithms minilb accepts, by wire name.
const hashOf: Record<string, string> = {
  'hmac-sha256': 'sha256',
  'hmac-sha384': 'sha384',
  'hmac-sha512': 'sha512',
  'hmac-sha224': 'sha224',
  'hmac-sha1': 'sha1',
  'hmac-md5.sig-alg.reg.int': 'md5',
};

export const TSIG_TYPE = 250;
const CLASS_ANY = 255;
export const DEFAULT_FUDGE = 300;

export const TsigError = { NOERROR: 0, BADSIG: 16, BADKEY: 17, BADTIME: 18, BADTRUNC: 22 } as const;

// `key "name" { algorithm hmac-sha256; secret "base64"; };` as `tsig-keygen` (BIND) writes it;
// Knot's `keymgr -t` writes the same shape. One key per file.
export function parseTsigKeyFile(text: string, path: string): TsigKey {
  // Comments go, but not inside quotes: a base64 secret may well hold "//".
  const quoted: string[] = [];
  const stripped = text
    .replace(/"[^"]*"/g, (q) => `"\u0000${quoted.push(q) - 1}"`)
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/(#|\/\/).*$/gm, '')
    .replace(/"\u0000(\d+)"/g, (_, i: string) => quoted[Number(i)]!);
  const match = /key\s+"?([^"\s{]+)"?\s*\{([\s\S]*?)\}\s*;?/.exec(stripped);
  if (!match) throw new Error(`${path}: no 'key "name" { algorithm ...; secret "..."; };' block found`);
  const body = match[2]!;
  const algorithm = /algorithm\s+"?([A-Za-z0-9.-]+)"?\s*;/.exec(body)?.[1]?.toLowerCase();
  const secret = /secret\s+"([A-Za-z0-9+/=\s]+)"\s*;/.exec(body)?.[1];
  if (!algorithm) throw new Error(`${path}: the key has no 'algorithm ...;' line`);
  const wireAlgorithm = algorithm === 'hmac-md5' ? 'hmac-md5.sig-alg.reg.int' : algorithm;
  if (!(wireAlgorithm in hashOf)) {
    throw new Error(`${path}: algorithm ${algorithm} is not supported (use hmac-sha256, hmac-sha384 or hmac-sha512)`);
  }
  if (!secret) throw new Error(`${path}: the key has no 'secret "...";' line`);
  const bytes = Buffer.from(secret.replace(/\s+/g, ''), 'base64');
  if (bytes.length < 16) throw new Error(`${path}: the secret is ${bytes.length} bytes; use at least 16 (tsig-keygen makes 32)`);
  return { name: match[1]!.toLowerCase().replace(/\.$/, ''), algorithm: wireAlgorithm, secret: bytes };
}

export function readTsigKeyFile(path: string): TsigKey {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`${path}: cannot read the key file (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  return parseTsigKeyFile(text, path);
}

export interface TsigRecord {
  keyName: string;
  algorithm: string;
  timeSigned: number; // seconds since the epoch
  fudge: number;
  mac: Buffer;
  originalId: number;
  error: number;
  otherData: Buffer;
  start: number; // offset of the TSIG record in the message
}

// The TSIG record, if the message's last additional record is one (RFC 8945 5.1: it must be
// last). Returns 'malformed' for a TSIG that cannot be read, so the caller answers FORMERR.
export function findTsig(message: Buffer): TsigRecord | undefined | 'malformed' {
  try {
    if (message.length < 12) return undefined;
    const counts = [4, 6, 8, 10].map((at) => message.readUInt16BE(at));
    const total = counts.reduce((a, b) => a + b, 0);
    if (counts[3] === 0) return undefined;
    let offset = 12;
    for (let i = 0; i < counts[0]!; i++) offset = skipName(message, offset) + 4;
    let last = -1;
    for (let i = 0; i < total - counts[0]!; i++) {
      last = offset;
      const nameEnd = skipName(message, offset);
      offset = nameEnd + 10 + message.readUInt16BE(nameEnd + 8);
      if (offset > message.length) return 'malformed';
      const type = message.readUInt16BE(nameEnd);
      if (type === TSIG_TYPE && i !== total - counts[0]! - 1) return 'malformed';
    }
    const nameEnd = skipName(message, last);
    if (message.readUInt16BE(nameEnd) !== TSIG_TYPE) return undefined;
    const keyName = readName(message, last);
    let at = nameEnd + 10;
    const algorithm = readName(message, at);
    at = skipName(message, at);
    const timeSigned = message.readUInt16BE(at) * 2 ** 32 + message.readUInt32BE(at + 2);
    const fudge = message.readUInt16BE(at + 6);
    const macSize = message.readUInt16BE(at + 8);
    const mac = message.subarray(at + 10, at + 10 + macSize);
    at += 10 + macSize;
    const originalId = message.readUInt16BE(at);
    const error = message.readUInt16BE(at + 2);
    const otherLength = message.readUInt16BE(at + 4);
    const otherData = message.subarray(at + 6, at + 6 + otherLength);
    if (at + 6 + otherLength !== offset) return 'malformed';
    return { keyName, algorithm, timeSigned, fudge, mac: Buffer.from(mac), originalId, error, otherData: Buffer.from(otherData), start: last };
  } catch {
    return 'malformed';
  }
}

export type TsigVerdict =
  | { ok: true; tsig: TsigRecord }
  | { ok: false; error: number; tsig: TsigRecord; reason: string };

// Checks a signed request against our key (RFC 8945 5.2). On failure the reply is NOTAUTH with
// the TSIG error, as `signReply` writes it.
export function verifyRequest(message: Buffer, tsig: TsigRecord, key: TsigKey, now = Date.now()): TsigVerdict {
  if (tsig.keyName !== key.name || tsig.algorithm !== key.algorithm) {
    return { ok: false, error: TsigError.BADKEY, tsig, reason: `unknown key ${tsig.keyName} (${tsig.algorithm})` };
  }
  const expected = mac(key, [unsigned(message, tsig), variables(tsig, true)]);
  const truncatedOk = tsig.mac.length >= Math.max(10, expected.length / 2) && tsig.mac.length <= expected.length;
  if (!truncatedOk || !timingSafeEqual(tsig.mac, expected.subarray(0, tsig.mac.length))) {
    return { ok: false, error: TsigError.BADSIG, tsig, reason: 'the signature does not match (wrong secret?)' };
  }
  if (Math.abs(now / 1000 - tsig.timeSigned) > tsig.fudge) {
    return { ok: false, error: TsigError.BADTIME, tsig, reason: `the request was signed ${Math.round(now / 1000 - tsig.timeSigned)} s away from our clock` };
  }
  return { ok: true, tsig };
}

// Signs the messages of one reply in order: the first covers the request's MAC (RFC 8945
// 5.3), each later one the previous MAC with only the timers (5.3.1). Every message is signed.
export class ReplySigner {
  private previousMac: Buffer | undefined;
  private first = true;

  constructor(
    private readonly key: TsigKey,
    private readonly request: TsigRecord | undefined, // undefined: we start the exchange (NOTIFY)
    private readonly now: () => number = Date.now,
  ) {}

  sign(message: Buffer, error = 0): Buffer {
    const timeSigned = Math.floor(this.now() / 1000);
    const id = message.readUInt16BE(0);
    const draft = { keyName: this.key.name, algorithm: this.key.algorithm, timeSigned, fudge: DEFAULT_FUDGE, originalId: id, error, otherData: Buffer.alloc(0) };
    const parts: Buffer[] = [];
    const prior = this.first ? this.request?.mac : this.previousMac;
    if (prior) parts.push(lengthPrefixed(prior));
    parts.push(message);
    parts.push(this.first ? variables(draft, true) : timers(draft));
    const signature = mac(this.key, parts);
    this.first = false;
    this.previousMac = signature;
    return appendTsig(message, { ...draft, mac: signature });
  }
}

// The reply to a request whose TSIG failed (RFC 8945 5.2): NOTAUTH with the error in an unsigned
// TSIG for BADKEY/BADSIG; BADTIME is signed and carries our time in Other Data.
export function rejectionTsig(message: Buffer, verdict: Extract<TsigVerdict, { ok: false }>, key: TsigKey, now = Date.now()): Buffer {
  const badTime = verdict.error === TsigError.BADTIME;
  const draft = {
    keyName: verdict.tsig.keyName,
    algorithm: verdict.tsig.algorithm,
    timeSigned: verdict.tsig.timeSigned,
    fudge: verdict.tsig.fudge,
    originalId: message.readUInt16BE(0),
    error: verdict.error,
    otherData: badTime ? time48(Math.floor(now / 1000)) : Buffer.alloc(0),
  };
  const signature = badTime ? mac(key, [lengthPrefixed(verdict.tsig.mac), message, variables(draft, true)]) : Buffer.alloc(0);
  return appendTsig(message, { ...draft, mac: signature });
}

// Checks a signed reply to our own signed request (the secondary's answer to our NOTIFY).
export function verifyReply(reply: Buffer, requestMac: Buffer, key: TsigKey): boolean {
  const tsig = findTsig(reply);
  if (!tsig || tsig === 'malformed' || tsig.keyName !== key.name || tsig.error !== 0) return false;
  const expected = mac(key, [lengthPrefixed(requestMac), unsigned(reply, tsig), variables(tsig, true)]);
  return tsig.mac.length === expected.length && timingSafeEqual(tsig.mac, expected);
}

export function lastMac(signed: Buffer): Buffer | undefined {
  const tsig = findTsig(signed);
  return tsig && tsig !== 'malformed' ? tsig.mac : undefined;
}

// The message as it was before signing: TSIG cut off, ARCOUNT one less, the original ID.
function unsigned(message: Buffer, tsig: TsigRecord): Buffer {
  const copy = Buffer.from(message.subarray(0, tsig.start));
  copy.writeUInt16BE(tsig.originalId, 0);
  copy.writeUInt16BE(copy.readUInt16BE(10) - 1, 10);
  return copy;
}

type TsigFields = Omit<TsigRecord, 'mac' | 'start'>;

function variables(tsig: TsigFields, withNames: boolean): Buffer {
  const parts: Buffer[] = [];
  if (withNames) {
    parts.push(wireName(tsig.keyName));
    const classTtl = Buffer.alloc(6);
    classTtl.writeUInt16BE(CLASS_ANY, 0);
    parts.push(classTtl);
    parts.push(wireName(tsig.algorithm));
  }
  parts.push(timers(tsig));
  const tail = Buffer.alloc(4);
  tail.writeUInt16BE(tsig.error, 0);
  tail.writeUInt16BE(tsig.otherData.length, 2);
  parts.push(tail, tsig.otherData);
  return Buffer.concat(parts);
}

function timers(tsig: Pick<TsigFields, 'timeSigned' | 'fudge'>): Buffer {
  const fudge = Buffer.alloc(2);
  fudge.writeUInt16BE(tsig.fudge, 0);
  return Buffer.concat([time48(tsig.timeSigned), fudge]);
}

// TSIG's 48-bit seconds since the epoch.
function time48(seconds: number): Buffer {
  const out = Buffer.alloc(6);
  out.writeUInt16BE(Math.floor(seconds / 2 ** 32), 0);
  out.writeUInt32BE(seconds >>> 0, 2);
  return out;
}

function mac(key: TsigKey, parts: Buffer[]): Buffer {
  const hmac = createHmac(hashOf[key.algorithm]!, key.secret);
  for (const part of parts) hmac.update(part);
  return hmac.digest();
}

function lengthPrefixed(bytes: Buffer): Buffer {
  const out = Buffer.alloc(2 + bytes.length);
  out.writeUInt16BE(bytes.length, 0);
  bytes.copy(out, 2);
  return out;
}

function appendTsig(message: Buffer, tsig: TsigFields & { mac: Buffer }): Buffer {
  const name = wireName(tsig.keyName);
  const algorithm = wireName(tsig.algorithm);
  const rdata = Buffer.concat([
    algorithm,
    timers(tsig),
    lengthPrefixed(tsig.mac),
    (() => {
      const tail = Buffer.alloc(6);
      tail.writeUInt16BE(tsig.originalId, 0);
      tail.writeUInt16BE(tsig.error, 2);
      tail.writeUInt16BE(tsig.otherData.length, 4);
      return tail;
    })(),
    tsig.otherData,
  ]);
  const fixed = Buffer.alloc(10);
  fixed.writeUInt16BE(TSIG_TYPE, 0);
  fixed.writeUInt16BE(CLASS_ANY, 2);
  fixed.writeUInt32BE(0, 4);
  fixed.writeUInt16BE(rdata.length, 8);
  const out = Buffer.concat([message, name, fixed, rdata]);
  out.writeUInt16BE(out.readUInt16BE(10) + 1, 10);
  return out;
}

// The space a TSIG record takes for a key: what a transfer message keeps free for it.
export function tsigLength(key: TsigKey): number {
  const digest = createHmac(hashOf[key.algorithm]!, key.secret).digest().length;
  return wireName(key.name).length + 10 + wireName(key.algorithm).length + 10 + 2 + digest + 6 + 6;
}
