import { describe, it } from 'vitest';
import { expectGateIsGatedActivation } from './__fixtures__/gated-reference';

describe('gate', () => {
  it('is gatedActivation of the two channel halves, with the same gradient as autodiff of it', async () => {
    await expectGateIsGatedActivation();
  });
});
