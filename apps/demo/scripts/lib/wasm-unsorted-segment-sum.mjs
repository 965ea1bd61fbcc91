// Preloaded into the trainer (`node --import`) by train-models.sh: an UnsortedSegmentSum kernel for
// tfjs-backend-wasm, which ships none (the VQ-VAE's codebook statistics need it), so the VQ-VAE trains on wasm
// instead of the far slower cpu backend. The kernel registry is global, so registering here reaches the trainer's tfjs.
import { registerKernel } from '@tensorflow/tfjs-core';

registerKernel({
  kernelName: 'UnsortedSegmentSum',
  backendName: 'wasm',
  kernelFunc({ inputs, backend, attrs }) {
    const { x, segmentIds } = inputs;
    const { numSegments } = attrs;
    const values = backend.readSync(x.dataId);
    const ids = backend.readSync(segmentIds.dataId);
    const inner = x.shape.slice(1).reduce((a, b) => a * b, 1);
    const output = backend.makeOutput([numSegments, ...x.shape.slice(1)], x.dtype);
    const sums = backend.typedArrayFromHeap(output);
    sums.fill(0);
    for (let i = 0; i < ids.length; i++) {
      const segment = ids[i];
      if (segment < 0 || segment >= numSegments) continue;
      for (let j = 0; j < inner; j++) sums[segment * inner + j] += values[i * inner + j];
    }
    return output;
  },
});
