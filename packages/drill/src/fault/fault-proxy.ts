import { connect, createServer, type Server, type Socket } from "node:net";
import { type Clock, type Random, requireKnownOptions, requireOption, systemClock, systemRandom } from "@nines/core";
import { DRILL_ERRORS, DrillError } from "../errors.js";
import { abortSocket } from "./abort-socket.js";
import { Direction } from "./direction.js";
import { checkFaultMode, type FaultMode } from "./fault-mode.js";

/** Options of {@link FaultProxy.listen}. */
export interface FaultProxyOptions {
  /** Where traffic goes: the instance's port on 127.0.0.1 (or `{ host, port }`). */
  target: number | { host: string; port: number };
  /** The proxy's own port on 127.0.0.1; default 0 (a free one). */
  port?: number;
  /** The mode to start in; default pass. */
  mode?: FaultMode;
  /** How often a refused target is tried again; default 100 ms. */
  intervalMs?: number;
  clock?: Clock;
  random?: Random;
}

/** Counters of a proxy. */
export interface FaultProxyStats {
  /** Connections accepted since start. */
  connections: number;
  /** Connections open now. */
  open: number;
  /** Requests answered by an injected error, and connections reset. */
  injectedErrors: number;
  resets: number;
}

interface Pair {
  client: Socket;
  upstream: Socket | undefined;
  up: Direction | undefined;
  down: Direction | undefined;
  /** The proxy answered the client itself; the client side closes once the answer is sent. */
  answered: boolean;
}

const REQUEST_LINE = /^[A-Z]+ \S+ HTTP\/1\.[01]\r\n/;

/** Modes in which the instance's own state shows through: a down instance is refused. */
function mirrorsInstance(mode: FaultMode): boolean {
  return mode.kind === "pass" || mode.kind === "latency" || mode.kind === "bandwidth";
}

/**
 * A TCP proxy in front of one instance, on the path from a load balancer to
 * it, that injects network faults: a partition (blackhole: accepted, then
 * silent, so callers hang rather than being refused), added latency, a
 * bandwidth limit, HTTP errors or resets. In `pass` mode it mirrors the
 * instance: when the instance refuses connections (it is down), the proxy
 * stops listening too, so callers are refused as they would be without it,
 * and it listens again once the instance accepts.
 *
 * It works in user space on loopback: no root, no network namespaces, and
 * nothing left behind in the kernel if the process dies.
 *
 * @example
 * const proxy = await FaultProxy.listen({ target: instance.port });
 * // the balancer sends to proxy.port
 * proxy.setMode({ kind: "blackhole" }); // the zone is partitioned
 * proxy.setMode({ kind: "pass" });      // healed
 * await proxy.close();
 */
export class FaultProxy {
  readonly port: number;
  readonly #target: { host: string; port: number };
  readonly #clock: Clock;
  readonly #random: Random;
  readonly #intervalMs: number;
  readonly #pairs = new Set<Pair>();
  #server: Server | undefined;
  #mode: FaultMode;
  #closed = false;
  #refusing = false;
  #stats: FaultProxyStats = { connections: 0, open: 0, injectedErrors: 0, resets: 0 };

  private constructor(port: number, options: FaultProxyOptions) {
    this.port = port;
    this.#target = typeof options.target === "number" ? { host: "127.0.0.1", port: options.target } : options.target;
    this.#clock = options.clock ?? systemClock;
    this.#random = options.random ?? systemRandom;
    this.#intervalMs = options.intervalMs ?? 100;
    this.#mode = checkFaultMode(options.mode ?? { kind: "pass" });
  }

  /** Starts a proxy and resolves once it listens. */
  static async listen(options: FaultProxyOptions): Promise<FaultProxy> {
    requireKnownOptions("FaultProxy", options, ["target", "port", "mode", "intervalMs", "clock", "random"]);
    const port = options.port ?? 0;
    requireOption(Number.isInteger(port) && port >= 0 && port <= 65_535, "FaultProxy", "port", port, "a TCP port");
    const server = createServer();
    await listenOn(server, port);
    const address = server.address();
    const proxy = new FaultProxy(typeof address === "object" && address ? address.port : port, options);
    proxy.#attach(server);
    return proxy;
  }

  /** `http://127.0.0.1:<port>`. */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get mode(): FaultMode {
    return this.#mode;
  }

