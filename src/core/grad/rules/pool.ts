/**
 * Backward rules of average pooling (MaxPool's is in ./maxpool.ts). AveragePool scatters g / window-count with an
 * all-ones depthwise ConvTranspose; GlobalAveragePool expands.
 */
import { attrInt } from '../../onnx/model.js';
import { windowGeometry } from '../../onnx/shapes.js';
import type { BackwardContext, Rule } from '../rule.js';
import { convTransposeBack } from './linear.js';

/** Number of window positions of output index o that count in the average, along one dim. */
function windowCount(o: number, i: number, geo: ReturnType<typeof windowGeometry>, includePad: boolean): number {
  const start = o * geo.strides[i] - geo.padsBegin[i];
  const lo = includePad ? -geo.padsBegin[i] : 0;
  const hi = includePad ? geo.inSpatial[i] + geo.padsEnd[i] : geo.inSpatial[i];
  let c = 0;
  for (let t = 0; t < geo.kernel[i]; t++) {
    const p = start + t * geo.dilations[i];
    if (p >= lo && p < hi) c++;
  }
  return c;
}

export const averagePoolRule: Rule = {
  name: 'gradient',
  backward(ctx) {
    const e = ctx.emit;
    const n = ctx.node;
    const xs = ctx.shape(n.input[0]);
    const channels = xs[1];
    if (typeof channels !== 'number') return ctx.fail('needs a static channel count');
    const geo = windowGeometry(n, xs);
    const includePad = attrInt(n, 'count_include_pad', 0) === 1;
    // 1 / count per output position: a separable product over the spatial dims.
    const outN = geo.outSpatial.reduce((a, b) => a * b, 1);
    const inv = new Float32Array(outN);
    for (let f = 0; f < outN; f++) {
      let rest = f;
      let count = 1;
      for (let i = geo.outSpatial.length - 1; i >= 0; i--) {
        const o = rest % geo.outSpatial[i];
        rest = Math.floor(rest / geo.outSpatial[i]);
        count *= windowCount(o, i, geo, includePad);
      }
      inv[f] = count > 0 ? 1 / count : 0;
    }
    const scaled = e.mul(ctx.gradOutputs[0]!, e.constF(inv, [1, 1, ...geo.outSpatial]));
    const ksize = geo.kernel.reduce((a, b) => a * b, 1);
    const weight = e.constF(new Float32Array(channels * ksize).fill(1), [channels, 1, ...geo.kernel]);
    return [convTransposeBack(ctx, scaled, weight, geo, channels)];
  },
};

export const globalAveragePoolRule: Rule = {
  name: 'gradient',
  backward(ctx: BackwardContext) {
    const x = ctx.node.input[0];
    const spatial = ctx.staticShape(x, 2);
    const count = spatial.reduce((a, b) => a * b, 1);
    const e = ctx.emit;
    // Scale the [N, C, 1, ...] gradient before expanding it: one pass over the large map instead of two.
    const small = e.mul(ctx.gradOutputs[0]!, e.constF([1 / count]));
    const dx = e.op('Expand', [small, e.shapeOf(x)]);
    e.noteBroadcast(dx, small);
    return [dx];
  },
};
