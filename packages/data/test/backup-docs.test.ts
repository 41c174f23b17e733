import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { it } from "node:test";
import { BACKUP_ERRORS } from "../src/backup/errors.js";

/** The "## Backups and restores" section of docs/data.md. */
function backupDocs(): string {
  const text = readFileSync(new URL("../../../docs/data.md", import.meta.url), "utf8");
  const start = text.indexOf("\n## Backups and restores");
  assert.ok(start >= 0, "docs/data.md has a '## Backups and restores' section");
  const end = text.indexOf("\n## ", start + 1);
  return text.slice(start, end < 0 ? undefined : end);
}

it("every backup error code is listed in the docs", () => {
  const docs = backupDocs();
  for (const code of Object.values(BACKUP_ERRORS)) assert.ok(docs.includes(`\`${code}\``), `${code} is not documented`);
  assert.match(docs, /`tested:` in `nines\.yaml` means/);
});
