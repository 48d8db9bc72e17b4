// Check the exported model against PyTorch: onnxruntime-node's logits for the first 64 images of the 'test'
// split must match the logits train_bias.py saved (<data>/torch_logits_test64.bin) within 1e-4.
// Usage: node models/train/bias/verify_onnx.mjs [--data /tmp/bias-data] [--model models/bias-attributes]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import ort from 'onnxruntime-node';

const { values } = parseArgs({ options: { data: { type: 'string', default: '/tmp/bias-data' }, model: { type: 'string', default: 'models/bias-attributes' } } });
const n = 64;
const size = 64;
const bin = readFileSync(join(values.data, 'test.bin'));
const ref = new Float32Array(new Uint8Array(readFileSync(join(values.data, 'torch_logits_test64.bin'))).buffer);
const x = new Float32Array(n * 3 * size * size);
for (let i = 0; i < n; i++)
  for (let p = 0; p < size * size; p++)
    for (let c = 0; c < 3; c++) x[((i * 3 + c) * size * size) + p] = (bin[(i * size * size + p) * 3 + c] / 255 - 0.5) / 0.5;
const session = await ort.InferenceSession.create(join(values.model, 'model.onnx'));
const out = (await session.run({ input: new ort.Tensor('float32', x, [n, 3, size, size]) })).logits.data;
let worst = 0;
for (let i = 0; i < out.length; i++) worst = Math.max(worst, Math.abs(out[i] - ref[i]));
console.log(`max |onnxruntime - torch| over ${n} images x ${out.length / n} logits: ${worst.toExponential(2)}`);
if (!(worst <= 1e-4)) process.exit(1);
