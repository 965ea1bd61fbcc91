import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, formatExpected } from '@vaejs/core';
import { type FlagSpec, helpText, type ParsedFlags, parseFlags } from '../args';
import { setupBackendFromFlags } from '../backend';
import { writeImageGrid } from '../io/png';
import { sampleFromPrior } from '../models/prior-sampling';
import { loadVaeFolder } from '../models/vae-model';
import { BACKEND_FLAGS } from './flags';
import { latestCheckpointOf } from './run-folder';

const FN = 'vaejs sample';

const SAMPLE_FLAGS: FlagSpec[] = [
  { name: 'run', type: 'string', help: 'a VAE run folder (samples from its prior)' },
  { name: 'vqvae', type: 'string', help: 'a VQ-VAE run folder (with --prior: decode PixelCNN samples)' },
  { name: 'prior', type: 'string', help: 'a PixelCNN prior run folder (vaejs prior train)' },
  { name: 'n', type: 'int', short: 'n', default: 64, help: 'number of images' },
  { name: 'seed', type: 'int', default: 0, min: 0, help: 'seed of the samples' },
  {
    name: 'label',
    type: 'int',
    min: 0,
    help: 'class to sample (conditional models); default: cycle through the classes',
  },
  { name: 'temperature', type: 'number', default: 1, min: 1e-6, help: 'PixelCNN sampling temperature' },
  { name: 'out', type: 'string', default: 'samples.png', help: 'PNG grid to write' },
  ...BACKEND_FLAGS,
];

export const sampleCommand = {
  summary: 'write a PNG grid of new images: from a VAE prior, or PixelCNN codes decoded by a VQ-VAE',
  help: () =>
    helpText(
      'vaejs sample (--run <vae run> | --vqvae <run> --prior <run>) -n N --seed S --out grid.png',
      'Draws N images and writes them as one PNG grid.',
      SAMPLE_FLAGS,
    ),
  run: async (argv: string[]) => {
    await sample(parseFlags(FN, SAMPLE_FLAGS, argv));
  },
};

export async function sample(flags: ParsedFlags): Promise<string> {
  const n = flags.n as number;
  const out = flags.out as string;
  if (!flags.run && !(flags.vqvae && flags.prior)) {
    throw new ConfigError(
      formatExpected(FN, 'flags', '--run <vae run>, or --vqvae <run> with --prior <run>', 'neither'),
    );
  }
  await setupBackendFromFlags(flags);
  let images: tf.Tensor4D;
  if (flags.run) {
    const { dir } = latestCheckpointOf(FN, flags.run as string, 'vae');
    const vae = await loadVaeFolder(dir, FN);
    try {
      if (!vae.variational) {
        throw new ConfigError(
          formatExpected(
            FN,
            '--run',
            'a variational model (vae, beta-vae, cvae)',
            `a ${vae.config.kind}, which has no prior`,
          ),
        );
      }
      const classes = vae.config.numClasses;
      if (flags.label !== undefined && (classes === 0 || (flags.label as number) >= classes)) {
        throw new ConfigError(
          formatExpected(
            FN,
            '--label',
            classes ? `a class in [0, ${classes - 1}]` : 'nothing (the model is unconditional)',
            String(flags.label),
          ),
        );
      }
      const labels =
        classes > 0
          ? tf.tensor1d(
              Array.from({ length: n }, (_, i) => (flags.label as number | undefined) ?? i % classes),
              'int32',
            )
          : undefined;
      images = vae.generate(n, { seed: flags.seed as number, ...(labels ? { labels } : {}) });
      labels?.dispose();
    } finally {
      vae.dispose();
    }
  } else {
    images = await sampleFromPrior(FN, {
      vqvaeRun: flags.vqvae as string,
      priorRun: flags.prior as string,
      n,
      seed: flags.seed as number,
      temperature: flags.temperature as number,
      ...(flags.label !== undefined ? { label: flags.label as number } : {}),
    });
  }
  try {
    writeImageGrid(out, images, { columns: Math.ceil(Math.sqrt(n)) });
  } finally {
    images.dispose();
  }
  process.stderr.write(`wrote ${n} samples to ${out}\n`);
  return out;
}
