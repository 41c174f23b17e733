import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import { NinesError } from "@nines/core";
import type { Command } from "../src/command.js";
import { main } from "../src/main.js";

function capture() {
  let out = "";
  let err = "";
  const io = {
    stdout: {
      write: (s: string) => {
        out += s;
        return true;
      },
    } as unknown as NodeJS.WritableStream,
    stderr: {
      write: (s: string) => {
        err += s;
        return true;
      },
    } as unknown as NodeJS.WritableStream,
    env: {},
    cwd: process.cwd(),
  };
  return { io, out: () => out, err: () => err };
}

const failing: Command = {
  name: "explode",
  summary: "throws",
  usage: "nines explode",
  run: async () => {
    throw new NinesError("NINES_TEST", "the spec is missing", { hint: "pass a file" });
  },
};

describe("nines main", () => {
  it("prints help and version", async () => {
    const c = capture();
    assert.equal(await main(["--help"], c.io, [failing]), 0);
    assert.match(c.out(), /Usage: nines <command>/);
    assert.match(c.out(), /explode\s+throws/);
    const v = capture();
    assert.equal(await main(["--version"], v.io), 0);
    assert.match(v.out(), /^\d+\.\d+\.\d+\n$/);
  });

  it("suggests the closest command for a typo", async () => {
    const c = capture();
    assert.equal(await main(["explod"], c.io, [failing]), 2);
    assert.match(
      c.err(),
      /^error NINES_CLI_UNKNOWN_COMMAND: nines: unknown command 'explod'; did you mean 'nines explode'\?\n/,
    );
  });

  it("turns coded errors into a message with a hint and no stack", async () => {
    const c = capture();
    assert.equal(await main(["explode"], c.io, [failing]), 2);
    assert.equal(c.err(), "error NINES_TEST: the spec is missing\n  hint: pass a file\n");
  });

  it("runs as a real process through the bin", () => {
    const bin = new URL("../bin/nines.js", import.meta.url).pathname;
    const result = spawnSync(process.execPath, [bin, "--version"], { encoding: "utf8" });
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /^\d+\.\d+\.\d+/);
  });
});
