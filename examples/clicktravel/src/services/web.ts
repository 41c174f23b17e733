// The web service: the page and the JSON API. It calls orders and
// inventory through the policies of NINES_CALLS (retry, backoff, budget,
// breaker, timeout) and analytics as an optional dependency whose failure
// degrades the page. See ../../README.md.
import type { HealthCheckOptions } from "@nines/guard";
import type { CircuitBreaker, RetryBudget } from "@nines/resilience";
import { callTo, numberVariable, readConfig, requireVariable, urlVariable } from "../runtime/config.js";
import { Dependency } from "../runtime/dependency.js";
import { runMain } from "../runtime/main.js";
import { startService } from "../runtime/service-host.js";
import { ANALYTICS_DEADLINE_MS, WEB_CALLS } from "../web/web-calls.js";
import { webRoutes } from "../web/web-routes.js";

await runMain("web", async () => {
  const config = readConfig("web", process.env, WEB_CALLS);
  const required = (target: string) =>
    new Dependency({
      baseUrl: requireVariable(config, urlVariable(target), `the URL of ${target}'s load balancer`),
      call: callTo(config, target),
    });
  const orders = required("orders");
  const inventory = required("inventory");
  const analyticsUrl = config.env[urlVariable("analytics")];
  const analytics = analyticsUrl
    ? new Dependency({ baseUrl: analyticsUrl, call: callTo(config, "analytics"), deadlineMs: ANALYTICS_DEADLINE_MS })
    : undefined;
  const all = [orders, inventory, ...(analytics ? [analytics] : [])];
  const eventShare = numberVariable(config, "ANALYTICS_EVENT_SHARE", (v) => v >= 0 && v <= 1, "a share in [0, 1]");
  const popularCacheMs = numberVariable(config, "ANALYTICS_POPULAR_CACHE_MS", (v) => v >= 0, "a number of ms >= 0");

  const breakers: Record<string, CircuitBreaker> = {};
  const budgets: Record<string, RetryBudget> = {};
  for (const dependency of all) {
    if (dependency.policy.breaker) breakers[dependency.name] = dependency.policy.breaker;
    if (dependency.policy.budget) budgets[dependency.name] = dependency.policy.budget;
  }
  // Ready when the required dependencies are; analytics down only degrades.
  const readiness: HealthCheckOptions[] = all.map((dependency) => ({
    name: dependency.name,
    critical: dependency !== analytics,
    timeoutMs: 500,
    ...(dependency.policy.breaker ? { breaker: dependency.policy.breaker } : {}),
    check: async (signal: AbortSignal) => {
      const answer = await fetch(`${dependency.baseUrl}/readyz`, { signal });
      await answer.body?.cancel();
      if (answer.status !== 200) throw new Error(`${dependency.name} answered ${answer.status} on /readyz`);
    },
  }));
  return await startService({
    config,
    routes: webRoutes(
      { orders, inventory, analytics },
      {
        instance: config.instance,
        zone: config.zone,
        // What web asks of analytics (README "Analytics traffic"); the tests ask for every event and no cache.
        ...(eventShare !== undefined && { eventShare }),
        ...(popularCacheMs !== undefined && { popularCacheMs }),
      },
    ),
    readiness,
    breakers,
    budgets,
    // A web request waits on inventory and orders outside its worker slot: let more in than there are slots.
    inflightPerSlot: 4,
  });
});
