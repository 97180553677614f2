import { describe, expect, it } from 'vitest';
import { formatSshTarget, parseSshTarget, sshArguments } from './ssh-target.js';

describe('--ssh target', () => {
  it.each([
    ['router', { user: undefined, host: 'router', port: undefined }],
    ['root@192.0.2.1', { user: 'root', host: '192.0.2.1', port: undefined }],
    ['root@192.0.2.1:2222', { user: 'root', host: '192.0.2.1', port: 2222 }],
    ['admin@[2001:db8::1]:22', { user: 'admin', host: '2001:db8::1', port: 22 }],
    ['[2001:db8::1]', { user: undefined, host: '2001:db8::1', port: undefined }],
    ['2001:db8::1', { user: undefined, host: '2001:db8::1', port: undefined }],
    ['gw.lan', { user: undefined, host: 'gw.lan', port: undefined }],
  ])('%s', (text, expected) => {
    expect(parseSshTarget(text)).toEqual(expected);
  });

  it.each([['@router'], ['root@'], ['router:0'], ['router:70000'], ['router:ssh'], ['[2001:db8::1'], ['-oProxyCommand=x'], ['a;b']])(
    'refuses %s',
    (text) => {
      expect(() => parseSshTarget(text)).toThrow(`--ssh ${text}`);
    },
  );

  it('prints a target back the way it was given', () => {
    expect(formatSshTarget(parseSshTarget('root@[2001:db8::1]:2222'))).toBe('root@[2001:db8::1]:2222');
  });

  it('forces BatchMode, passes -o options before its ConnectTimeout, and ends options before the host', () => {
    expect(sshArguments(parseSshTarget('root@192.0.2.1:2222'), ['IdentityFile=/k', 'ConnectTimeout=20'], 'sh -s')).toEqual([
      '-o',
      'BatchMode=yes',
      '-o',
      'IdentityFile=/k',
      '-o',
      'ConnectTimeout=20',
      '-o',
      'ConnectTimeout=5',
      '-p',
      '2222',
      '-l',
      'root',
      '--',
      '192.0.2.1',
      'sh -s',
    ]);
  });
});
