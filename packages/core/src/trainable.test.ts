import { describe, expect, it } from 'vitest';
import { manifestKind } from './trainable';

describe('manifestKind', () => {
  it('drops the vaejs- prefix of a manifest format and keeps other formats whole', () => {
    expect(manifestKind({ format: 'vaejs-vae' })).toBe('vae');
    expect(manifestKind({ format: 'vaejs-pixelcnn' })).toBe('pixelcnn');
    expect(manifestKind({ format: 'custom' })).toBe('custom');
  });
});
