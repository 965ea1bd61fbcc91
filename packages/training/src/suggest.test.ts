import { describe, expect, it } from 'vitest';
import { closest, editDistance } from './suggest';

describe('closest and editDistance', () => {
  it('counts insertions, deletions and substitutions', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('epochs', 'epochs')).toBe(0);
  });

  it('suggests the nearest name within the distance, or nothing', () => {
    expect(closest('epoch', ['epochs', 'batchSize', 'seed'])).toBe('epochs');
    expect(closest('mnist-vqvea', ['mnist-vqvae', 'mnist-prior'])).toBe('mnist-vqvae');
    expect(closest('zzzzzzzz', ['epochs', 'seed'])).toBeUndefined();
    expect(closest('sead', ['seed', 'send'], 0)).toBeUndefined();
  });
});
