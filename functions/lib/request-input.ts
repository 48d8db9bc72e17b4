/**
 * Reads an explain/predict request body, JSON or multipart, into one validated shape. The image comes as
 * base64 (`image`) or a file part, or the input comes as a ready tensor (`tensor`: base64 float32 LE plus
 * `shape`). Every failure is a typed error naming the field; sizes are checked before anything is decoded.
 */
import { z } from '@hono/zod-openapi';
import { base64ToBytes } from '../../src/core/base64.js';
import { InvalidInputError, LimitExceededError, UnsupportedError } from '../../src/core/errors.js';
import { MAX_ENCODED_BYTES } from '../../src/core/image/index.js';

/** Largest request body accepted (an encoded image at the limit, base64-inflated, plus fields). */
export const MAX_BODY_BYTES = Math.ceil((MAX_ENCODED_BYTES * 4) / 3) + 64 * 1024;

export const explainFieldsSchema = z
  .object({
    model: z.string().min(1).max(64),
    method: z.string().min(1).max(64).optional(),
    image: z.string().min(1).optional(),
    tensor: z.string().min(1).optional(),
    shape: z.array(z.number().int().min(1).max(4096)).length(4).optional(),
    target: z.number().int().min(0).optional(),
    layer: z.string().min(1).max(256).optional(),
    params: z.record(z.string(), z.union([z.number(), z.boolean(), z.string()])).optional(),
    seed: z.number().int().min(0).max(2 ** 32 - 1).optional(),
    batchSize: z.number().int().min(1).max(256).optional(),
    shards: z.number().int().min(1).max(64).optional(),
    top: z.number().int().min(1).max(1000).optional(),
    format: z.enum(['json', 'png', 'both']).optional(),
    render: z.enum(['overlay', 'heatmap']).optional(),
  })
  .strict();

export type ExplainFields = z.infer<typeof explainFieldsSchema>;

export interface RequestInput {
  fields: ExplainFields;
  /** Encoded image bytes, when the input is an image. */
  imageBytes?: Uint8Array;
  /** Raw float32 input, when the input is a tensor. */
  tensor?: { data: Float32Array; shape: number[] };
}

function firstIssue(err: z.ZodError): InvalidInputError {
  const issue = err.issues[0];
  const path = issue.path.join('.') || '(body)';
  const msg = issue.code === 'unrecognized_keys' ? `unknown field(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}` : `field "${path}": ${issue.message}`;
  return new InvalidInputError(msg, { param: issue.code === 'unrecognized_keys' ? issue.keys[0] : path, code: 'invalid_input' });
}

function decodeTensor(b64: string, shape: number[] | undefined): { data: Float32Array; shape: number[] } {
  if (!shape) throw new InvalidInputError('field "shape" is required with "tensor" (e.g. [1, 1, 28, 28])', { param: 'shape' });
  const bytes = base64ToBytes(b64, 'tensor');
  const n = shape.reduce((a, b) => a * b, 1);
  if (bytes.length !== n * 4) {
    throw new InvalidInputError(`tensor has ${bytes.length} bytes; shape [${shape.join(', ')}] needs ${n * 4} bytes of little-endian float32`, { param: 'tensor' });
  }
  const data = new Float32Array(n);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < n; i++) data[i] = view.getFloat32(i * 4, true);
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(data[i])) throw new InvalidInputError(`tensor value ${i} is ${data[i]}; only finite numbers are allowed`, { param: 'tensor' });
  }
  return { data, shape };
}

/** Multipart text fields arrive as strings: numbers and JSON objects are parsed per field. */
function multipartFields(form: FormData): { raw: Record<string, unknown>; file?: File } {
  const raw: Record<string, unknown> = {};
  let file: File | undefined;
  for (const [key, value] of form.entries()) {
    if (typeof value !== 'string') {
      if (key !== 'image') throw new InvalidInputError(`file part "${key}" is not expected; send the image as the "image" part`, { param: key });
      file = value as File;
      continue;
    }
    if (['target', 'seed', 'batchSize', 'top', 'shards'].includes(key)) raw[key] = value.trim() === '' ? value : Number(value);
    else if (key === 'params' || key === 'shape') {
      try {
        raw[key] = JSON.parse(value);
      } catch {
        throw new InvalidInputError(`field "${key}" must be JSON`, { param: key });
      }
    } else raw[key] = value;
  }
  return { raw, file };
}

export async function readRequestInput(req: Request, opts: { requireMethod: boolean }): Promise<RequestInput> {
  const type = (req.headers.get('content-type') ?? '').toLowerCase();
  const length = Number(req.headers.get('content-length') ?? '0');
  if (length > MAX_BODY_BYTES) throw new LimitExceededError(`request body of ${length} bytes is over the limit of ${MAX_BODY_BYTES} bytes`, { param: 'body', code: 'body_too_large' });
  let raw: unknown;
  let file: File | undefined;
  if (type.startsWith('application/json')) {
    const text = await req.text();
    if (text.length > MAX_BODY_BYTES) throw new LimitExceededError(`request body is over the limit of ${MAX_BODY_BYTES} bytes`, { param: 'body', code: 'body_too_large' });
    try {
      raw = JSON.parse(text);
    } catch {
      throw new InvalidInputError('request body is not valid JSON', { code: 'bad_json' });
    }
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new InvalidInputError('request body must be a JSON object', { code: 'bad_json' });
  } else if (type.startsWith('multipart/form-data')) {
    let form: FormData;
    try {
      form = await req.formData();
    } catch {
      throw new InvalidInputError('request body is not valid multipart/form-data', { code: 'bad_multipart' });
    }
    ({ raw, file } = multipartFields(form));
  } else {
    throw new UnsupportedError(`content-type "${type || '(none)'}" is not supported; send application/json or multipart/form-data`, { code: 'unsupported_media_type', param: 'content-type' });
  }
  const parsed = explainFieldsSchema.safeParse(raw);
  if (!parsed.success) throw firstIssue(parsed.error);
  const fields = parsed.data;
  if (opts.requireMethod && !fields.method) throw new InvalidInputError('field "method" is required', { param: 'method' });
  const sources = [fields.image !== undefined, fields.tensor !== undefined, file !== undefined].filter(Boolean).length;
  if (sources !== 1) throw new InvalidInputError('give exactly one input: "image" (base64 or a multipart file) or "tensor" with "shape"', { param: 'image' });
  if (fields.tensor !== undefined) return { fields, tensor: decodeTensor(fields.tensor, fields.shape) };
  if (fields.image !== undefined && fields.image.length > Math.ceil((MAX_ENCODED_BYTES * 4) / 3) + 128) {
    throw new LimitExceededError(`image is larger than the limit of ${MAX_ENCODED_BYTES} bytes`, { param: 'image', code: 'image_too_large' });
  }
  const imageBytes = file ? new Uint8Array(await file.arrayBuffer()) : base64ToBytes(fields.image!, 'image');
  if (imageBytes.length > MAX_ENCODED_BYTES) throw new LimitExceededError(`image of ${imageBytes.length} bytes is larger than the limit of ${MAX_ENCODED_BYTES} bytes`, { param: 'image', code: 'image_too_large' });
  return { fields, imageBytes };
}