  stats(): FaultProxyStats {
    return { ...this.#stats, open: this.#pairs.size };
  }

  /** Changes the fault; it applies to open connections as well as new ones. */
  setMode(mode: FaultMode): void {
    if (this.#closed) throw new DrillError(DRILL_ERRORS.stopped, `fault proxy on port ${this.port} is closed`);
    this.#mode = checkFaultMode(mode);
    // A partition or an injected error answers whatever the instance's state: listen again.
    if (!mirrorsInstance(mode) && this.#refusing) void this.#relisten();
    for (const pair of [...this.#pairs]) this.#apply(pair);
  }

  /** Stops listening and closes every connection. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const pair of this.#pairs) this.#destroy(pair);
    const server = this.#server;
    this.#server = undefined;
    if (server?.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  #attach(server: Server): void {
    this.#server = server;
    server.on("connection", (client) => this.#accept(client));
    server.on("error", () => {});
  }

  #accept(client: Socket): void {
    this.#stats.connections++;
    client.setNoDelay(true);
    client.on("error", () => {});
    const pair: Pair = { client, upstream: undefined, up: undefined, down: undefined, answered: false };
    this.#pairs.add(pair);
    client.once("close", () => this.#destroy(pair));
    if (this.#mode.kind === "reset") {
      this.#reset(pair);
      return;
    }
    client.pause();
    this.#apply(pair);
  }

  /** Applies the current mode to a connection. */
  #apply(pair: Pair): void {
    const mode = this.#mode;
    if (mode.kind === "reset") {
      this.#reset(pair);
      return;
    }
    if (mode.kind === "blackhole") {
      pair.client.pause();
      pair.up?.hold();
      pair.down?.hold();
      return;
    }
    if (!pair.upstream) {
      this.#connectUpstream(pair);
      return;
    }
    pair.up?.release();
    pair.down?.release();
    if (pair.down) {
      pair.down.delayMs = mode.kind === "latency" ? mode.delayMs : 0;
      pair.down.bytesPerSecond = mode.kind === "bandwidth" ? mode.bytesPerSecond : Number.POSITIVE_INFINITY;
    }
    if (pair.up) pair.up.bytesPerSecond = mode.kind === "bandwidth" ? mode.bytesPerSecond : Number.POSITIVE_INFINITY;
  }

  #connectUpstream(pair: Pair): void {
    const upstream = connect(this.#target.port, this.#target.host);
    upstream.setNoDelay(true);
    pair.upstream = upstream;
    let connected = false;
    upstream.once("connect", () => {
      connected = true;
      pair.up = new Direction(pair.client, upstream, this.#clock);
      pair.down = new Direction(upstream, pair.client, this.#clock);
      pair.up.intercept = (chunk) => this.#injectError(pair, chunk);
      pair.up.start();
      pair.down.start();
      this.#apply(pair);
    });
    upstream.on("error", (error: NodeJS.ErrnoException) => {
      if (!connected && error.code === "ECONNREFUSED" && mirrorsInstance(this.#mode)) this.#startRefusing();
      // The instance went away: the caller's connection breaks as it would.
      abortSocket(pair.client);
    });
    upstream.once("close", () => {
      if (!pair.answered) this.#destroy(pair);
    });
  }

  /** In error mode, answers a request (the chosen share) with the injected status and closes the connection. */
  #injectError(pair: Pair, chunk: Buffer): boolean {
    const mode = this.#mode;
    if (mode.kind !== "error") return false;
    if (!REQUEST_LINE.test(chunk.toString("latin1", 0, Math.min(chunk.length, 2048)))) return false;
    if ((mode.ratio ?? 1) < 1 && this.#random.next() >= (mode.ratio ?? 1)) return false;
    this.#stats.injectedErrors++;
    pair.answered = true;
    pair.down?.cancel();
    pair.upstream?.destroy();
    const body = JSON.stringify({ error: DRILL_ERRORS.injectedFault, status: mode.status });
    pair.client.end(
      `HTTP/1.1 ${mode.status} ${mode.status === 500 ? "Internal Server Error" : "Service Unavailable"}\r\n` +
        `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
    return true;
  }

  #reset(pair: Pair): void {
    this.#stats.resets++;
    pair.upstream?.destroy();
    abortSocket(pair.client);
    this.#destroy(pair);
  }

  #destroy(pair: Pair): void {
    if (!this.#pairs.delete(pair)) return;
    pair.up?.cancel();
    pair.down?.cancel();
    if (!pair.client.destroyed) pair.client.destroy();
    if (pair.upstream && !pair.upstream.destroyed) pair.upstream.destroy();
  }

  /** The instance refuses: refuse too (stop listening) until it accepts again. */
  #startRefusing(): void {
    if (this.#refusing || this.#closed) return;
    this.#refusing = true;
    const server = this.#server;
    this.#server = undefined;
    server?.close();
    void this.#waitForTarget();
  }

  async #waitForTarget(): Promise<void> {
    while (this.#refusing && !this.#closed) {
      if (!mirrorsInstance(this.#mode) || (await accepts(this.#target))) {
        await this.#relisten();
        return;
      }
      await this.#clock.sleep(this.#intervalMs);
    }
  }

  async #relisten(): Promise<void> {
    if (!this.#refusing || this.#closed) return;
    this.#refusing = false;
    const server = createServer();
    try {
      await listenOn(server, this.port);
      this.#attach(server);
    } catch {
      // The port is busy for a moment: try again.
      this.#refusing = true;
      await this.#clock.sleep(this.#intervalMs);
      void this.#waitForTarget();
    }
  }
}

function listenOn(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
}

function accepts(target: { host: string; port: number }): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = connect(target.port, target.host);
    probe.once("connect", () => {
      probe.destroy();
      resolve(true);
    });
    probe.once("error", () => resolve(false));
  });
}
