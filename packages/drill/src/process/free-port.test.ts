import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { describe, it } from "node:test";
import { freePort } from "./free-port.js";

const ephemeralLow = Number(readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/)[0]);

describe("freePort", () => {
  it("hands out distinct listenable ports below the kernel's ephemeral range", async () => {
    const ports: number[] = [];
    for (let i = 0; i < 20; i++) ports.push(await freePort());
    assert.equal(new Set(ports).size, ports.length, "no port twice");
    for (const port of ports) {
      assert.ok(port >= 10_000 && port < ephemeralLow, `${port} is below ${ephemeralLow}`);
    }
    // Each is really free: a server can listen on it.
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(ports[0], "127.0.0.1", resolve);
    });
    await new Promise((resolve) => server.close(resolve));
  });

  it("skips a port another process holds", async () => {
    const taken = await freePort();
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(taken + 1, "127.0.0.1", resolve));
    try {
      const next = await freePort();
      assert.notEqual(next, taken + 1, "the held port is skipped");
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  });
});
