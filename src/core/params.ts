/**
 * Method parameters as data: each explainer declares its parameters (name, type, default, bounds) once; this
 * module validates and fills them, whether they come as strings (CLI `--param k=v`) or JSON (HTTP, library).
 * Errors name the parameter, the value given and what is allowed.
 */
import { InvalidInputError, describeValue } from './errors.js';

export type ParamType = 'number' | 'integer' | 'boolean' | 'enum' | 'string';

export interface ParamSpec {
  readonly name: string;
  readonly type: ParamType;
  readonly description: string;
  /** Absent means the parameter is optional with no default (the method decides, e.g. from the model). */
  readonly default?: number | boolean | string;
  readonly min?: number;
  readonly max?: number;
  /** For 'enum'. */
  readonly values?: readonly string[];
}

export type ParamValues = Record<string, number | boolean | string | undefined>;

function coerce(spec: ParamSpec, raw: unknown): number | boolean | string {
  const bad = (allowed: string): never => {
    throw new InvalidInputError(`parameter "${spec.name}" got ${describeValue(raw)}; allowed: ${allowed}`, { param: spec.name, code: 'bad_param' });
  };
  switch (spec.type) {
    case 'number':
    case 'integer': {
      const n = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
      const range = `${spec.type === 'integer' ? 'an integer' : 'a number'}${spec.min !== undefined ? ` >= ${spec.min}` : ''}${spec.max !== undefined ? ` and <= ${spec.max}` : ''}`;
      if (typeof n !== 'number' || !Number.isFinite(n)) return bad(range);
      if (spec.type === 'integer' && !Number.isInteger(n)) return bad(range);
      if ((spec.min !== undefined && n < spec.min) || (spec.max !== undefined && n > spec.max)) return bad(range);
      return n;
    }
    case 'boolean':
      if (raw === true || raw === 'true' || raw === '1') return true;
      if (raw === false || raw === 'false' || raw === '0') return false;
      return bad('true or false');
    case 'enum':
      if (typeof raw === 'string' && spec.values?.includes(raw)) return raw;
      return bad((spec.values ?? []).join(', '));
    case 'string':
      if (typeof raw === 'string' && raw.length > 0 && raw.length <= 1024) return raw;
      return bad('a non-empty string of at most 1024 characters');
  }
}

/**
 * Validate `raw` against `specs` and fill defaults. Unknown names are an error listing the known ones.
 * @example resolveParams(spec.params, { steps: '32' }) // -> { steps: 32, ... }
 */
export function resolveParams(specs: readonly ParamSpec[], raw: Record<string, unknown>, method = 'method'): ParamValues {
  const known = new Set(specs.map((s) => s.name));
  for (const k of Object.keys(raw)) {
    if (!known.has(k)) {
      const list = specs.length ? specs.map((s) => s.name).join(', ') : '(none)';
      throw new InvalidInputError(`unknown parameter "${k}" for ${method}; its parameters are: ${list}`, { param: k, code: 'unknown_param' });
    }
  }
  const out: ParamValues = {};
  for (const s of specs) {
    const v = raw[s.name];
    out[s.name] = v === undefined || v === null ? s.default : coerce(s, v);
  }
  return out;
}

/** Parse CLI `key=value` pairs. */
export function parseKeyValues(pairs: readonly string[], flag = '--param'): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of pairs) {
    const eq = p.indexOf('=');
    if (eq <= 0) throw new InvalidInputError(`${flag} "${p}" is not key=value`, { param: flag });
    out[p.slice(0, eq)] = p.slice(eq + 1);
  }
  return out;
}
