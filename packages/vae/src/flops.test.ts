import { afterAll, describe, expect, it } from 'vitest';
import { experimental_countFlops, experimental_vaeFlops } from './flops';
import { createVae, type Vae } from './vae';

const created: Vae[] = [];
afterAll(() => {
  for (const vae of created) vae.dispose();
});

describe('experimental_countFlops', () => {
  it('counts 2 × multiply-accumulates of the PyTorch examples/vae MLP', () => {
    const vae = createVae({ inputShape: [28, 28, 1], latentDim: 20, arch: 'mlp', hidden: 400 });
    created.push(vae);
    expect(experimental_countFlops(vae.encoder)).toBe(2 * (784 * 400 + 2 * 400 * 20));
    expect(experimental_vaeFlops(vae)).toEqual({
      encoder: 2 * (784 * 400 + 2 * 400 * 20),
      decoder: 2 * (20 * 400 + 400 * 784),
      total: 2 * (784 * 400 + 2 * 400 * 20 + 20 * 400 + 400 * 784),
    });
  });

  it('counts convolutions per output position and transposed convolutions per input position', () => {
    const vae = createVae({ inputShape: [28, 28, 1], latentDim: 20 }); // the conv default
    created.push(vae);
    const encoder = 4 * 4 * 1 * 32 * 14 * 14 + 4 * 4 * 32 * 64 * 7 * 7 + 7 * 7 * 64 * 256 + 2 * 256 * 20;
    const decoder = 20 * 256 + 256 * 7 * 7 * 64 + 4 * 4 * 64 * 32 * 7 * 7 + 4 * 4 * 32 * 1 * 14 * 14;
    expect(experimental_vaeFlops(vae)).toEqual({
      encoder: 2 * encoder,
      decoder: 2 * decoder,
      total: 2 * (encoder + decoder),
    });
  });

  it('gives the figures of the README table (MFLOPs per image, parameters)', () => {
    const mlp = createVae({ inputShape: [28, 28, 1], latentDim: 20, arch: 'mlp', hidden: 400 });
    const conv = createVae({ inputShape: [28, 28, 1], latentDim: 20 });
    created.push(mlp, conv);
    const megaFlops = (vae: Vae) =>
      Object.values(experimental_vaeFlops(vae)).map((flops) => Number((flops / 1e6).toFixed(2)));
    expect(megaFlops(mlp)).toEqual([0.66, 0.64, 1.3]);
    expect(megaFlops(conv)).toEqual([5.04, 5.03, 10.07]);
    expect(Math.round((mlp.encoder.countParams() + mlp.decoder.countParams()) / 1e3)).toBe(653);
    expect(Number(((conv.encoder.countParams() + conv.decoder.countParams()) / 1e6).toFixed(2))).toBe(1.69);
  });
});
