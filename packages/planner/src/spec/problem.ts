import type { PathSegment } from "./source-map.js";

/** A problem found in the data, before it is given a file position. */
export interface Problem {
  path: PathSegment[];
  /** Point at the key of the map entry (unknown keys, names) rather than its value. */
  part: "value" | "key";
  message: string;
  hint: string;
}

/** The raw YAML data, read defensively: checks run even where the schema already failed. */
export type Raw = Record<string, unknown>;

/** A plain mapping, or undefined for anything else. */
export function mapping(value: unknown): Raw | undefined {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Raw) : undefined;
}

/** The entries of a mapping (none for anything else). */
export function entriesOf(value: unknown): [string, unknown][] {
  const map = mapping(value);
  return map ? Object.entries(map) : [];
}

/** A string, or undefined. */
export function text(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/** Collects problems; each check adds what it finds and goes on. */
export class Problems {
  readonly list: Problem[] = [];

  add(path: PathSegment[], message: string, hint: string, part: "value" | "key" = "value"): void {
    this.list.push({ path, part, message, hint });
  }
}
