import { describe, expect, it } from 'vitest';
import { payloadOverLimit, type PayloadLimits } from '../../../../main/ipc/payload-bounds';

const small: PayloadLimits = { maxBytes: 100, maxEntries: 3, maxDepth: 2, maxNodes: 10 };

describe('payloadOverLimit', () => {
  it.each<[string, unknown]>([
    ['an empty object', {}],
    ['scalars', { a: 1, b: true, c: null }],
    ['a short list', ['x', 'y', 'z']],
    ['two levels', { a: { b: 'c' } }],
    ['undefined', undefined],
  ])('accepts %s within the limits', (_label, value) => {
    expect(payloadOverLimit(value, small)).toBeNull();
  });

  it.each<[string, unknown, RegExp]>([
    ['too many keys', { a: 1, b: 2, c: 3, d: 4 }, /more than 3 keys/],
    ['too many items', [1, 2, 3, 4], /more than 3 items/],
    ['too deep', { a: { b: { c: 1 } } }, /deeper than 2/],
    [
      'too many values in all',
      [
        [1, 2, 3],
        [1, 2, 3],
        [1, 2, 3],
      ],
      /more than 10 values/,
    ],
    ['a long string', 'x'.repeat(101), /larger than/],
    ['a long key', { ['k'.repeat(200)]: 1 }, /larger than/],
  ])('refuses %s, saying which limit', (_label, value, message) => {
    expect(payloadOverLimit(value, small)).toMatch(message);
  });

  it('never repeats the payload in its answer', () => {
    expect(payloadOverLimit({ secret: 's3cr3t-value'.repeat(10) }, small)).not.toContain('s3cr3t');
  });

  it('accepts the largest legitimate payload (200 mapped groups of 256-character names) with the default limits', () => {
    const mapping = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`${i}`.padEnd(256, 'g'), ['viewer', 'analyst']]));
    expect(payloadOverLimit({ providerId: 'corp', mapping })).toBeNull();
  });
});
