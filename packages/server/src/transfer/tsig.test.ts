import { execFileSync, spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { skipName } from './wire-names.js';
import { findTsig, parseTsigKeyFile, rejectionTsig, ReplySigner, TsigError, verifyRequest, type TsigKey } from './tsig.js';

// A key as BIND's own tsig-keygen writes it: what an operator puts in the Secret.
function generatedKey(name: string, algorithm = 'hmac-sha256'): { text: string; key: TsigKey } {
  const text = execFileSync('tsig-keygen', ['-a', algorithm, name], { encoding: 'utf8' });
  return { text, key: parseTsigKeyFile(text, 'test.key') };
}

// Runs dig with `-y` against a one-shot UDP server that hands each query to `reply`.
async function digAgainst(yArg: string, reply: (query: Buffer) => Buffer | undefined): Promise<{ output: string; query: Buffer }> {
  const socket = dgram.createSocket('udp4');
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  const { port } = socket.address();
  let query: Buffer | undefined;
  socket.on('message', (message, remote) => {
    // Only dig's signed query: other tests' servers on loopback (NOTIFY, SOA probes) may reach
    // a port that was theirs a moment ago.
    const tsig = findTsig(message);
    if (message.length < 12 || (message.readUInt16BE(2) & 0xf800) !== 0 || !tsig || tsig === 'malformed') return;
    query ??= message;
    const answer = reply(message);
    if (answer) socket.send(answer, remote.port, remote.address);
  });
  const dig = spawn('dig', ['-y', yArg, '@127.0.0.1', '-p', String(port), '+tries=1', '+time=2', 'minilb', 'SOA']);
  let output = '';
  dig.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await once(dig, 'close');
  socket.close();
  if (!query) throw new Error(`dig sent no query:\n${output}`);
  return { output, query };
}

// A NOERROR reply with no records: the question copied, QR and AA set.
function emptyReply(query: Buffer): Buffer {
  const reply = Buffer.from(query.subarray(0, skipName(query, 12) + 4));
  reply.writeUInt16BE(0x8400, 2);
  reply.writeUInt32BE(0, 6);
  reply.writeUInt16BE(0, 10);
  return reply;
}

describe('TSIG keys', () => {
  it("reads the file tsig-keygen writes, and names what is wrong with one it cannot use", () => {
    const { key } = generatedKey('Minilb-Transfer.');
    expect(key.name).toBe('minilb-transfer');
    expect(key.algorithm).toBe('hmac-sha256');
    expect(key.secret).toHaveLength(32);
    expect(() => parseTsigKeyFile('key "k" { secret "c2VjcmV0c2VjcmV0c2VjcmV0"; };', '/k.key')).toThrow(/\/k\.key: the key has no 'algorithm/);
    expect(() => parseTsigKeyFile('key "k" { algorithm hmac-sha256; secret "c2hvcnQ="; };', '/k.key')).toThrow(/at least 16/);
    expect(() => parseTsigKeyFile('key "k" { algorithm gost; secret "c2VjcmV0c2VjcmV0c2VjcmV0"; };', '/k.key')).toThrow(/gost is not supported/);
    expect(() => parseTsigKeyFile('nothing here', '/k.key')).toThrow(/no 'key "name"/);
    // Base64 holds '/': a secret with "//" in it is not a comment (1 key in ~30 from tsig-keygen).
    const allOnes = Buffer.alloc(32, 0xff).toString('base64'); // "////...//8="
    const slashes = parseTsigKeyFile(`# made by hand\nkey "k" { // the transfer key\n  algorithm hmac-sha256;\n  secret "${allOnes}";\n};\n`, '/k.key');
    expect(slashes.secret.equals(Buffer.alloc(32, 0xff))).toBe(true);
  });
});

describe('TSIG with dig as the client', () => {
  it('accepts what dig signs with the key, and dig accepts our signed reply', async () => {
    const { key } = generatedKey('xfr');
    const { output, query } = await digAgainst(`hmac-sha256:xfr:${key.secret.toString('base64')}`, (message) => {
      const tsig = findTsig(message);
      if (!tsig || tsig === 'malformed') return undefined;
      expect(verifyRequest(message, tsig, key).ok).toBe(true);
      return new ReplySigner(key, tsig).sign(emptyReply(message));
    });
    expect(findTsig(query)).toMatchObject({ keyName: 'xfr', algorithm: 'hmac-sha256' });
    expect(output).toMatch(/status: NOERROR/);
    expect(output).toMatch(/TSIG PSEUDOSECTION/);
    expect(output).not.toMatch(/could not be validated|tsig verify failure/i);

    // The same reply signed with another secret is what dig must refuse: the check above can fail.
    const stranger = generatedKey('xfr').key;
    const forged = await digAgainst(`hmac-sha256:xfr:${key.secret.toString('base64')}`, (message) => {
      const tsig = findTsig(message);
      return tsig && tsig !== 'malformed' ? new ReplySigner(stranger, tsig).sign(emptyReply(message)) : undefined;
    });
    expect(forged.output).toMatch(/could not be validated|tsig verify failure/i);
  });

  it('rejects a wrong secret as BADSIG and an unknown key as BADKEY, and dig reads the NOTAUTH', async () => {
    const { key } = generatedKey('xfr');
    const other = generatedKey('xfr').key;
    const { output } = await digAgainst(`hmac-sha256:xfr:${other.secret.toString('base64')}`, (message) => {
      const tsig = findTsig(message);
      if (!tsig || tsig === 'malformed') return undefined;
      const verdict = verifyRequest(message, tsig, key);
      expect(verdict).toMatchObject({ ok: false, error: TsigError.BADSIG });
      if (verdict.ok) return undefined;
      const reply = emptyReply(message);
      reply.writeUInt16BE(0x8409, 2); // NOTAUTH
      return rejectionTsig(reply, verdict, key);
    });
    expect(output).toMatch(/NOTAUTH|BADSIG/);

    const { query } = await digAgainst(`hmac-sha256:someone-else:${key.secret.toString('base64')}`, emptyReply);
    const tsig = findTsig(query);
    if (!tsig || tsig === 'malformed') throw new Error(`dig sent no TSIG: ${query.toString('hex')}`);
    expect(verifyRequest(query, tsig, key)).toMatchObject({ ok: false, error: TsigError.BADKEY });
  });

  it('rejects a request signed outside the fudge window as BADTIME', async () => {
    const { key } = generatedKey('xfr');
    const { query } = await digAgainst(`hmac-sha256:xfr:${key.secret.toString('base64')}`, emptyReply);
    const tsig = findTsig(query);
    if (!tsig || tsig === 'malformed') throw new Error(`dig sent no TSIG: ${query.toString('hex')}`);
    expect(verifyRequest(query, tsig, key, Date.now() + 3_600_000)).toMatchObject({ ok: false, error: TsigError.BADTIME });
  });

  it('treats a truncated or garbled TSIG record as malformed, never throwing', () => {
    const { key } = generatedKey('xfr');
    const signed = new ReplySigner(key, undefined).sign(emptyReply(Buffer.from('abcd01000001000000000000066d696e696c620000060001', 'hex')));
    for (let cut = 12; cut < signed.length; cut += 3) {
      expect(() => findTsig(signed.subarray(0, cut))).not.toThrow();
    }
    expect(findTsig(signed)).toMatchObject({ keyName: 'xfr' });
  });
});
