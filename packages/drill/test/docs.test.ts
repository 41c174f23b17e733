import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { DRILL_ERRORS } from "../src/errors.js";
import * as drill from "../src/index.js";

const root = new URL("../../../", import.meta.url).pathname;
const doc = readFileSync(join(root, "docs/drill.md"), "utf8");

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) sources(path, out);
    else if (name.endsWith(".ts") && !name.endsWith(".test.ts")) out.push(path);
  }
  return out;
}

describe("docs/drill.md", () => {
  it("lists every error code the package has, and no other", () => {
    const documented = new Set(doc.match(/NINES_(DRILL_[A-Z_]+|OPTION_INVALID)/g) ?? []);
    for (const code of Object.values(DRILL_ERRORS)) assert.ok(documented.has(code), `${code} is not in docs/drill.md`);
    const known = new Set<string>(Object.values(DRILL_ERRORS));
    for (const code of documented)
      assert.ok(known.has(code), `docs/drill.md names ${code}, which the package does not have`);
  });

  it("docs/up.md names only codes the package has", () => {
    const up = readFileSync(join(root, "docs/up.md"), "utf8");
    const known = new Set<string>(Object.values(DRILL_ERRORS));
    for (const code of up.match(/NINES_DRILL_[A-Z_]+/g) ?? []) assert.ok(known.has(code), `docs/up.md names ${code}`);
  });

  it("codes are written only in errors.ts", () => {
    const stray = sources(join(root, "packages/drill/src"))
      .filter((f) => !f.endsWith("/errors.ts"))
      .filter((f) => /["'`]NINES_(DRILL|OPTION)_/.test(readFileSync(f, "utf8")));
    assert.deepEqual(stray, []);
  });

  it("names every exported class and function of the package", () => {
    const index = readFileSync(join(root, "packages/drill/src/index.ts"), "utf8");
    const main = [
      "RunDirectory",
      "Supervisor",
      "LoadBalancer",
      "FaultProxy",
      "ZoneNetwork",
      "LoadGenerator",
      "RequestLog",
    ];
    for (const name of [...main, "perSecond", "summarize", "RpoLedger", "detectRto", "timeToReplace", "failoverTime"]) {
      assert.match(index, new RegExp(`\\b${name}\\b`));
      assert.ok(doc.includes(name), `${name} is not documented`);
    }
    for (const name of [
      "findPostgresBinaries",
      "PostgresPair",
      "emitChaosMesh",
      "buildChaosExperiments",
      "checkChaos",
    ]) {
      assert.ok(doc.includes(name), `${name} is not documented`);
    }
    for (const [name, value] of Object.entries(drill)) {
      if (typeof value === "function") assert.ok(doc.includes(name), `export ${name} is not in docs/drill.md`);
    }
  });
});
