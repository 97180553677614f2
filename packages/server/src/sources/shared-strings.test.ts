import { deserialize, serialize } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { SharedStrings } from './shared-strings.js';

describe('one copy of each repeated string in objects from the parse worker', () => {
  it('keeps every value as it was, in nested objects and arrays, and leaves non-strings alone', () => {
    const object = {
      kind: 'EndpointSlice',
      meta: { namespace: 'load', name: 'web-1', labels: { app: 'web' }, annotations: {} },
      ports: [{ name: 'http', protocol: 'TCP', port: 8080 }],
      endpoints: [
        { address: '192.0.2.1', ready: true, nodeName: 'node-0', targetPod: undefined },
        { address: '192.0.2.2', ready: false, nodeName: 'node-0', targetPod: 'web-2' },
      ],
      names: ['a', 'b', 'a'],
      long: 'x'.repeat(100),
      nothing: null,
    };
    const copy = deserialize(serialize(object)) as typeof object;
    const strings = new SharedStrings();
    expect(strings.share(copy)).toBe(copy);
    expect(copy).toEqual(object);
    // A second object's strings are replaced by the first one's copies: still the same values.
    const again = strings.share(deserialize(serialize(object)) as typeof object);
    expect(again).toEqual(object);
  });

  it('stays bounded: past its cap it starts again and still returns the right values', () => {
    const strings = new SharedStrings();
    for (let i = 0; i < 50_000; i++) {
      const value = { name: `svc-${i}`, namespace: 'load' };
      expect(strings.share(value)).toEqual({ name: `svc-${i}`, namespace: 'load' });
    }
  });
});
