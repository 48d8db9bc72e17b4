/**
 * A model ready to run: its manifest, its ONNX bytes and a runtime, with sessions created lazily and cached
 * per variant (the plain model, and graphs derived from it such as gradient graphs). The cache is bounded;
 * evicted and disposed sessions are released.
 */
import { InvalidInputError } from '../errors.js';
import type { Runtime, Session } from '../runtime/types.js';
import type { ModelManifest } from './manifest.js';

/** How many derived graphs (besides the plain model) one model keeps sessions for. */
export const MAX_VARIANTS_PER_MODEL = 8;

export class LoadedModel {
  private readonly sessions = new Map<string, Promise<Session>>();

  constructor(
    readonly manifest: ModelManifest,
    readonly bytes: Uint8Array,
    readonly runtime: Runtime,
  ) {}

  get id(): string {
    return this.manifest.id;
  }

  /** Input shape for a batch of `n`. */
  inputShape(n = 1): number[] {
    const [, c, h, w] = this.manifest.input.shape;
    return [n, c, h, w];
  }

  /** Session of the plain model. */
  session(): Promise<Session> {
    return this.variant('model', () => this.bytes);
  }

  /**
   * Session of a graph derived from this model, built once per key (e.g. "grad:guided:/conv2/Conv_output_0").
   * `build` returns the derived ONNX bytes. Least recently used variants beyond the bound are disposed.
   */
  variant(key: string, build: () => Uint8Array | Promise<Uint8Array>): Promise<Session> {
    const hit = this.sessions.get(key);
    if (hit) {
      this.sessions.delete(key);
      this.sessions.set(key, hit);
      return hit;
    }
    const p = (async () => this.runtime.createSession(await build()))();
    // A failed build must not poison the cache.
    p.catch(() => this.sessions.delete(key));
    this.sessions.set(key, p);
    while (this.sessions.size > MAX_VARIANTS_PER_MODEL + 1) {
      const oldest = [...this.sessions.keys()].find((k) => k !== 'model');
      if (oldest === undefined) break;
      const victim = this.sessions.get(oldest)!;
      this.sessions.delete(oldest);
      victim.then((s) => s.dispose()).catch(() => undefined);
    }
    return p;
  }

  /** Class label, or the index as a string when the manifest has none for it. */
  label(index: number): string {
    return this.manifest.labels[index] ?? String(index);
  }

  checkTarget(target: number): number {
    const n = this.manifest.labels.length;
    if (!Number.isInteger(target) || target < 0 || target >= n) {
      throw new InvalidInputError(`target ${target} is not a class of model "${this.id}"; allowed: integers 0..${n - 1}`, { param: 'target' });
    }
    return target;
  }

  async dispose(): Promise<void> {
    const all = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(all.map((p) => p.then((s) => s.dispose()).catch(() => undefined)));
  }
}
