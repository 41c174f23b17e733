// Renders a timeline page (renderTimelinePage, the charts of `nines simulate --html`
// and `nines drill --html`) in headless Chromium (Debian's `chromium` package): the
// inlined uPlot draws one canvas per panel, and the screenshot is not blank. Skips
// without Chromium, but FAILS when CI is set.
import assert from "node:assert/strict";
import { execFile, spawnSync } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { renderTimelinePage } from "../src/report/charts/timeline-page.js";

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
  describe("timeline page in chromium", () => {
    it("needs chromium in CI", () => assert.fail(`${missing}; CI installs it, see .ci/run`));
  });
}

const seconds = Array.from({ length: 120 }, (_, i) => i);

describe("timeline page in chromium", { skip: missing && !process.env["CI"] ? missing : false }, () => {
  let dir = "";
  let page = "";
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "nines-timeline-"));
    page = join(dir, "timeline.html");
    await writeFile(
      page,
      renderTimelinePage({
        title: "Retry storm",
        summary: [["goodput after the spike", "98%"]],
        panels: [
          {
            title: "Goodput",
            unit: "requests/s",
            series: [
              { label: "spec policies", points: seconds.map((s) => [s, s >= 30 && s < 40 ? 400 : 1000] as const) },
              { label: "immediate retries", points: seconds.map((s) => [s, s >= 30 ? 50 : 1000] as const) },
            ],
            marks: [
              { at: 30, label: "spike" },
              { at: 40, label: "spike ends" },
            ],
          },
          {
            title: "Queue",
            unit: "requests",
            series: [{ label: "inventory", points: seconds.map((s) => [s, s >= 30 ? s * 10 : 0] as const) }],
          },
        ],
      }),
    );
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

  it("draws one uPlot chart per panel, with its legend", async () => {
    const { stdout } = await run(
      chromium as string,
      [...flags(join(dir, "profile-dom")), "--dump-dom", pathToFileURL(page).href],
      { timeout: 60_000, maxBuffer: 16 * 1024 * 1024 },
    );
    // uPlot adds a wrapper with its canvas for each chart it built: the script ran without error.
    assert.equal(stdout.match(/<div class="uplot/g)?.length, 2);
    assert.equal(stdout.match(/<canvas /g)?.length, 2);
    assert.match(stdout, /immediate retries/);
    assert.match(stdout, /<th>goodput after the spike<\/th>/);
  });

  it("renders a screenshot of plausible size", async () => {
    const png = join(dir, "timeline.png");
    await run(
      chromium as string,
      [...flags(join(dir, "profile-shot")), `--screenshot=${png}`, "--window-size=1200,900", pathToFileURL(page).href],
      { timeout: 60_000 },
    );
    const bytes = await readFile(png);
    assert.deepEqual([...bytes.subarray(1, 4)].map((b) => String.fromCharCode(b)).join(""), "PNG");
    assert.deepEqual([bytes.readUInt32BE(16), bytes.readUInt32BE(20)], [1200, 900]);
    // A blank page compresses to a few kB; text, axes and lines take far more.
    assert.ok(bytes.length > 40_000, `screenshot only ${bytes.length} bytes`);
  });
});
