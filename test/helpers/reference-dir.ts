/**
 * Where the shared reference vectors live: ../shared/reference/data beside the repository (as on the
 * developers' machines and in CI), or XAI_REFERENCE_DIR.
 */
import { fileURLToPath } from 'node:url';

export const REFERENCE_DATA_DIR = process.env.XAI_REFERENCE_DIR ?? fileURLToPath(new URL('../../../shared/reference/data', import.meta.url));
