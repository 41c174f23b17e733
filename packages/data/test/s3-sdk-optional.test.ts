// @aws-sdk/client-s3 is an optional peer dependency: @nines/data loads
// without it, and only an S3 target needs it, with a coded error that says
// what to install.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const fixture = fileURLToPath(new URL("fixtures/without-aws-sdk.mjs", import.meta.url));
const script = `
const { openDatabase, S3Target } = await import("@nines/data");
const db = await openDatabase(":memory:");
await db.close();
const target = new S3Target({ bucket: "backups" });
try {
  await target.list();
  console.log(JSON.stringify({ listed: true }));
} catch (error) {
  console.log(JSON.stringify({ name: error.name, code: error.code, message: error.message, hint: error.hint }));
}
await target.close();
`;

test("without @aws-sdk/client-s3, @nines/data loads and an S3 target says what to install", () => {
  const child = spawnSync(
    process.execPath,
    ["--conditions=source", "--import", "tsx", "--import", fixture, "--input-type=module", "-e", script],
    { encoding: "utf8", timeout: 60_000 },
  );
  assert.equal(child.status, 0, child.stderr);
  const result = JSON.parse(child.stdout.trim().split("\n").at(-1) ?? "{}");
  assert.equal(result.name, "BackupError");
  assert.equal(result.code, "NINES_BACKUP_TARGET_INVALID");
  assert.match(result.message, /need the package @aws-sdk\/client-s3/);
  assert.match(result.hint, /npm install @aws-sdk\/client-s3/);
});
