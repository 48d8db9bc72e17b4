/**
 * The exact-gradient rule of every op the builder covers, by op type. Composites (../composites.ts) start
 * from this table and put modified rules in front of it.
 */
import type { Rule } from '../rule.js';
import { clipRule, hardSigmoidRule, hardSwishRule, leakyReluRule, logSoftmaxRule, reluRule, sigmoidRule, softmaxRule, tanhRule } from './activation.js';
import { addRule, divRule, mulRule, subRule } from './elementwise.js';
import { batchNormRule, convRule, gemmRule, matMulRule } from './linear.js';
import { maxPoolRule } from './maxpool.js';
import { averagePoolRule, globalAveragePoolRule } from './pool.js';
import { concatRule, padRule, passRule, reshapeLikeInputRule, transposeRule } from './shape.js';

export const GRADIENT_RULES: Readonly<Record<string, Rule>> = Object.freeze({
  Conv: convRule,
  Gemm: gemmRule,
  MatMul: matMulRule,
  Add: addRule,
  Sub: subRule,
  Mul: mulRule,
  Div: divRule,
  Relu: reluRule,
  LeakyRelu: leakyReluRule,
  Clip: clipRule,
  Sigmoid: sigmoidRule,
  Tanh: tanhRule,
  HardSigmoid: hardSigmoidRule,
  HardSwish: hardSwishRule,
  MaxPool: maxPoolRule,
  AveragePool: averagePoolRule,
  GlobalAveragePool: globalAveragePoolRule,
  BatchNormalization: batchNormRule,
  Concat: concatRule,
  Flatten: reshapeLikeInputRule,
  Reshape: reshapeLikeInputRule,
  Squeeze: reshapeLikeInputRule,
  Unsqueeze: reshapeLikeInputRule,
  Transpose: transposeRule,
  Pad: padRule,
  Dropout: passRule,
  Identity: passRule,
  Softmax: softmaxRule,
  LogSoftmax: logSoftmaxRule,
});

/** Op types with an exact gradient rule. */
export const SUPPORTED_OPS: readonly string[] = Object.keys(GRADIENT_RULES);
