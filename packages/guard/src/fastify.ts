// The Fastify integration, its own entry point so that only applications
// that use Fastify need its types (fastify is an optional peer dependency).
export { fastifyGuard } from "./adapters/fastify.js";
