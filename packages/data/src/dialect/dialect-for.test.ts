import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { it } from "node:test";
import { isNinesError } from "@nines/core";
import { createBackup } from "../backup/create-backup.js";
import { BACKUP_ERRORS } from "../backup/errors.js";
import { LocalDirTarget } from "../backup/targets/local-dir-target.js";
import { DATABASE_ERRORS } from "../connection/errors.js";
import { openDatabase } from "../connection/open-database.js";
import { dialectFor } from "./dialect-for.js";

it("one rule says which engine a location is, whatever the URL's case", () => {
  for (const url of ["postgres://a@h/db", "POSTGRES://a@h/db", "postgresql://a@h/db", "PostgreSQL://a@h/db"]) {
    assert.equal(dialectFor(url).name, "postgres", url);
  }
  for (const path of ["app.db", "./data/app.db", "/var/lib/app.db", "postgres.db", "my postgres://notes.db"]) {
    assert.equal(dialectFor(path).name, "sqlite", path);
  }
  assert.throws(
    () => dialectFor("mysql://a@h/db"),
    (e: unknown) => isNinesError(e, DATABASE_ERRORS.engineUnknown) && /mysql:\/\//.test(e.message),
  );
});

it("redacts a password the same way everywhere it is shown", () => {
  const url = "postgres://app:s3cret@h:5432/shop?sslmode=require&password=other";
  const shown = dialectFor(url).redact(url);
  assert.equal(shown, "postgres://app:***@h:5432/shop?sslmode=require&password=***");
  assert.equal(dialectFor(url.toUpperCase()).redact(url), shown, "the dialect for any spelling redacts alike");
});

it("opens an upper-case PostgreSQL URL as PostgreSQL, never as a file, and hides the password in the error", async () => {
  const dir = mkdtempSync(join(tmpdir(), "nines-dialect-"));
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    const url = "POSTGRES://app:s3cret@127.0.0.1:1/shop";
    await assert.rejects(openDatabase(url), (e: unknown) => {
      assert.ok(isNinesError(e, DATABASE_ERRORS.open), String(e));
      assert.match(e.message, /app:\*\*\*@127\.0\.0\.1:1\/shop/);
      assert.doesNotMatch(e.message, /s3cret/);
      return true;
    });
    assert.deepEqual(readdirSync(dir), [], "no SQLite file named after the URL");
    // A backup of the same URL reaches for the same server and shows the same redaction.
    await assert.rejects(
      createBackup({ source: url, targets: [new LocalDirTarget(join(dir, "backups"))] }),
      (e: unknown) => {
        assert.ok(isNinesError(e, BACKUP_ERRORS.sourceMissing), String(e));
        assert.match(e.message, /app:\*\*\*@127\.0\.0\.1:1\/shop/);
        return true;
      },
    );
    assert.equal(existsSync(join(dir, "backups")), false, "a refused backup leaves no folder");
  } finally {
    process.chdir(cwd);
    rmSync(dir, { recursive: true, force: true });
  }
});
