import { initBackend, setKernelThreads, shareWasmClones, linear } from '@crys/egnn';
import * as tf from '@tensorflow/tfjs';
tf.env().set('PROD', true);
const threads = Number(process.argv[2] ?? 1);
await initBackend('wasm'); shareWasmClones();
if (threads > 1) await setKernelThreads(threads);
const x = tf.randomNormal([12058, 64]); const w = tf.randomNormal([64, 64]);
const g = tf.randomNormal([12058, 64]); const r = tf.randomNormal([12058, 16]);
tf.grads((a, b) => linear(a, b).sum())([x, w]);
const f = () => tf.engine().runKernel('CrysSimdMatMulTN', { a: x, b: g });
const f16 = () => tf.engine().runKernel('CrysSimdMatMulTN', { a: r, b: g });
const fw = () => linear(x, w);
function time(f, n = 40) { for (let i = 0; i < n; i++) tf.dispose(f()); const ts = []; for (let k = 0; k < 7; k++) { const t0 = performance.now(); for (let i = 0; i < n; i++) tf.dispose(f()); ts.push((performance.now() - t0) / n); } ts.sort((a, b) => a - b); return ts[3]; }
console.log(`CH ${process.env.CRYS_TN_CH ?? 128} threads ${threads}: TN64 ${time(f).toFixed(3)} ms, TN16 ${time(f16).toFixed(3)} ms, fwd ${time(fw).toFixed(3)} ms, sum ${f().dataSync().slice(0,3).join(',')}`);
