import { readFileSync } from "node:fs";
import { createServer } from "node:net";

/** The lowest port handed out: below it live well-known services. */
const LOWEST = 10_000;

/** Ports this process handed out, so that two instances never get the same one. */
const handedOut = new Set<number>();
let next = -1;

/**
 * A TCP port on `host` that is free now and stays clear of the kernel's
 * ephemeral range (`/proc/sys/net/ipv4/ip_local_port_range`, 32768-60999 by
 * default). An instance keeps its port across restarts; a port from the
 * ephemeral range would be taken, between a crash and the restart, by
 * the outgoing connections of every other process (`EADDRINUSE` on
 * restart), where one below the range is never picked for them. Scans from
 * a place that depends on the process id, so two `nines up` on one machine
 * start apart; falls back to a port the OS picks when the range below is
 * exhausted.
 *
 * @example
 * const port = await freePort(); // 23417
 */
export async function freePort(host = "127.0.0.1"): Promise<number> {
  const highest = ephemeralLow() - 1;
  const span = highest - LOWEST + 1;
  if (span < 100) return await osPort(host);
  if (next < 0) next = LOWEST + ((process.pid * 7919) % span);
  for (let tried = 0; tried < Math.min(span, 2000); tried++) {
    const port = next;
    next = next >= highest ? LOWEST : next + 1;
    if (handedOut.has(port)) continue;
    if (await canListen(port, host)) {
      handedOut.add(port);
      return port;
    }
  }
  return await osPort(host);
}

/** The first port of the kernel's ephemeral range (32768 where it cannot be read). */
function ephemeralLow(): number {
  try {
    const low = Number(readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > LOWEST ? low : 32_768;
  } catch {
    return 32_768;
  }
}

async function canListen(port: number, host: string): Promise<boolean> {
  return await new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

async function osPort(host: string): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}
