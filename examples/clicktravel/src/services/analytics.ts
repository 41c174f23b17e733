// The analytics service: fire-and-forget events and the popular
// destinations view, in memory and rebuildable. See ../../README.md.
import { analyticsRoutes } from "../analytics/analytics-routes.js";
import { EventLog } from "../analytics/event-log.js";
import { readConfig } from "../runtime/config.js";
import { runMain } from "../runtime/main.js";
import { startService } from "../runtime/service-host.js";

await runMain("analytics", async () => {
  const config = readConfig("analytics", process.env);
  // No dependency to check: readiness is "started and not draining" (spec: dependencies: false).
  return await startService({ config, routes: analyticsRoutes(new EventLog(100_000)) });
});
