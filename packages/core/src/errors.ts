import { closestName } from "./closest-name.js";

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
 * Each package throws its own family (a subclass that only overrides
 * `name`, such as `ResilienceError` or `BackupError`), so that a stack trace
 * says which part failed; the package's `errors.ts` lists every code it
 * throws, and a test keeps that list, the sources and the docs in step.
 *
 * @example
 * class BillingError extends NinesError {
 *   override get name() { return "BillingError"; }
 * }
 * throw new BillingError("BILLING_CARD_DECLINED", "charge 42: the card was declined", {
 *   hint: "ask the customer for another card",
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

/** Thrown when an option is invalid; `details` has `part`, `option` and `value`. */
export class OptionError extends NinesError {
  override get name(): string {
    return "OptionError";
  }
}

/**
 * Throws {@link OPTION_INVALID} naming the option unless `ok`.
 *
 * @example
 * requireOption(options.maxAttempts >= 1, "retry", "maxAttempts", options.maxAttempts, ">= 1");
 */
export function requireOption(ok: boolean, part: string, option: string, value: unknown, expected: string): void {
  if (ok) return;
  const shown = typeof value === "string" ? JSON.stringify(value) : String(value);
  throw new OptionError(OPTION_INVALID, `${part}: option ${option} must be ${expected}, got ${shown}`, {
    hint: `set ${option} to ${expected.startsWith("a ") || expected.startsWith("an ") ? expected : `a value ${expected}`}`,
    details: { part, option, value },
  });
}

/**
 * Throws {@link OPTION_INVALID} when `options` has a key not in `known`
 * (a misspelt `maxAtempts` would otherwise be ignored silently), naming the
 * closest known key. Call it once when a part is built, not per call.
 *
 * @example
 * requireKnownOptions("retry", options, ["maxAttempts", "backoff", "isFailure", "clock", "random"]);
 */
export function requireKnownOptions(part: string, options: object, known: readonly string[]): void {
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue;
    const near = closestName(key, known);
    throw new OptionError(OPTION_INVALID, `${part}: unknown option ${key}`, {
      hint: near ? `did you mean ${near}?` : `the options are ${known.join(", ")}`,
      details: { part, option: key, value: (options as Record<string, unknown>)[key] },
    });
  }
}
