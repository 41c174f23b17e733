import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../../..", import.meta.url));
const sources = fileURLToPath(new URL("../../src/services/", import.meta.url));

/** A service process started for a test: its URL once it listens, its output, and how to stop it. */
export interface ServiceProcess {
  readonly name: string;
  readonly url: string;
  readonly child: ChildProcess;
  /** Everything it wrote on stderr so far. */
  stderr(): string;
  /** Resolves with the exit code (or signal) when the process ends. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it has exited. */
  stop(graceMs?: number): Promise<void>;
}

/** Every process started by {@link startService} and not yet exited, for `stopAll`. */
const running = new Set<ServiceProcess>();

/**
 * Starts one ClickTravel service from its TypeScript source (as the tests
 * run every package: through tsx, resolving @nines/* to their sources) on
 * a free loopback port, and waits for its "listening" line.
 *
 * @example
 * const inventory = await startService("inventory", { INVENTORY_DB: file, NINES_CAPACITY: "40" });
 * await fetch(`${inventory.url}/trips`);
 * await inventory.stop();
 */
export async function startService(
  name: "web" | "orders" | "inventory" | "analytics",
  env: Record<string, string>,
  timeoutMs = 60_000,
): Promise<ServiceProcess> {
  const child = spawn(process.execPath, ["--conditions=source", "--import", "tsx", `${sources}${name}.ts`], {
    cwd: root,
    env: { ...process.env, PORT: "0", INSTANCE: `${name}-test`, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-20_000);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  const stop = async (graceMs = 10_000) => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      await exited;
      clearTimeout(timer);
    }
    running.delete(service);
  };
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${name} did not listen within ${timeoutMs} ms:\n${stderr}`)),
      timeoutMs,
    );
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.on("line", (line) => {
      try {
        const event = JSON.parse(line) as { event?: string; url?: string };
        if (event.event === "listening" && event.url) {
          clearTimeout(timer);
          resolve(event.url);
        }
      } catch {
        // not a JSON line
      }
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code ?? signal}) before listening:\n${stderr}`));
    });
  }).catch(async (error: unknown) => {
    child.kill("SIGKILL");
    await exited;
    throw error;
  });
  const service: ServiceProcess = { name, url, child, stderr: () => stderr, exited, stop };
  running.add(service);
  return service;
}

/**
 * Stops every service still running (in `after` hooks, so that a failed
 * test leaves nothing behind).
 *
 * @example
 * after(() => stopAll());
 */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((service) => service.stop(5000)));
}

/**
 * Polls `url` until `accept(status)` holds, or throws after `timeoutMs`.
 *
 * @example
 * await waitForStatus(`${orders.url}/readyz`, (s) => s === 503, 15_000);
 */
export async function waitForStatus(
  url: string,
  accept: (status: number) => boolean,
  timeoutMs: number,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let last = 0;
  for (;;) {
    try {
      const answer = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await answer.body?.cancel();
      last = answer.status;
      if (accept(last)) return last;
    } catch {
      last = 0;
    }
    if (Date.now() > deadline) throw new Error(`${url} still answered ${last} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
