/** The brand that marks nines errors; `Symbol.for` survives duplicate installs. */
const BRAND = Symbol.for("nines.error");

export interface NinesErrorOptions {
  /** What the user can do about it. */
  hint?: string;
  /** The underlying error, if any. */
  cause?: unknown;
  /** Structured facts for programs (for example `retryAfterMs`). */
  details?: Record<string, unknown>;
}

/**
 * The base of every error nines throws: a stable `code` that programs can
 * match on, a message that says what went wrong, a `hint` that says what to
 * do, and the `cause`. Check with {@link isNinesError}, not `instanceof`,
 * so that errors from a second copy of the package are recognised too.
 *
 * @example
 * throw new NinesError("NINES_OPTION_INVALID", "retry: maxAttempts must be >= 1, got 0", {
 *   hint: "set maxAttempts to 1 (no retry) or more",
 * });
 */
export class NinesError extends Error {
  readonly code: string;
  readonly hint: string | undefined;
  readonly details: Record<string, unknown>;

  constructor(code: string, message: string, options: NinesErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.hint = options.hint;
    this.details = options.details ?? {};
    Object.defineProperty(this, BRAND, { value: true });
  }

  override get name(): string {
    return "NinesError";
  }

  /** The message followed by the hint, for people. */
  describe(): string {
    return this.hint ? `${this.message}\n  hint: ${this.hint}` : this.message;
  }
}

/** True for any nines error (optionally with the given code), from any copy of the package. */
export function isNinesError(value: unknown, code?: string): value is NinesError {
  if (typeof value !== "object" || value === null || (value as Record<symbol, unknown>)[BRAND] !== true) return false;
  return code === undefined || (value as NinesError).code === code;
}

/** Error code for an option that fails validation when a policy or part is built. */
export const OPTION_INVALID = "NINES_OPTION_INVALID";

/**
 * Throws {@link OPTION_INVALID} naming the option unless `ok`.
 *
 * @example
 * requireOption(options.maxAttempts >= 1, "retry", "maxAttempts", options.maxAttempts, ">= 1");
 */
export function requireOption(ok: boolean, part: string, option: string, value: unknown, expected: string): void {
  if (ok) return;
  throw new NinesError(OPTION_INVALID, `${part}: option ${option} must be ${expected}, got ${String(value)}`, {
    hint: `set ${option} to a value ${expected}`,
    details: { part, option, value },
  });
}
