import { describe, expect, it, onTestFinished } from 'vitest';
import { blockCases, expectFirstFormulation } from './__fixtures__/gated-reference';
import { convolutionPadding, GatedPixelCnnBlock } from './gated-block';

describe('GatedPixelCnnBlock', () => {
  // explicit: the convolutions' own padding (every backend but tfjs-node), or a pad before them (tfjs-node).
  it.each(blockCases())(
    'computes the first formulation, values and gradients: %o, explicit padding %s, height %i',
    async (args, explicit, height) => {
      convolutionPadding.explicit = explicit;
      onTestFinished(() => {
        convolutionPadding.explicit = undefined;
      });
      await expectFirstFormulation(args, height);
    },
  );

  it('reads back its mask type from a serialised (snake-cased) config', () => {
    const args = {
      filters: 2,
      kernelSize: 3,
      maskType: 'a' as 'A',
      numClasses: 0,
      seed: 1,
      returns: 'stacks' as const,
    };
    expect(new GatedPixelCnnBlock(args).maskType).toBe('A');
  });
});
