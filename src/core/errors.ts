/**
 * One error hierarchy for the whole toolkit. Every error that reaches a user (CLI, HTTP, library) is an
 * XaiError with a stable `code`, a message that names the bad value and what is allowed, and optionally the
 * parameter it concerns. The CLI maps `kind` to exit codes and the API maps it to HTTP status in one place.
 */

/** What went wrong, coarsely: decides CLI exit code and HTTP status. */
export type ErrorKind =
  | 'invalid' // bad input or parameter (exit 2, HTTP 400)
  | 'not_found' // unknown model / method / file (exit 2, HTTP 404)
  | 'too_large' // over a documented limit (exit 2, HTTP 413)
  | 'unsupported' // unsupported format / op / feature (exit 2, HTTP 415 or 400)
  | 'unavailable' // a service is not configured or reachable (exit 1, HTTP 503)
  | 'runtime'; // the computation itself failed (exit 1, HTTP 500)

export class XaiError extends Error {
  readonly kind: ErrorKind;
  readonly code: string;
  readonly param?: string;
  constructor(kind: ErrorKind, code: string, message: string, opts: { param?: string; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'XaiError';
    this.kind = kind;
    this.code = code;
    if (opts.param !== undefined) this.param = opts.param;
  }
}

/** Bad input or parameter: names the parameter, the value given and what is allowed. */
export class InvalidInputError extends XaiError {
  constructor(message: string, opts: { param?: string; code?: string; cause?: unknown } = {}) {
    super('invalid', opts.code ?? 'invalid_input', message, opts);
    this.name = 'InvalidInputError';
  }
}

export class NotFoundError extends XaiError {
  constructor(message: string, opts: { param?: string; code?: string } = {}) {
    super('not_found', opts.code ?? 'not_found', message, opts);
    this.name = 'NotFoundError';
  }
}

export class LimitExceededError extends XaiError {
  constructor(message: string, opts: { param?: string; code?: string } = {}) {
    super('too_large', opts.code ?? 'limit_exceeded', message, opts);
    this.name = 'LimitExceededError';
  }
}

export class UnsupportedError extends XaiError {
  constructor(message: string, opts: { param?: string; code?: string } = {}) {
    super('unsupported', opts.code ?? 'unsupported', message, opts);
    this.name = 'UnsupportedError';
  }
}

/** Image bytes that cannot be decoded: corrupt, truncated, unsupported or absurd dimensions. */
export class ImageDecodeError extends XaiError {
  constructor(message: string, opts: { code?: string; kind?: ErrorKind; cause?: unknown } = {}) {
    super(opts.kind ?? 'invalid', opts.code ?? 'bad_image', message, { param: 'image', cause: opts.cause });
    this.name = 'ImageDecodeError';
  }
}

/** The computation failed (runtime could not load, ORT error): not the caller's fault. */
export class RuntimeFailure extends XaiError {
  constructor(message: string, opts: { code?: string; cause?: unknown } = {}) {
    super('runtime', opts.code ?? 'runtime_error', message, opts);
    this.name = 'RuntimeFailure';
  }
}

/** Thrown by anything that is declared but not implemented, so nobody mistakes it for a result. */
export class NotImplementedError extends XaiError {
  constructor(what: string) {
    super('unsupported', 'not_implemented', `${what} is not implemented`);
    this.name = 'NotImplementedError';
  }
}

/** CLI exit code for an error: 2 for the caller's mistakes, 1 for failures of the computation. */
export function exitCodeFor(err: unknown): 1 | 2 {
  return err instanceof XaiError && err.kind !== 'runtime' && err.kind !== 'unavailable' ? 2 : 1;
}

/** HTTP status for an error. */
export function httpStatusFor(err: unknown): number {
  if (!(err instanceof XaiError)) return 500;
  switch (err.kind) {
    case 'invalid':
      return 400;
    case 'not_found':
      return 404;
    case 'too_large':
      return 413;
    case 'unsupported':
      return err.code === 'unsupported_media_type' ? 415 : 400;
    case 'unavailable':
      return 503;
    case 'runtime':
      return 500;
  }
}

/** Short description of an arbitrary value for error messages (never dumps megabytes). */
export function describeValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? v.slice(0, 57) + '...' : v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null || v === undefined) return String(v);
  if (Array.isArray(v)) return `array of length ${v.length}`;
  if (v instanceof Uint8Array) return `${v.length} bytes`;
  return typeof v;
}
