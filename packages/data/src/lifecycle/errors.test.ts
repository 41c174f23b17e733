import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { it } from "node:test";
import { DB_MISSING, DB_OPEN } from "../connection/open-database.js";
import { LIFECYCLE_ERRORS } from "./errors.js";

it("lists every lazy-deletion error code in docs/data.md", () => {
  const docs = readFileSync(new URL("../../../../docs/data.md", import.meta.url), "utf8");
  for (const code of [...Object.values(LIFECYCLE_ERRORS), DB_MISSING, DB_OPEN, "NINES_DATA_USAGE"]) {
    assert.ok(docs.includes(`\`${code}\``), `${code} is missing from docs/data.md`);
  }
});
