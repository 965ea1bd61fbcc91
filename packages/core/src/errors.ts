/**
 * Error classes every vaejs package throws. Messages follow one template:
 * `<function>: expected <argument> <expectation>, got <actual>.`
 *
 * `isInstance` checks a marker symbol rather than the prototype chain, so it still works when two copies of
 * `@vaejs/core` are loaded (a bundled app plus a library, say).
 */
const MARKER = Symbol.for('@vaejs/core/error');

export type VaejsErrorKind = 'shape' | 'dtype' | 'config' | 'value' | 'data' | 'checkpoint';

export class VaejsError extends Error {
  readonly kind: VaejsErrorKind;
  readonly [MARKER] = true;

  constructor(message: string, kind: VaejsErrorKind = 'value') {
    super(message);
    this.kind = kind;
    this.name = 'VaejsError';
  }

  /** True for any vaejs error, from this copy of the package or another. */
  static isInstance(value: unknown): value is VaejsError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[MARKER] === true;
  }
}

/** A tensor of the wrong rank or shape. */
export class ShapeError extends VaejsError {
  constructor(message: string) {
    super(message, 'shape');
    this.name = 'ShapeError';
  }
  static override isInstance(value: unknown): value is ShapeError {
    return VaejsError.isInstance(value) && value.kind === 'shape';
  }
}

/** A tensor of the wrong dtype. */
export class DTypeError extends VaejsError {
  constructor(message: string) {
    super(message, 'dtype');
    this.name = 'DTypeError';
  }
  static override isInstance(value: unknown): value is DTypeError {
    return VaejsError.isInstance(value) && value.kind === 'dtype';
  }
}

/** A config field out of its domain, or two fields that contradict each other. */
export class ConfigError extends VaejsError {
  constructor(message: string) {
    super(message, 'config');
    this.name = 'ConfigError';
  }
  static override isInstance(value: unknown): value is ConfigError {
    return VaejsError.isInstance(value) && value.kind === 'config';
  }
}

/** An argument value out of range (a negative count, pixels outside [0, 1], a NaN). */
export class ValueError extends VaejsError {
  constructor(message: string) {
    super(message, 'value');
    this.name = 'ValueError';
  }
  static override isInstance(value: unknown): value is ValueError {
    return VaejsError.isInstance(value) && value.kind === 'value';
  }
}

/** A file or data source that is missing, truncated or of the wrong format. */
export class DataError extends VaejsError {
  constructor(message: string) {
    super(message, 'data');
    this.name = 'DataError';
  }
  static override isInstance(value: unknown): value is DataError {
    return VaejsError.isInstance(value) && value.kind === 'data';
  }
}

/** A checkpoint that is missing, corrupt, or was written by another model. */
export class CheckpointError extends VaejsError {
  constructor(message: string) {
    super(message, 'checkpoint');
    this.name = 'CheckpointError';
  }
  static override isInstance(value: unknown): value is CheckpointError {
    return VaejsError.isInstance(value) && value.kind === 'checkpoint';
  }
}

/**
 * Builds the standard message: `fn: expected arg expectation, got actual.`
 * @example formatExpected('vae.encode', 'x', 'rank 4 (NHWC)', 'rank 2') // 'vae.encode: expected x rank 4 (NHWC), got rank 2.'
 */
export function formatExpected(fn: string, argument: string, expectation: string, actual: string): string {
  return `${fn}: expected ${argument} ${expectation}, got ${actual}.`;
}
