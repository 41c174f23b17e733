import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { SeededRandom } from "@nines/core";
import { request } from "undici";
import { LoadBalancer, type LoadBalancerOptions } from "../src/balancer/load-balancer.js";

/**
 * What a test instance answers: `ok` serves; `shed` refuses as the guard
 * does (503 with `x-nines-rejected`); `fail` answers 500 (the instance, or
 * a dependency every instance shares, is broken); `flaky` fails every
 * other request (a dependency that fails half the time); `die` resets the
 * connection once the request arrived (an instance killed mid-request).
 */
export type Behaviour = "ok" | "shed" | "fail" | "flaky" | "die";

/** A real HTTP server on loopback standing for one instance of a service. */
export interface Instance {
  id: string;
  zone: string;
  url: string;
  server: Server;
  behaviour: Behaviour;
  ready: boolean;
  /** Requests it served successfully. */
  served: number;
  /** Requests it received (readiness checks aside). */
  received: number;
}

export type After = { after: (fn: () => Promise<void> | void) => void };

/** Starts an instance, stopped after the test. */
export async function instance(t: After, id: string, zone: string, behaviour: Behaviour = "ok"): Promise<Instance> {
  const self: Instance = {
    id,
    zone,
    url: "",
    server: undefined as unknown as Server,
    behaviour,
    ready: true,
    served: 0,
    received: 0,
  };
  self.server = createServer((req, res) => {
    if (req.url === "/readyz") {
      res.statusCode = self.ready ? 200 : 503;
      return res.end();
    }
    self.received++;
    if (self.behaviour === "die") return req.socket.destroy();
    if (self.behaviour === "shed") {
      res.writeHead(503, { "retry-after": "2", "x-nines-rejected": "shed" });
      return res.end('{"error":"NINES_GUARD_REJECTED"}');
    }
    if (self.behaviour === "fail" || (self.behaviour === "flaky" && self.received % 2 === 0)) {
      res.writeHead(500);
      return res.end("boom");
    }
    self.served++;
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => res.end(JSON.stringify({ id, body })));
  });
  await new Promise<void>((resolve) => self.server.listen(0, "127.0.0.1", resolve));
  self.url = `http://127.0.0.1:${(self.server.address() as AddressInfo).port}`;
  t.after(() => stop(self));
  return self;
}

/** Stops an instance: its port refuses connections from now on. */
export function stop(i: Instance): Promise<void> {
  i.server.closeAllConnections();
  return new Promise((resolve) => i.server.close(() => resolve()));
}

/** A balancer over `instances` with fast health checks, closed after the test. */
export function balancer(t: After, instances: Instance[], options: Partial<LoadBalancerOptions> = {}): LoadBalancer {
  const lb = new LoadBalancer({
    service: "inventory",
    backends: instances.map((i) => ({ id: i.id, zone: i.zone, url: i.url })),
    healthCheck: { intervalMs: 100, timeoutMs: 500, failureThreshold: 2 },
    random: new SeededRandom(5),
    ...options,
  });
  t.after(() => lb.close());
  return lb;
}

/** One request through the balancer. */
export async function call(url: string, method = "GET", body?: string, headers: Record<string, string> = {}) {
  const response = await request(url, { method: method as "GET", body: body ?? null, headers, headersTimeout: 5000 });
  const text = await response.body.text();
  return { status: response.statusCode, headers: response.headers, body: text, json: () => JSON.parse(text) };
}
