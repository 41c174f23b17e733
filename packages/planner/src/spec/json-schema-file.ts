import { fileURLToPath } from "node:url";
import { specJsonSchema } from "./schema.js";

/** Where the committed JSON Schema lives: `packages/planner/schema/nines.schema.json`. */
export const SCHEMA_FILE = fileURLToPath(new URL("../../schema/nines.schema.json", import.meta.url));

const WIDTH = 120;

/**
 * The JSON Schema file's exact text, as `npm run schema` writes it and the
 * schema test compares it: 2-space JSON laid out the way the repository's
 * formatter (Biome) lays it out, so that lint passes on the generated file.
 *
 * @example
 * writeFileSync(SCHEMA_FILE, specJsonSchemaText());
 */
export function specJsonSchemaText(): string {
  return `${layout(specJsonSchema(), "", 0)}\n`;
}

/** Objects one key a line; arrays of plain values on one line when they fit in the width. */
function layout(value: unknown, indent: string, used: number): string {
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    const inner = `${indent}  `;
    if (value.every((v) => v === null || typeof v !== "object")) {
      const line = `[${value.map((v) => JSON.stringify(v)).join(", ")}]`;
      // +1 for a trailing comma after the value.
      if (used + line.length + 1 <= WIDTH) return line;
    }
    return `[\n${value.map((v) => inner + layout(v, inner, inner.length)).join(",\n")}\n${indent}]`;
  }
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value);
    if (entries.length === 0) return "{}";
    const inner = `${indent}  `;
    const lines = entries.map(([key, v]) => {
      const head = `${inner}${JSON.stringify(key)}: `;
      return head + layout(v, inner, head.length);
    });
    return `{\n${lines.join(",\n")}\n${indent}}`;
  }
  return JSON.stringify(value);
}
