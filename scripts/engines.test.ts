// `npm ci` must not warn EBADENGINE on the Node.js versions the README
// promises: every package the lockfile installs on this platform accepts
// the oldest Node.js of the root `engines` range (and the running one), and
// every publishable package declares the same range as the root.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import semver from "semver";

const root = new URL("..", import.meta.url).pathname;
const read = (path: string) => JSON.parse(readFileSync(join(root, path), "utf8"));

interface LockedPackage {
  version?: string;
  engines?: { node?: string } | string[];
  os?: string[];
  cpu?: string[];
  link?: boolean;
}

/** npm's rule for `os`/`cpu`: a list of allowed values, or of `!excluded` ones. */
function allows(list: string[] | undefined, value: string): boolean {
  if (!list || list.length === 0) return true;
  if (list.includes(`!${value}`)) return false;
  const allowed = list.filter((entry) => !entry.startsWith("!"));
  return allowed.length === 0 || allowed.includes(value);
}

describe("Node.js engines", () => {
  const range = read("package.json").engines.node as string;
  const oldest = semver.minVersion(range)?.version;

  it("the root range names a Node.js 20 minimum", () => {
    assert.ok(oldest && semver.major(oldest) === 20, `engines.node ${range}`);
  });

  it("every locked package accepts the oldest supported Node.js and the running one (no EBADENGINE)", () => {
    const packages = read("package-lock.json").packages as Record<string, LockedPackage>;
    const refused: string[] = [];
    for (const [path, entry] of Object.entries(packages)) {
      if (path === "" || entry.link) continue;
      if (!allows(entry.os, process.platform) || !allows(entry.cpu, process.arch)) continue;
      const wanted = Array.isArray(entry.engines) ? undefined : entry.engines?.node;
      if (!wanted) continue;
      for (const node of [oldest as string, process.versions.node]) {
        if (!semver.satisfies(node, wanted)) refused.push(`${path}@${entry.version} needs node ${wanted}, not ${node}`);
      }
    }
    assert.deepEqual(refused, []);
  });

  it("every workspace package declares the root's range", () => {
    const differ = readdirSync(join(root, "packages"))
      .map((name) => [name, read(join("packages", name, "package.json")).engines?.node] as const)
      .filter(([, node]) => node !== range);
    assert.deepEqual(differ, []);
  });
});
