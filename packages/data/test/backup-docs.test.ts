import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { it } from "node:test";
import { BACKUP_ERRORS } from "../src/backup/errors.js";

/** The "Backups and restores" docs: a section of docs/data.md once it holds it, docs/backups.md until then. */
function backupDocs(): string {
  const data = new URL("../../../docs/data.md", import.meta.url);
  if (existsSync(data)) {
    const text = readFileSync(data, "utf8");
    if (text.includes("## Backups and restores")) return text;
  }
  return readFileSync(new URL("../../../docs/backups.md", import.meta.url), "utf8");
}

it("every backup error code is listed in the docs", () => {
  const docs = backupDocs();
  for (const code of Object.values(BACKUP_ERRORS)) assert.ok(docs.includes(`\`${code}\``), `${code} is not documented`);
  assert.match(docs, /`tested:` in `nines\.yaml` means/);
});
