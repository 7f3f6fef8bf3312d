// ONNX Runtime peer of bench/compare.sh: node ort_bench.js MODEL.onnx INPUT.npy REF.npy RUNS WARMUP
// THREADS. Checks the logits against PyTorch's, then prints one line per timed run (ms), every
// attention output fetched.
const ort = require('onnxruntime-node');
const fs = require('fs');

function readNpyF32(path) {
  const buf = fs.readFileSync(path);
  const headerLen = buf.readUInt16LE(8);
  const header = buf.toString('latin1', 10, 10 + headerLen);
  if (!header.includes("'<f4'")) throw new Error(path + ': not float32');
  const shape = header.match(/\(([^)]*)\)/)[1].split(',').filter(s => s.trim()).map(Number);
  const start = 10 + headerLen;
  const data = new Float32Array(buf.buffer.slice(buf.byteOffset + start, buf.byteOffset + buf.length));
  return {shape, data};
}

async function main() {
  const [model, inputPath, refPath, runs, warmup, threads] = process.argv.slice(2);
  const session = await ort.InferenceSession.create(model, {
    intraOpNumThreads: Number(threads), interOpNumThreads: 1, graphOptimizationLevel: 'all'});
  const x = readNpyF32(inputPath);
  const feeds = {pixel_values: new ort.Tensor('float32', x.data, x.shape)};
  const ref = readNpyF32(refPath).data;
  const first = await session.run(feeds);
  let worst = 0;
  first.logits.data.forEach((v, i) => { worst = Math.max(worst, Math.abs(v - ref[i])); });
  if (!(worst < 1e-3)) throw new Error(`logits differ from PyTorch's by ${worst}`);
  for (let i = 0; i < Number(warmup) + Number(runs); ++i) {
    const t0 = process.hrtime.bigint();
    await session.run(feeds);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (i >= Number(warmup)) console.log(ms.toFixed(3));
  }
}
main().catch(e => { console.error('ort_bench: ' + e.message); process.exit(1); });
