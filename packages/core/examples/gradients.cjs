// CommonJS: require() works as well as import. Stop-gradient and the straight-through estimator (VQ-VAE), and seeded
// sampling from a categorical distribution (a PixelCNN prior's logits).
const tf = require('@tensorflow/tfjs-core');
const { setupBackend } = require('@vaejs/backend');
const { categoricalLogProb, categoricalSample, stopGradient, straightThrough } = require('@vaejs/core');

async function main() {
  await setupBackend();

  const zE = tf.tensor2d([[0.2, 0.9]]); // encoder output
  const zQ = tf.tensor2d([[0, 1]]); // nearest codebook vector
  // Forward: zQ. Backward: the gradient flows to zE unchanged, and none to zQ.
  const [toEncoder, toCodebook] = tf.grads((e, q) => tf.sum(tf.mul(straightThrough(e, q), [[3, 4]])))([zE, zQ]);
  const zST = straightThrough(zE, zQ);
  console.log(zST.arraySync(), toEncoder.arraySync(), toCodebook.arraySync());
  // [ [ 0, 1 ] ] [ [ 3, 4 ] ] [ [ 0, 0 ] ]
  // The codebook loss ||sg(zE) − zQ||² moves the codebook only: its gradient to zE is 0, to zQ 2·(zQ − zE).
  const codebookLoss = (e, q) => tf.sum(tf.square(tf.sub(stopGradient(e), q)));
  const [lossToEncoder, lossToCodebook] = tf.grads(codebookLoss)([zE, zQ]);
  console.log(
    lossToEncoder.arraySync(),
    lossToCodebook.arraySync().map((row) => row.map((v) => +v.toFixed(2))),
  );
  // [ [ 0, 0 ] ] [ [ -0.4, 0.2 ] ]

  const logits = tf.randomNormal([2, 7, 7, 512], 0, 1, 'float32', 1); // [batch, h, w, K]
  const codes = categoricalSample(logits, { seed: 3, temperature: 0.8 }); // int32 [2, 7, 7], Gumbel-max
  const again = categoricalSample(logits, { seed: 3, temperature: 0.8 }); // the same seed: the same codes
  const logProb = categoricalLogProb(logits, codes); // float32 [2, 7, 7], each ≤ 0
  const [same, highest] = tf.tidy(() => [tf.all(tf.equal(codes, again)), tf.max(logProb)].map((t) => t.dataSync()[0]));
  console.log(codes.dtype, codes.shape, same === 1, highest <= 0); // int32 [ 2, 7, 7 ] true true
  tf.dispose([zE, zQ, zST, toEncoder, toCodebook, lossToEncoder, lossToCodebook, logits, codes, again, logProb]);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
