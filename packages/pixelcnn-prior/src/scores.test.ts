import { describe, expect, it } from 'vitest';
import { PIXELCNN_SCORES } from './scores';

describe('PIXELCNN_SCORES', () => {
  it("names the prior's loss parts, in nats and in bits", () => {
    expect(PIXELCNN_SCORES.map(([name]) => name)).toEqual(['loss', 'bits_per_dim']);
  });
});
