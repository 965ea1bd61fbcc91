// The model views, in tab order, each with the one line a visitor reads first: what the picture is and why.
import type { ViewSpec } from '../tabs';
import { mountBench } from './bench';
import { mountCodeMap } from './code-map';
import type { ViewContext } from './context';
import { mountDraw } from './draw';
import { mountInterpolation } from './interpolation';
import { mountManifold } from './manifold';
import { mountPixelCnn } from './pixelcnn';
import { mountReconstruction } from './reconstruction';
import { mountSamples } from './samples';

export function modelViews(context: ViewContext): ViewSpec[] {
  return [
    {
      id: 'draw',
      title: 'Draw',
      blurb:
        'Draw a digit with your mouse or finger: the VAE encodes it to a point in its 2-D latent space, decodes that point back, and shows where it lands among the test digits.',
      mount: (body) => mountDraw(body, context),
    },
    {
      id: 'reconstruction',
      title: 'Reconstruct',
      blurb:
        'A test digit through each model and back. The VAE’s copy is blurrier: its loss trades reconstruction against a KL term that keeps codes close to N(0, I); the VQ-VAE keeps more detail with discrete codes.',
      mount: (body) => mountReconstruction(body, context),
    },
    {
      id: 'samples',
      title: 'Sample',
      blurb:
        'Random points from N(0, I), decoded. Because the KL term pulled every code towards that prior during training, random points decode to digit-like images.',
      mount: (body) => mountSamples(body, context),
    },
    {
      id: 'interpolation',
      title: 'Interpolate',
      blurb:
        'A straight walk between the codes of two digits. In a smooth latent space every point on the way decodes to a plausible image, morphing one digit into the other.',
      mount: (body) => mountInterpolation(body, context),
    },
    {
      id: 'manifold',
      title: 'Manifold',
      blurb:
        'The whole 2-D latent space as a grid of decoded images, beside the test digits placed at their codes: similar digits land near each other. Click the plot to decode any point.',
      mount: (body) => mountManifold(body, context),
    },
    {
      id: 'codemap',
      title: 'Code map',
      blurb:
        'The VQ-VAE describes a digit as a small grid of codebook indices: each patch is replaced by its nearest code. Change one cell and see which stroke it controls.',
      mount: (body) => mountCodeMap(body, context),
    },
    {
      id: 'pixelcnn',
      title: 'PixelCNN',
      blurb:
        'The PixelCNN prior draws a code map one position at a time, each code conditioned on those above and to its left; the VQ-VAE turns the codes into a digit as they appear.',
      mount: async (body) => {
        await context.modelsLoaded;
        mountPixelCnn(body, context);
      },
    },
    {
      id: 'bench',
      title: 'Benchmark',
      blurb:
        'How fast this device runs the models: the time to decode the 20×20 manifold grid and to sample 16 PixelCNN code maps, on the backend in use.',
      mount: async (body) => {
        await context.modelsLoaded;
        mountBench(body, context);
      },
    },
  ];
}
