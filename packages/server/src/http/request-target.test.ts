import { describe, expect, it } from 'vitest';
import { parseRequestTarget } from './request-target.js';

describe('parseRequestTarget', () => {
  it('reads path and query of an ordinary target', () => {
    const target = parseRequestTarget('/v1/explain?name=paperless.sko.ai');
    expect(target.path).toBe('/v1/explain');
    expect(target.query.get('name')).toBe('paperless.sko.ai');
  });

  it('takes the targets that made new URL() throw as plain paths', () => {
    for (const raw of ['//', '///', '//@', '//[', '//[::1', 'http://[', '*', '', '/%zz?name=%zz']) {
      expect(() => parseRequestTarget(raw)).not.toThrow();
    }
    expect(parseRequestTarget('//').path).toBe('//');
    expect(parseRequestTarget('/x?name=%zz').query.get('name')).toBe('%zz');
  });
});
