// The CLI's error family and its exit statuses. The codes, the sources and
// docs/cli.md are kept in step by scripts/error-codes.test.ts (one mechanism
// for every package).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BACKUP_ERRORS } from "@nines/data";
import { CLI_ERRORS, CliError, EXIT, exitCodeOf } from "./errors.js";

describe("CLI errors", () => {
  it("gives each error its exit status", () => {
    assert.equal(exitCodeOf(new CliError(CLI_ERRORS.usage, "x")), EXIT.usage);
    assert.equal(exitCodeOf(new CliError(BACKUP_ERRORS.verifyFailed, "x", { exitCode: EXIT.findings })), 1);
    assert.equal(exitCodeOf(new TypeError("bug")), EXIT.failure);
    assert.equal(
      exitCodeOf(Object.assign(new Error("x"), { exitCode: 0 })),
      EXIT.failure,
      "only a CliError sets the status",
    );
    assert.equal(new CliError(CLI_ERRORS.usage, "x").name, "CliError");
  });
});
