import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { it } from "node:test";
import { fileURLToPath } from "node:url";
import { isNinesError, type NinesError } from "@nines/core";
import { BACKUP_ERRORS, BackupError, backupError } from "../src/backup/errors.js";
import { DATABASE_ERRORS, DatabaseError, databaseError } from "../src/connection/errors.js";
import { FAILOVER_ERRORS, FailoverError, failoverError } from "../src/failover/errors.js";
import { POSTGRES_SERVER_ERRORS, PostgresServerError, postgresServerError } from "../src/postgres/errors.js";

function doc(name: string): string {
  return readFileSync(new URL(`../../../docs/${name}`, import.meta.url), "utf8");
}

/** The "## Backups and restores" section of docs/data.md. */
function backupDocs(): string {
  const text = doc("data.md");
  const start = text.indexOf("\n## Backups and restores");
  assert.ok(start >= 0, "docs/data.md has a '## Backups and restores' section");
  const end = text.indexOf("\n## ", start + 1);
  return text.slice(start, end < 0 ? undefined : end);
}

// Every code is a row of data.md's or failover.md's error tables: scripts/error-codes.test.ts
// keeps the codes, the sources and the pages in step for every package.
it("the backup section explains what `tested:` in nines.yaml means", () => {
  assert.match(backupDocs(), /`tested:` in `nines\.yaml` means/);
});

it("each family says its name in a stack trace and keeps the code", () => {
  const cases: [NinesError, new (...args: never[]) => NinesError, string, string][] = [
    [backupError("corrupt", "x"), BackupError, "BackupError", BACKUP_ERRORS.corrupt],
    [databaseError("missing", "x"), DatabaseError, "DatabaseError", DATABASE_ERRORS.missing],
    [failoverError("noPrimary", "x"), FailoverError, "FailoverError", FAILOVER_ERRORS.noPrimary],
    [postgresServerError("start", "x"), PostgresServerError, "PostgresServerError", POSTGRES_SERVER_ERRORS.start],
  ];
  for (const [error, family, name, code] of cases) {
    assert.ok(error instanceof family);
    assert.equal(error.name, name);
    assert.match(String(error.stack), new RegExp(`^${name}: x`));
    assert.ok(isNinesError(error, code));
  }
});

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith(".ts") && !name.endsWith(".test.ts") ? [path] : [];
  });
}

it("throws no bare NinesError: every error is one of the families", () => {
  const src = fileURLToPath(new URL("../src/", import.meta.url));
  for (const file of sources(src)) {
    assert.doesNotMatch(
      readFileSync(file, "utf8"),
      /new NinesError\(/,
      `${file} throws a NinesError outside its family`,
    );
  }
});
