/**
 * Wraps an onnxruntime InferenceSession (onnxruntime-node and onnxruntime-web share the onnxruntime-common API)
 * in our Session interface: float32 Tensors in and out, batch-size checks with a clear message, and
 * disposal of the ORT tensors it creates.
 */
import type { InferenceSession as OrtSession, Tensor as OrtTensor } from 'onnxruntime-common';
import { InvalidInputError, RuntimeFailure } from '../errors.js';
import type { Tensor } from '../tensor.js';
import type { BackendInfo, Session, ValueInfo } from './types.js';

/** The constructor part of an ORT module we need: its Tensor class. */
export interface OrtTensorCtor {
  new (type: 'float32', data: Float32Array, dims: readonly number[]): OrtTensor;
}

function valueInfos(meta: readonly OrtSession.ValueMetadata[] | undefined, names: readonly string[]): ValueInfo[] {
  return names.map((name) => {
    const m = meta?.find((v) => v.name === name);
    if (m && m.isTensor) return { name, type: String(m.type), dims: m.shape.map((d) => (typeof d === 'number' ? d : String(d))) };
    return { name, type: 'unknown', dims: undefined };
  });
}

export class OrtSessionAdapter implements Session {
  readonly inputs: readonly ValueInfo[];
  readonly outputs: readonly ValueInfo[];
  private disposed = false;

  /** @param afterRun awaited after every run, whatever its outcome (workerd yields to its event loop there). */
  constructor(
    private readonly session: OrtSession,
    private readonly TensorCtor: OrtTensorCtor,
    readonly backend: BackendInfo,
    private readonly afterRun?: () => Promise<void>,
  ) {
    this.inputs = valueInfos(session.inputMetadata, session.inputNames);
    this.outputs = valueInfos(session.outputMetadata, session.outputNames);
  }

  async run(feeds: Record<string, Tensor>, outputs?: readonly string[]): Promise<Record<string, Tensor>> {
    if (this.disposed) throw new RuntimeFailure('session was disposed');
    const ortFeeds: Record<string, OrtTensor> = {};
    for (const info of this.inputs) {
      const t = feeds[info.name];
      if (!t) {
        throw new InvalidInputError(`missing model input "${info.name}"; the model takes ${this.inputs.map((i) => `"${i.name}"`).join(', ')}`, { param: 'input' });
      }
      checkShape(info, t);
      ortFeeds[info.name] = new this.TensorCtor('float32', t.data, t.shape);
    }
    for (const name of outputs ?? []) {
      if (!this.outputs.some((o) => o.name === name)) {
        throw new InvalidInputError(`unknown model output "${name}"; available: ${this.outputs.map((o) => o.name).join(', ')}`, { param: 'outputs' });
      }
    }
    let result: OrtSession.OnnxValueMapType;
    try {
      result = outputs ? await this.session.run(ortFeeds, outputs as string[]) : await this.session.run(ortFeeds);
    } catch (err) {
      throw new RuntimeFailure(`inference failed on ${this.backend.backend}: ${(err as Error).message ?? err}`, { cause: err });
    } finally {
      for (const t of Object.values(ortFeeds)) t.dispose?.();
      if (this.afterRun) await this.afterRun();
    }
    const out: Record<string, Tensor> = {};
    for (const [name, value] of Object.entries(result)) {
      const v = value as OrtTensor;
      if (v.type !== 'float32') {
        v.dispose?.();
        throw new RuntimeFailure(`output "${name}" has type ${v.type}; only float32 outputs are supported`);
      }
      // Copy out of ORT-owned memory, then release the ORT tensor.
      out[name] = { data: new Float32Array(v.data as Float32Array), shape: [...v.dims] };
      v.dispose?.();
    }
    return out;
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.session.release();
  }
}

function checkShape(info: ValueInfo, t: Tensor): void {
  if (!info.dims) return;
  const want = info.dims;
  if (t.shape.length !== want.length) {
    throw new InvalidInputError(
      `input "${info.name}" has shape [${t.shape.join(', ')}] but the model expects rank ${want.length} [${want.join(', ')}]`,
      { param: 'input' },
    );
  }
  for (let i = 0; i < want.length; i++) {
    const d = want[i];
    if (typeof d === 'number' && d > 0 && d !== t.shape[i]) {
      if (i === 0 && d === 1) {
        throw new InvalidInputError(
          `the model has a fixed batch size of 1, but a batch of ${t.shape[0]} was given; use batchSize=1 or re-export the model with a dynamic batch dimension (torch.onnx.export dynamic_axes)`,
          { param: 'batchSize', code: 'fixed_batch' },
        );
      }
      throw new InvalidInputError(
        `input "${info.name}" has shape [${t.shape.join(', ')}] but the model expects [${want.join(', ')}] (dimension ${i})`,
        { param: 'input' },
      );
    }
  }
}
