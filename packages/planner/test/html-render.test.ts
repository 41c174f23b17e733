// Renders the HTML report of the ClickTravel example (examples/clicktravel) in headless Chromium
// (Debian's `chromium` package): a screenshot of plausible size and a DOM
// holding the SVG diagram. Skips without Chromium, but FAILS when CI is set.
import assert from "node:assert/strict";
import { execFile, spawnSync } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { analyze } from "../src/analysis/analyze.js";
import { renderHtmlReport } from "../src/report/html-report.js";
import { loadSpec } from "../src/spec/load-spec.js";

const run = promisify(execFile);

function findChromium(): string | null {
  for (const name of [process.env["CHROMIUM"], "chromium", "chromium-browser", "google-chrome"]) {
    if (!name) continue;
    if (spawnSync(name, ["--version"], { encoding: "utf8", timeout: 20_000 }).status === 0) return name;
  }
  return null;
}

const chromium = findChromium();
const missing = chromium === null ? "chromium is not installed (apt-get install chromium)" : false;
if (missing && process.env["CI"]) {
  describe("html report in chromium", () => {
    it("needs chromium in CI", () => assert.fail(`${missing}; CI installs it, see .ci/run`));
  });
}

describe("html report in chromium", { skip: missing && !process.env["CI"] ? missing : false }, () => {
  let dir = "";
  let page = "";
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "nines-html-"));
    page = join(dir, "clicktravel.html");
    const spec = loadSpec(fileURLToPath(new URL("../../../examples/clicktravel/nines.yaml", import.meta.url)));
    await writeFile(page, renderHtmlReport(spec, analyze(spec, { asOf: "2026-11-29" })));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const flags = (profile: string) => [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    `--user-data-dir=${profile}`,
  ];

  it("renders a screenshot of plausible size", async () => {
    const png = join(dir, "clicktravel.png");
    await run(
      chromium!,
      [...flags(join(dir, "profile-shot")), `--screenshot=${png}`, "--window-size=1400,2000", pathToFileURL(page).href],
      {
        timeout: 60_000,
      },
    );
    const bytes = await readFile(png);
    assert.deepEqual([...bytes.subarray(1, 4)].map((b) => String.fromCharCode(b)).join(""), "PNG");
    // IHDR: width and height, big-endian, at offsets 16 and 20.
    assert.deepEqual([bytes.readUInt32BE(16), bytes.readUInt32BE(20)], [1400, 2000]);
    // A blank page compresses to a few kB; tables, text and the diagram take far more.
    assert.ok(bytes.length > 60_000, `screenshot only ${bytes.length} bytes`);
  });

  it("parses the SVG diagram into the DOM", async () => {
    const { stdout } = await run(
      chromium!,
      [...flags(join(dir, "profile-dom")), "--dump-dom", pathToFileURL(page).href],
      {
        timeout: 60_000,
        maxBuffer: 16 * 1024 * 1024,
      },
    );
    assert.equal(stdout.match(/<svg /g)?.length, 1);
    assert.equal(stdout.match(/<g class="region"/g)?.length, 2);
    assert.equal(stdout.match(/<g class="zone"/g)?.length, 5);
    // 4 web + 2 orders + 2 inventory + 1 analytics instance groups.
    assert.equal(stdout.match(/<g class="node service"/g)?.length, 9);
    assert.match(stdout, /<path class="edge optional-call"/);
    assert.match(stdout, /<table>/);
  });
});
