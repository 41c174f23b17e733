// One hello-world server for the overhead benchmark, in its own process:
//   node --conditions=source --import tsx overhead-server.ts <subject>
// subjects: node, node+guard, fastify, fastify+guard, express, express+guard.
// Prints {"port": n} on stdout when listening; answers any IPC message with its CPU usage.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import Fastify from "fastify";
import { expressGuard } from "../src/express.js";
import { fastifyGuard } from "../src/fastify.js";
import { createGuard, fixedLimitGate, guardHttpServer } from "../src/index.js";

const subject = process.argv[2] ?? "node";
const [framework, withGuard] = subject.split("+") as [string, string | undefined];

// The whole guard: a gate with a real limit (never reached here), a readiness
// check, request metrics with route templates, drain bookkeeping and hardening.
// A_A=1 runs the "+guard" subjects without the guard: an A/A run shows the method's own bias.
const guard =
  withGuard && !process.env["A_A"]
    ? createGuard({ gate: fixedLimitGate({ limit: 10_000 }), readiness: [{ name: "self", check: () => true }] })
    : undefined;

let server: Server;
if (framework === "node") {
  const hello = (_req: unknown, res: import("node:http").ServerResponse) => {
    res.setHeader("content-type", "text/plain");
    res.end("hello");
  };
  server = guard ? guardHttpServer(hello, guard, { routeBefore: () => "/hello" }) : createServer(hello);
  server.listen(0, "127.0.0.1", ready);
} else if (framework === "fastify") {
  const app = Fastify();
  if (guard) await app.register(fastifyGuard(guard));
  app.get("/hello", async () => "hello");
  await app.listen({ port: 0, host: "127.0.0.1" });
  server = app.server;
  ready();
} else if (framework === "express") {
  const app = express();
  if (guard) app.use(expressGuard(guard));
  app.get("/hello", (_req, res) => {
    res.send("hello");
  });
  server = app.listen(0, "127.0.0.1", ready);
  if (guard) guard.attach(server);
} else throw new Error(`unknown subject ${subject}`);

// The benchmark asks for this process's CPU time over IPC (not HTTP, which would count as traffic).
process.on("message", () => process.send?.(process.cpuUsage()));
process.channel?.unref();

function ready(): void {
  process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
}
