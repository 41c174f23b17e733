// One small app, served three ways (node:http, Fastify, Express), each
// behind the same guard, for the shared integration suite.
import { request as httpRequest, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import Fastify from "fastify";
import { expressGuard, expressGuardErrors } from "../src/express.js";
import { fastifyGuard } from "../src/fastify.js";
import { type Guard, guardHttpServer } from "../src/index.js";

export type SubjectKind = "node" | "fastify" | "express";
export const SUBJECT_KINDS: SubjectKind[] = ["node", "fastify", "express"];

export interface Subject {
  port: number;
  server: Server;
  /** Resolves the held `/slow` requests, in arrival order. */
  releaseSlow(): void;
  /** How many `/slow` requests are held now. */
  held(): number;
  close(): Promise<void>;
}

/**
 * Starts the app: GET /hello, GET /users/:id, GET /boom (answers 500), GET /slow (held until released),
 * GET /throw (the handler throws), GET /reject (its promise rejects), GET /invalid (an error with a 400
 * status, in the framework's convention; node:http answers 400 itself).
 */
export async function startSubject(kind: SubjectKind, guard: Guard): Promise<Subject> {
  const waiting: (() => void)[] = [];
  const hold = () => new Promise<void>((resolve) => waiting.push(resolve));
  let server: Server;
  let closeApp: () => Promise<void>;
  if (kind === "node") {
    server = guardHttpServer(
      (req, res): undefined | Promise<never> => {
        const path = (req.url ?? "/").split("?")[0] ?? "/";
        if (path === "/throw") throw new Error("bug: secret detail");
        if (path === "/reject") return Promise.reject(new Error("async bug: secret detail"));
        if (path === "/half") {
          res.writeHead(200, { "content-length": "100" });
          res.write("partial");
          throw new Error("bug after the answer started");
        }
        if (path === "/invalid") {
          res.statusCode = 400;
          res.end("invalid");
        } else if (path === "/hello") res.end("hello");
        else if (path.startsWith("/users/")) {
          res.setHeader("content-type", "application/json");
          res.end(JSON.stringify({ id: path.slice(7) }));
        } else if (path === "/boom") {
          res.statusCode = 500;
          res.end("boom");
        } else if (path === "/slow") void hold().then(() => res.end("slow done"));
        else {
          res.statusCode = 404;
          res.end("not found");
        }
        return undefined;
      },
      guard,
      { routeBefore: (req) => (req.url?.startsWith("/users/") ? "/users/:id" : undefined) },
    );
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    closeApp = () => new Promise((resolve) => server.close(() => resolve()));
  } else if (kind === "fastify") {
    const app = Fastify();
    await app.register(fastifyGuard(guard));
    app.get("/hello", async () => "hello");
    app.get("/users/:id", async (request) => ({ id: (request.params as { id: string }).id }));
    app.get("/boom", async (_request, reply) => reply.code(500).send("boom"));
    app.get("/slow", async () => {
      await hold();
      return "slow done";
    });
    app.get("/throw", () => {
      throw new Error("bug: secret detail");
    });
    app.get("/reject", async () => {
      await Promise.resolve();
      throw new Error("async bug: secret detail");
    });
    app.get("/invalid", async () => {
      throw Object.assign(new Error("invalid input"), { statusCode: 400 });
    });
    await app.listen({ port: 0, host: "127.0.0.1" });
    server = app.server;
    closeApp = async () => {
      if (app.server.listening) await app.close();
    };
  } else {
    const app = express();
    app.set("env", "test"); // Express's final handler logs errors to stderr in any other env
    app.use(expressGuard(guard));
    app.get("/hello", (_req, res) => {
      res.send("hello");
    });
    app.get("/users/:id", (req, res) => {
      res.json({ id: req.params.id });
    });
    app.get("/boom", (_req, res) => {
      res.status(500).send("boom");
    });
    app.get("/slow", (_req, res) => {
      void hold().then(() => res.send("slow done"));
    });
    app.get("/throw", () => {
      throw new Error("bug: secret detail");
    });
    app.get("/reject", async () => {
      await Promise.resolve();
      throw new Error("async bug: secret detail");
    });
    app.get("/invalid", (_req, _res, next) => {
      next(Object.assign(new Error("invalid input"), { status: 400, statusCode: 400 }));
    });
    app.use(expressGuardErrors());
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, "127.0.0.1", () => resolve(s));
    });
    guard.attach(server);
    closeApp = () => new Promise((resolve) => server.close(() => resolve()));
  }
  return {
    port: (server.address() as AddressInfo).port,
    server,
    releaseSlow: () => {
      for (const resolve of waiting.splice(0)) resolve();
    },
    held: () => waiting.length,
    close: async () => {
      for (const resolve of waiting.splice(0)) resolve();
      server.closeAllConnections();
      await closeApp();
    },
  };
}

export interface Reply {
  status: number;
  headers: IncomingMessage["headers"];
  body: string;
  ms: number;
}

/** One request on a fresh connection (no pooling, so drains and limits are easy to reason about). */
export function get(
  port: number,
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Reply> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: "127.0.0.1", port, path, method: options.method ?? "GET", headers: options.headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString(),
            ms: performance.now() - started,
          }),
        );
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(options.body);
  });
}

/** Waits until `predicate` holds, checking on each turn of the event loop (bounded in wall time). */
export async function until(predicate: () => boolean, what: string, limitMs = 3000): Promise<void> {
  const end = performance.now() + limitMs;
  while (performance.now() < end) {
    if (predicate()) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A sample from Prometheus text, or undefined. */
export function sample(body: string, name: string, labels: string): number | undefined {
  const prefix = labels === "" ? `${name} ` : `${name}{${labels}} `;
  const line = body.split("\n").find((l) => l.startsWith(prefix));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(" ") + 1));
}
