// The Express integration, its own entry point like every framework
// integration (express is an optional peer dependency).
export { expressGuard, expressGuardErrors } from "./adapters/express.js";
