import * as tf from '@tensorflow/tfjs-core';
import { setupBackend } from '@vaejs/backend';
import { createVectorQuantizer } from '@vaejs/vqvae';

await setupBackend();
// A quantiser on its own, for any rank with last dimension D: 128 codes of size 16.
const vq = createVectorQuantizer({ dim: 16, codebookSize: 128 }); // beta 0.25, Euclidean, codebook loss
const zE = tf.randomNormal([8, 7, 7, 16], 0, 1, 'float32', 1); // an encoder's output
const { output, indices, quantized, codebookLoss, commitmentLoss, loss, perplexity, usage } = vq.quantize(zE);
// output = z_e + sg(z_q − z_e): feed it to the decoder (forward z_q, gradient straight through to z_e)
// loss = codebookLoss + 0.25 · commitmentLoss (scalars); perplexity in [1, 128]; usage in [0, 1]
const codes = vq.lookup(indices); // [8, 7, 7, 16], equal to quantized
const read = (t) => t.dataSync()[0].toFixed(3);
console.log(output.shape, indices.dtype, indices.shape, codes.shape); // [ 8, 7, 7, 16 ] int32 [ 8, 7, 7 ] [ 8, 7, 7, 16 ]
console.log(read(loss), read(codebookLoss), read(commitmentLoss), read(perplexity), read(usage));
// 0.969 0.775 0.775 98.931 0.922
tf.dispose([zE, output, indices, quantized, codebookLoss, commitmentLoss, loss, perplexity, usage, codes]);
vq.dispose();
