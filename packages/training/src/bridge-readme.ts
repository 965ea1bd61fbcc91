/**
 * The README.md of a bridge folder (what `vaejs export --format pytorch` writes, `bridge-format.ts`): how to train it
 * under torchrun, and what is in it. Pure text, beside the format it describes.
 */
import { BRIDGE_CONFIG_FILE, BRIDGE_OPTIMIZER_FILE, BRIDGE_WEIGHTS_FILE } from './bridge-format';

/** The three commands of the root README's "When you outgrow one machine" (fixed: scripts rely on them). */
export const TORCHRUN_LINE = `PYTHONPATH=python torchrun --nproc_per_node=2 -m vaejs_torch.train --model exported/vq --dataset mnist \\
  --limit 4096 --epochs 1 --batch-size 128 --out trained/vq`;

/**
 * The README of a bridge folder exported from `run` to `out` after `epoch`, for `dataset` (a prior: its code maps).
 * @example bridgeReadme({ kind: 'vqvae', run: 'runs/vq', out: 'exported/vq', dataset: 'mnist', batchSize: 128, epoch: 2 })
 */
export function bridgeReadme(facts: {
  kind: string;
  run: string;
  out: string;
  dataset: string;
  batchSize: number;
  epoch: number;
}): string {
  const { kind, run, out, dataset, batchSize, epoch } = facts;
  const name =
    out
      .replace(/[\\/]+$/, '')
      .split(/[\\/]/)
      .pop() || 'model';
  const data = kind === 'pixelcnn' ? `--codes ${dataset}` : `--dataset ${dataset}`;
  return `# A vaejs ${kind} for PyTorch

Exported by \`vaejs export --format pytorch --run ${run} --out ${out}\` after epoch ${epoch} of its run. Train it on as
many processes as you have (the line of vaejs' README, run from the vaejs repository):

\`\`\`sh
${TORCHRUN_LINE}
\`\`\`

This folder carries its own copy of the Python side, so from where you exported it:

\`\`\`sh
PYTHONPATH=${out}/python torchrun --nproc_per_node=2 -m vaejs_torch.train --model ${out} ${data} \\
  --epochs 1 --batch-size ${batchSize} --out trained/${name}
vaejs import --format pytorch --from trained/${name} --out runs/${name}-torch   # sample, eval, encode, the demo take it
\`\`\`

It needs torch and nothing else (\`pip install ${out}/python\` installs it as the package \`vaejs_torch\`). One process
needs no torchrun: \`python -m vaejs_torch.train …\` with the same flags. \`--batch-size\` is the global batch, shared
out over the processes; a DDP run takes the steps one process takes on the same data, to float rounding.

## On GPUs

The same command: each process takes the GPU of its \`LOCAL_RANK\` and the processes talk over NCCL instead of gloo.
\`--nproc_per_node\` is the number of GPUs of a machine; on several machines add \`--nnodes\`, \`--node_rank\` and
\`--rdzv_endpoint\` (torchrun's own flags), or let Slurm or Kubernetes start torchrun on each. \`--device cpu\` keeps
gloo on CPUs where GPUs are present.

Debian 12's python3-torch (PyTorch 1.13 on Python 3.11) has a torchrun that stops at once with \`AttributeError:
'NoneType' object has no attribute 'get'\` (fixed in PyTorch 2.0): add \`--redirects 2 --tee 2\` after \`torchrun\`.

## What is here

| file | what it holds |
| --- | --- |
| \`${BRIDGE_CONFIG_FILE}\` | \`format\` vaejs-pytorch, the model's \`kind\` and resolved \`model\` config, its \`state\`, the \`optimizer\` (name, learning rate, the order of its slots), \`training\` (epochs and steps done, the history, the run's flags and data) |
| \`${BRIDGE_WEIGHTS_FILE}\` | every weight and state tensor in the tfjs layout, by its vaejs name: dense kernels [in, out], conv kernels [kh, kw, in, out], transposed-conv kernels [kh, kw, out, in], the VQ-VAE's codebook [K, D] and EMA state |
| \`${BRIDGE_OPTIMIZER_FILE}\` | the optimizer's slots in the layout of their weights: \`iter\`, \`<weight>/m\` and \`<weight>/v\` (Adam), \`<weight>/rms\` and \`<weight>/momentum\` (RMSProp) |
| \`python/\` | \`vaejs_torch\`: the model as \`torch.nn.Module\`s (NCHW), the explicit mapping of every tensor to PyTorch's layout (Linear [out, in], Conv2d [out, in, kh, kw], ConvTranspose2d [in, out, kh, kw]; no kernel flip), and \`train.py\` |
`;
}
