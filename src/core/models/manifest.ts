/**
 * The model manifest: everything needed to feed an image to an ONNX classifier and to read its output.
 * `models/<id>/manifest.json` next to `models/<id>/model.onnx`. Validated once, where it enters, with errors
 * that name the bad field.
 */
import { z } from 'zod';
import { InvalidInputError } from '../errors.js';

export const preprocessingSchema = z
  .object({
    /** Target [height, width] of the tensor the model takes. */
    size: z.tuple([z.number().int().min(1).max(4096), z.number().int().min(1).max(4096)]),
    /** How an image of another size gets there: plain resize, or resize the short side then centre-crop. */
    resize: z.enum(['bilinear', 'area', 'resize-crop']).default('bilinear'),
    /** Channel order the model expects. */
    channels: z.enum(['gray', 'rgb', 'bgr']),
    /** Pixel values are byte / 255 * scale before mean/std (scale 1 gives [0,1], 255 gives [0,255]). */
    scale: z.number().positive().default(1),
    mean: z.array(z.number()).min(1).max(3),
    std: z.array(z.number().positive()).min(1).max(3),
  })
  .strict();

export const manifestSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'lower-case letters, digits and dashes, at most 64 characters'),
    title: z.string().min(1),
    task: z.enum(['classification', 'multilabel']),
    input: z
      .object({
        name: z.string().min(1),
        /** Full input shape; the batch dimension is -1 when dynamic. */
        shape: z.array(z.number().int().min(-1)).length(4),
        layout: z.literal('NCHW'),
      })
      .strict(),
    output: z
      .object({
        name: z.string().min(1),
        kind: z.enum(['logits', 'probabilities']),
      })
      .strict(),
    preprocessing: preprocessingSchema,
    labels: z.array(z.string().min(1)).min(1),
    /** ONNX tensor name of the default layer for CAM methods. */
    camLayer: z.string().min(1).optional(),
    /** ONNX tensor name of the penultimate features (representation analysis). */
    featureLayer: z.string().min(1).optional(),
    source: z.string().min(1),
    license: z.string().min(1),
    metrics: z
      .object({
        testAccuracy: z.number().min(0).max(1),
        testSet: z.string().min(1),
      })
      .catchall(z.unknown())
      .optional(),
    training: z.record(z.string(), z.unknown()).optional(),
  })
  .strict()
  .superRefine((m, ctx) => {
    const c = m.input.shape[1];
    const channels = m.preprocessing.channels === 'gray' ? 1 : 3;
    if (c !== channels) {
      ctx.addIssue({ code: 'custom', path: ['input', 'shape', 1], message: `is ${c} but preprocessing.channels "${m.preprocessing.channels}" means ${channels}` });
    }
    if (m.input.shape[2] !== m.preprocessing.size[0] || m.input.shape[3] !== m.preprocessing.size[1]) {
      ctx.addIssue({ code: 'custom', path: ['preprocessing', 'size'], message: `[${m.preprocessing.size}] does not match input.shape [${m.input.shape}]` });
    }
    for (const key of ['mean', 'std'] as const) {
      const n = m.preprocessing[key].length;
      if (n !== 1 && n !== channels) ctx.addIssue({ code: 'custom', path: ['preprocessing', key], message: `has ${n} values; give 1 or ${channels}` });
    }
  });

export type ModelManifest = z.infer<typeof manifestSchema>;
export type Preprocessing = z.infer<typeof preprocessingSchema>;

/** Parse and validate a manifest; the error names the field and what is wrong with it. */
export function parseManifest(json: unknown, where = 'manifest'): ModelManifest {
  const r = manifestSchema.safeParse(json);
  if (!r.success) {
    const first = r.error.issues[0];
    const path = first.path.length ? first.path.join('.') : '(root)';
    const more = r.error.issues.length > 1 ? ` (and ${r.error.issues.length - 1} more problem(s))` : '';
    throw new InvalidInputError(`${where}: field "${path}" ${first.message}${more}`, { param: path, code: 'bad_manifest' });
  }
  return r.data;
}
