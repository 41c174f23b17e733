import { NinesError, type NinesErrorOptions } from "@nines/core";
import { BACKUP_ERRORS, BackupError } from "../../backup/errors.js";
import { REPLICA_ERRORS, ReplicaError } from "../errors.js";

/** An error as it crosses between threads: what a structured clone would otherwise lose (code, hint, details). */
export interface WireError {
  name: string;
  message: string;
  stack?: string;
  code?: string;
  hint?: string;
  details?: Record<string, unknown>;
}

/** A nines error of another family, rebuilt with its code and the name of its class. */
class CrossedError extends NinesError {
  readonly #name: string;

  constructor(name: string, code: string, message: string, options: NinesErrorOptions) {
    super(code, message, options);
    this.#name = name;
  }

  override get name(): string {
    return this.#name;
  }
}

const REPLICA_CODES = new Set<string>(Object.values(REPLICA_ERRORS));
const BACKUP_CODES = new Set<string>(Object.values(BACKUP_ERRORS));

/**
 * Describes an error so that it can be posted to another thread.
 *
 * @example
 * port.postMessage({ type: "reply", ok: false, error: toWire(error) });
 */
export function toWire(error: unknown): WireError {
  if (!(error instanceof Error)) return { name: "Error", message: String(error) };
  const wire: WireError = { name: error.name, message: error.message };
  if (error.stack !== undefined) wire.stack = error.stack;
  const { code, hint, details } = error as Partial<NinesError>;
  if (typeof code === "string") wire.code = code;
  if (typeof hint === "string") wire.hint = hint;
  if (details && typeof details === "object") {
    try {
      wire.details = JSON.parse(JSON.stringify(details)) as Record<string, unknown>;
    } catch {
      // Details that are not plain data stay behind; the message and code say what happened.
    }
  }
  return wire;
}

/**
 * Rebuilds an error posted by {@link toWire}: nines errors get their family
 * class back (`ReplicaError`, `BackupError`), so `isNinesError(e, code)` and
 * `instanceof` work in the receiving thread as in the sending one.
 *
 * @example
 * throw fromWire(message.error);
 */
export function fromWire(wire: WireError): Error {
  const options = {
    ...(wire.hint === undefined ? {} : { hint: wire.hint }),
    ...(wire.details === undefined ? {} : { details: wire.details }),
  };
  let error: Error;
  if (wire.code !== undefined && REPLICA_CODES.has(wire.code))
    error = new ReplicaError(wire.code, wire.message, options);
  else if (wire.code !== undefined && BACKUP_CODES.has(wire.code))
    error = new BackupError(wire.code, wire.message, options);
  else if (wire.code !== undefined) error = new CrossedError(wire.name, wire.code, wire.message, options);
  else {
    error = new Error(wire.message);
    if (wire.name !== "Error") Object.defineProperty(error, "name", { value: wire.name });
  }
  if (wire.stack !== undefined) error.stack = wire.stack;
  return error;
}
