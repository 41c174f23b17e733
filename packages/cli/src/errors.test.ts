import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { CLI_ERRORS, CliError, EXIT, exitCodeOf } from "./errors.js";

const src = fileURLToPath(new URL(".", import.meta.url));
const docsDir = fileURLToPath(new URL("../../../docs/", import.meta.url));
const page = readFileSync(join(docsDir, "cli.md"), "utf8");

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) sources(path, out);
    else if (name.endsWith(".ts") && !name.endsWith(".test.ts")) out.push(path);
  }
  return out;
}

describe("CLI error codes", () => {
  it("lists every code in docs/cli.md's table", () => {
    const table = page.slice(page.indexOf("### Error codes of the CLI"));
    for (const code of Object.values(CLI_ERRORS)) assert.ok(table.includes(`| \`${code}\` |`), `${code} missing`);
  });

  it("writes no code as a string outside errors.ts", () => {
    for (const file of sources(src)) {
      if (file.endsWith("/errors.ts")) continue;
      assert.doesNotMatch(readFileSync(file, "utf8"), /["']NINES_(?!DEBUG\b)[A-Z_]+["']/, file);
    }
  });

  it("leaves no page naming a CLI code that does not exist", () => {
    const known = new Set<string>(Object.values(CLI_ERRORS));
    const gone = /NINES_(PLAN|K8S|DATA)_(USAGE|WRITE_FAILED)\b/;
    for (const name of readdirSync(docsDir).filter((n) => n.endsWith(".md"))) {
      const text = readFileSync(join(docsDir, name), "utf8");
      for (const [code] of text.matchAll(/NINES_CLI_[A-Z_]+/g)) assert.ok(known.has(code), `${name}: ${code}`);
      assert.doesNotMatch(text, gone, name);
    }
  });

  it("gives each error its exit status", () => {
    assert.equal(exitCodeOf(new CliError(CLI_ERRORS.usage, "x")), EXIT.usage);
    assert.equal(exitCodeOf(new CliError("NINES_BACKUP_VERIFY_FAILED", "x", { exitCode: EXIT.findings })), 1);
    assert.equal(exitCodeOf(new TypeError("bug")), EXIT.failure);
    assert.equal(new CliError(CLI_ERRORS.usage, "x").name, "CliError");
  });
});
