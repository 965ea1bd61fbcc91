import type { FlagSpec } from '../args';

/** Flags every command that runs tensors shares. */
export const BACKEND_FLAGS: FlagSpec[] = [
  { name: 'backend', type: 'choice', choices: ['auto', 'node-gpu', 'node', 'wasm', 'cpu'], default: 'auto', help: 'tfjs backend; auto tries tfjs-node-gpu, tfjs-node, wasm, cpu in that order' },
  { name: 'fast', type: 'boolean', default: true, help: "on wasm/cpu, @vaejs/core's fast training kernels" },
  { name: 'threads', type: 'int', help: 'wasm threads (default: all cores)' },
];

export const TRAIN_FLAGS: FlagSpec[] = [
  { name: 'model', type: 'choice', choices: ['ae', 'dae', 'vae', 'beta-vae', 'cvae', 'vqvae'], default: 'vae', help: 'what to train' },
  { name: 'arch', type: 'choice', choices: ['mlp', 'conv'], default: 'conv', help: 'encoder/decoder architecture (vqvae is always conv)' },
  { name: 'dataset', type: 'choice', choices: ['mnist', 'fashion-mnist'], openChoice: true, default: 'mnist', help: 'training data: a built-in set, or a folder of IDX files or PNG images' },
  { name: 'image-size', type: 'int', help: 'image folders: resize images to this side length' },
  { name: 'epochs', type: 'int', default: 10, help: 'epochs to train (with --resume: the total to reach)' },
  { name: 'batch-size', type: 'int', default: 128, help: 'images per batch' },
  { name: 'lr', type: 'number', default: 0.001, min: 1e-12, help: 'Adam learning rate' },
  { name: 'latent-dim', type: 'int', help: 'latent size (default: 20 for mlp, 16 for conv; code size D for vqvae)' },
  { name: 'hidden', type: 'int', help: 'hidden units of the mlp (default 400), or base channels of conv models' },
  { name: 'beta', type: 'number', min: 0, help: 'weight of the KL term (beta-VAE; default 1, 4 for beta-vae) or the VQ commitment cost (default 0.25)' },
  { name: 'likelihood', type: 'choice', choices: ['bernoulli', 'gaussian', 'gaussian-learned'], default: 'bernoulli', help: 'reconstruction term: BCE, MSE, or Gaussian with learned variance' },
  { name: 'binarize', type: 'choice', choices: ['none', 'static', 'dynamic'], default: 'none', help: 'binarise the images (none keeps grey levels, as PyTorch examples/vae)' },
  { name: 'kl-anneal', type: 'choice', choices: ['constant', 'linear', 'cyclical'], default: 'constant', help: 'KL weight schedule over the steps' },
  { name: 'kl-warmup-epochs', type: 'number', default: 1, min: 0, help: 'epochs of linear warm-up (or of one cycle for cyclical)' },
  { name: 'noise', type: 'choice', choices: ['gaussian', 'salt-pepper'], default: 'gaussian', help: 'dae: corruption of the input' },
  { name: 'noise-level', type: 'number', default: 0.3, min: 0, max: 1, help: 'dae: noise std (gaussian) or share of pixels flipped (salt-pepper)' },
  { name: 'codebook-size', type: 'int', default: 128, help: 'vqvae: number of codes K' },
  { name: 'ema', type: 'boolean', default: true, help: 'vqvae: EMA codebook updates instead of the codebook loss' },
  { name: 'restart-threshold', type: 'number', default: 1, min: 0, help: 'vqvae: restart codes used less than this (EMA count; 0: never)' },
  { name: 'seed', type: 'int', default: 0, min: 0, help: 'seed of every random choice (same seed on cpu: same numbers)' },
  { name: 'limit', type: 'int', default: 0, min: 0, help: 'train on the first N images only (0: all)' },
  { name: 'test-limit', type: 'int', default: 0, min: 0, help: 'evaluate on the first N test images only (0: all)' },
  { name: 'out', type: 'string', help: 'run folder (config.json, metrics.jsonl, pictures, checkpoints/); required' },
  { name: 'resume', type: 'boolean', default: false, help: 'continue the run in --out from its last checkpoint' },
  ...BACKEND_FLAGS,
];
