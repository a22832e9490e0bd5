import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import { CompensationFailure, SuperJsonCodec } from '../../src/index.js';

describe('CompensationFailure', () => {
  it('has no originalFailure key when compensate() failed in the body, and keeps it through the codec otherwise', () => {
    const inBody = new CompensationFailure('w-1', 'Trip.book#0', 'Trip.book', 2, new Error('undo failed'));
    expect('originalFailure' in inBody).toBe(false);
    expect(inBody.originalFailure).toBeUndefined();
    const original = new Error('card declined');
    const afterFailure = new CompensationFailure('w-1', 'Trip.book#0', 'Trip.book', 2, new Error('undo failed'), original);
    expect(afterFailure.originalFailure).toBe(original);
    expect(afterFailure.message).toContain('it was compensating after: Error: card declined');
    const codec = new SuperJsonCodec();
    const back = codec.decode(codec.encode(afterFailure)) as Error & { originalFailure?: Error };
    expect(back.originalFailure?.message).toBe('card declined');
  });
});
