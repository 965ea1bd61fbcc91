/**
 * The scores of a prior's evaluation, by the names `vaejs eval` and the README give them, in their order, each with
 * what it means: `loss` and `bits_per_dim` of its mean loss parts (`evaluate` of @vaejs/training).
 */
export const PIXELCNN_SCORES: readonly (readonly [string, string])[] = Object.freeze([
  ['loss', 'nats per position: −log p(code), the training loss'],
  ['bits_per_dim', 'loss / ln 2'],
] as const);
