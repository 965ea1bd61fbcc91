// CommonJS. The addon as @vaejs/backend loads it: what it runs on, and one product of plain arrays (@vaejs/backend
// hands it views of tfjs' wasm heap instead).
const native = require('@vaejs/backend-native');

const addon = native.load(); // throws, saying why, where the prebuild does not fit this machine
const { library, version, isa, threads } = addon.info();
console.log(library, /^\d+\.\d+\.\d+$/.test(version), isa.length > 0, threads); // oneDNN true true 1
const a = new Float32Array([1, 2, 3, 4, 5, 6]); // [2, 3]
const b = new Float32Array([1, 0, 0, 1, 1, 1]); // [3, 2]
const out = new Float32Array(4); // [2, 2]
// out = a·b: batch 1, m 2, n 2, k 3, no transposes, no bias, no activation
addon.matMul(a, b, out, null, 1, 2, 2, 3, false, false, 1, 1, 0, 0);
console.log(Array.from(out)); // [ 4, 5, 10, 11 ]
