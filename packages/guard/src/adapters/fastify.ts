import type { FastifyInstance, FastifyPluginCallback, FastifyReply } from "fastify";
import type { Admission } from "../admission-gate.js";
import type { Guard } from "../guard.js";
import type { GuardRequest } from "../guard-request.js";
import {
  isServerFailure,
  pathOf,
  refuseBody,
  rememberedRequest,
  rememberRequest,
  trackResponse,
  writeRejection,
} from "./node-pipeline.js";

/**
 * A Fastify plugin over the guard. It registers the guard endpoints as
 * routes, admits or refuses every other request in an `onRequest` hook
 * (before body parsing, so a refusal costs almost nothing), counts each
 * request by its route template, and attaches `fastify.server` to the
 * drain. It is not encapsulated (like `fastify-plugin`): its hooks see every
 * route. Fastify keeps its own answer to unparsable requests, and its own
 * error handler answers a handler that throws; the guard counts that
 * request as a server error and a quarantine strike (an `onError` hook),
 * and reports it through `guard.on("handlerError")`.
 *
 * @example
 * const app = Fastify();
 * await app.register(fastifyGuard(guard));
 * app.get("/hello", async () => "hello");
 * await app.listen({ port: 8080 });
 */
export function fastifyGuard(guard: Guard): FastifyPluginCallback {
  const plugin: FastifyPluginCallback = (fastify: FastifyInstance, _options, done) => {
    for (const [path, endpoint] of guard.endpointPaths()) {
      fastify.get(path, async (_request, reply) => {
        const answer = await guard.serveEndpoint(endpoint);
        reply.code(answer.status).header("content-type", answer.contentType).header("cache-control", "no-store");
        if (guard.phase === "closing") reply.header("connection", "close");
        return answer.body;
      });
    }
    fastify.addHook("onRequest", (request, reply, next) => {
      const raw = request.raw;
      const path = pathOf(raw.url);
      if (guard.endpointFor(request.method, path) !== undefined) {
        next();
        return;
      }
      const res = reply.raw;
      const tracked = guard.begin(request.method, path, request.routeOptions.url ?? "unmatched", raw.headers);
      rememberRequest(raw, tracked);
      const signal = trackResponse(guard, tracked, raw, res);
      const length = raw.headers["content-length"];
      if (length !== undefined && Number(length) > guard.maxBodyBytes) {
        reply.hijack();
        refuseBody(guard, raw, res);
        return;
      }
      let admission: Admission | Promise<Admission>;
      try {
        admission = tracked.admit(signal);
      } catch (error) {
        next(error as Error);
        return;
      }
      if (admission instanceof Promise)
        admission.then(
          (settled) => decide(guard, tracked, reply, settled, next),
          (error: unknown) => next(error as Error),
        );
      else decide(guard, tracked, reply, admission, next);
    });
    fastify.addHook("onError", (request, _reply, error, done) => {
      if (isServerFailure(error)) rememberedRequest(request.raw)?.fail(error);
      done();
    });
    guard.attach(fastify.server, { clientErrors: false });
    done();
  };
  // Same effect as wrapping in fastify-plugin: the hooks apply to the whole app.
  Object.assign(plugin, { [Symbol.for("skip-override")]: true, [Symbol.for("fastify.display-name")]: "nines-guard" });
  return plugin;
}

/** Runs the route, or answers the refusal outside Fastify (hijacked: the gate's 503 costs almost nothing). */
function decide(
  guard: Guard,
  tracked: GuardRequest,
  reply: FastifyReply,
  admission: Admission,
  next: (error?: Error) => void,
): void {
  if (!admission.admitted) {
    reply.hijack();
    writeRejection(reply.raw, admission, guard.phase === "closing");
    return;
  }
  if (tracked.ended) return;
  if (guard.phase === "closing") reply.header("connection", "close");
  next();
}
