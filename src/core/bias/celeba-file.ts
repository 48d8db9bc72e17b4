/**
 * Node-only: read a CelebA-format attribute file from disk (the rest of src/core/bias is isomorphic).
 */
import { readFile, stat } from 'node:fs/promises';
import { InvalidInputError, LimitExceededError, NotFoundError } from '../errors.js';
import { readCelebA } from './celeba.js';
import type { AttributeTable } from './correlation.js';

/** Largest attribute file read (CelebA's list_attr_celeba.txt is about 26 MB). */
export const MAX_ATTRIBUTE_FILE_BYTES = 256 * 1024 * 1024;

/**
 * Read and parse an attribute file; errors name the path and, for malformed content, the line.
 * @example const labels = await readAttributeFile('list_attr_celeba.txt')
 */
export async function readAttributeFile(path: string): Promise<AttributeTable> {
  const info = await stat(path).catch(() => undefined);
  if (!info || !info.isFile()) throw new NotFoundError(`attribute file ${JSON.stringify(path)} does not exist or is not a file`, { param: 'attributes' });
  if (info.size > MAX_ATTRIBUTE_FILE_BYTES) {
    throw new LimitExceededError(`attribute file ${JSON.stringify(path)} has ${info.size} bytes; at most ${MAX_ATTRIBUTE_FILE_BYTES} allowed`, { param: 'attributes' });
  }
  const text = await readFile(path, 'utf8');
  try {
    return readCelebA(text);
  } catch (err) {
    if (err instanceof InvalidInputError) throw new InvalidInputError(`${path}: ${err.message}`, { param: 'attributes', code: err.code, cause: err });
    throw err;
  }
}
