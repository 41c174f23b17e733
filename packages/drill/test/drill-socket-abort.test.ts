import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { describe, it } from "node:test";

const FIXTURE = new URL("./fixtures/socket-abort-exit.ts", import.meta.url).pathname;

describe("abortSocket", () => {
  it("breaks a connection this side has already ended without keeping the process from ending", async () => {
    const child = spawn(process.execPath, ["--conditions=source", "--import", "tsx", FIXTURE], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (chunk) => {
      out += chunk;
    });
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    const deadline = new Promise<"hung">((resolve) => setTimeout(() => resolve("hung"), 8000).unref());
    const result = await Promise.race([exited, deadline]);
    if (result === "hung") child.kill("SIGKILL");
    assert.equal(out, "closed\n");
    assert.equal(result, 0, "the process ended by itself after closing everything");
  });
});
