import { z } from "zod";
import { CATALOG, SELF_MANAGED_ENGINES } from "./catalog.js";
import {
  PATTERNS,
  type Period,
  parseDuration,
  parseIsoDate,
  parseMoney,
  parsePercent,
  type ValueResult,
} from "./values.js";

/**
 * The structure of `nines.yaml`, defined once: `parseSpec` validates with it
 * and `npm run schema` turns it into the editors' JSON Schema
 * (`packages/planner/schema/nines.schema.json`). Cross-references (declared
 * zones, names, cycles, the catalog) are checked afterwards, on the whole
 * document (`check-services.ts`, `check-stores.ts`).
 */

/** The parser behind each value schema, so that error mapping can explain a value of the wrong type. */
const valueParsers = new WeakMap<z.ZodType, (input: unknown) => ValueResult<unknown>>();

/** The value parser registered for `schema` (a duration, percentage, money or date), if any. */
export function valueParser(schema: z.ZodType): ((input: unknown) => ValueResult<unknown>) | undefined {
  return valueParsers.get(schema);
}

function value<T>(
  parse: (input: unknown) => ValueResult<T>,
  input: z.ZodType<string | number>,
  description: string,
): z.ZodType<T, string | number> {
  const schema = input
    .superRefine((raw, ctx) => {
      const result = parse(raw);
      if (!result.ok) ctx.addIssue({ code: "custom", message: result.message, params: { hint: result.hint } });
    })
    .transform((raw) => (parse(raw) as { value: T }).value)
    .meta({ description });
  valueParsers.set(schema, parse);
  return schema as unknown as z.ZodType<T, string | number>;
}

const numberOrPattern = (pattern: string, json: Record<string, unknown>) =>
  z.union([z.number().meta(json), z.string().meta({ pattern })]);

/** A duration in milliseconds: `0`, `250ms`, `30s`, `5m`, `1h`, `24h`, `30d`, `2w`; a bare number is seconds. */
export const duration = (description: string) =>
  value(
    parseDuration,
    numberOrPattern(PATTERNS.duration, { minimum: 0 }),
    `${description}. A duration: 250ms, 30s, 5m, 1h, 24h, 30d, 2w; a bare number is seconds.`,
  );

/** A percentage as a fraction: `99.95%` or a bare number in [1, 100]. */
export const percent = (description: string) =>
  value(
    parsePercent,
    numberOrPattern(PATTERNS.percent, { minimum: 1, maximum: 100 }),
    `${description}. A percentage: 99.95% (a bare number is a percent in [1, 100]; 0.9995 is rejected).`,
  );

/** Money per `target` period: `50/month`, `20000/hour`; a bare number is per `bare`. */
export const money = (description: string, target: Period, bare: Period) =>
  value(
    (raw) => parseMoney(raw, target, bare),
    numberOrPattern(PATTERNS.money, { minimum: 0 }),
    `${description}. Money per period: 50/month, 20000/hour (hour, day, month, year); a bare number is per ${bare}.`,
  );

const isoDate = (description: string) =>
  value(parseIsoDate, z.string().meta({ pattern: PATTERNS.date }), `${description}. An ISO date: YYYY-MM-DD.`);

const name = z.string().min(1);

/** The largest request rate a spec may hold (req/s): products with instance counts stay finite. */
export const MAX_RATE = 1e12;
/** The most instances per zone, and the most a service may need (`load / capacity`). */
export const MAX_INSTANCES = 1_000_000_000;

/** An HTTP path such as `/readyz`: starts with `/`, no spaces or control characters. */
const httpPath = (description: string) =>
  z
    .string()
    // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
    .regex(/^\/[^\s\u0000-\u001f\u007f]*$/, { message: "must be a path starting with /, without spaces" })
    .describe(description);

/** Where backups or logs are kept. */
export const BACKUP_KEYWORDS = ["same-zone", "same-region", "other-region", "dual-region", "multi-region"] as const;
const backupLocation = z
  .union([z.enum(BACKUP_KEYWORDS), z.string()])
  .describe(`Where copies are kept: ${BACKUP_KEYWORDS.join(", ")}, or a declared region's name`);

const standby = z
  .strictObject({
    kind: z.enum(["cold", "hot"]).describe("cold: provisioned (and a store restored) on demand; hot: running"),
    region: name.describe("A declared region, other than the component's own"),
    provision: duration("Time to provision a cold standby (default 0)").optional(),
  })
  .describe("A standby in another declared region, for the loss of this component's region");

/**
 * The drain timeline, with `@nines/guard`'s defaults (`DRAIN_DEFAULTS`):
 * `nines k8s` derives the termination grace period and `preStop` from it.
 */
const drain = z
  .strictObject({
    delay: duration(
      "How long readiness fails before the server stops accepting, so load balancers notice (default 5s)",
    ).optional(),
    grace: duration("How long in-flight requests may take once the server stops accepting (default 20s)").optional(),
    cleanup: duration("How long the cleanup hooks may take after the last request (default 5s)").optional(),
  })
  .describe("The graceful drain timeline of an instance");

/** How an instance starts, for `nines up` and `nines drill`; the planner's figures ignore it. */
const run = z
  .strictObject({
    command: z
      .union([
        z.string().min(1).describe("The program and its arguments, split on spaces (no shell)"),
        z.array(z.string().min(1)).min(1).describe("The program and its arguments, one per item"),
      ])
      .describe("How to start one instance, e.g. node services/web.js"),
    port: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { message: "must be an environment variable name such as PORT" })
      .default("PORT")
      .describe("The environment variable that carries the port the instance listens on (default PORT)"),
    env: z
      .record(
        z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { message: "must be an environment variable name" }),
        z.union([z.string(), z.number(), z.boolean()]),
      )
      .optional()
      .describe("Extra environment variables"),
    health: z
      .strictObject({
        liveness: httpPath("Liveness path (default /livez)").optional(),
        startup: httpPath("Startup path (default /startupz)").optional(),
      })
      .optional()
      .describe("Health endpoints besides readiness, which is health.check (default /readyz)"),
    cwd: name.optional().describe("Working directory, relative to the spec file's directory"),
  })
  .describe("How an instance starts (nines up, nines drill)");

const call = z
  .strictObject({
    optional: z
      .boolean()
      .default(false)
      .describe("A soft dependency: when the callee is down the caller is degraded, not down"),
    retries: z.int().min(0).max(100).default(0).describe("Retries after the first attempt"),
    backoff: z
      .enum(["exponential", "linear", "constant", "none"])
      .optional()
      .describe("How the wait between retries grows"),
    jitter: z.boolean().default(false).describe("Randomises the wait between retries"),
    breaker: z.boolean().default(false).describe("A circuit breaker guards the call"),
    budget: percent("A retry budget: retries stay within this share of the call's requests, e.g. 20%").optional(),
    timeout: duration("Timeout of one attempt").optional(),
  })
  .describe("How the caller calls this service or store");

const service = z
  .strictObject({
    zones: z.array(name).min(1).describe("Declared zones the service runs in"),
    instances: z.int().min(1).max(MAX_INSTANCES).describe("Instances per zone"),
    capacity: z.number().positive().max(MAX_RATE).describe("Requests per second one instance can take at most"),
    load: z.number().min(0).max(MAX_RATE).describe("Peak requests per second offered to the service"),
    unit: z.enum(["instance", "zone"]).default("instance").describe("Unit of deployment for N+2"),
    health: z
      .strictObject({
        check: httpPath("Path of the readiness check the load balancer probes, e.g. /readyz").optional(),
        dependencies: z.boolean().default(false).describe("The check verifies the service's dependencies"),
        autoheal: z.boolean().default(false).describe("Failed instances are replaced automatically"),
      })
      .optional()
      .describe("Health checking and autohealing"),
    startup: duration("Time until a new instance serves").optional(),
    autoscale: z
      .strictObject({
        metric: z.enum(["requests-per-second", "cpu", "memory"]).describe("What the autoscaler tracks"),
        target: z
          .union([z.number(), z.string().meta({ pattern: PATTERNS.percent })])
          .describe("Target per instance: req/s for requests-per-second, a percentage (60%) for cpu and memory"),
        min: z.int().min(1).max(MAX_INSTANCES).optional().describe("Fewest instances in all"),
        max: z.int().min(1).max(MAX_INSTANCES).describe("Most instances in all"),
      })
      .optional()
      .describe("Autoscaling"),
    calls: z
      .record(name, z.union([call, z.null()]))
      .optional()
      .describe("Services and stores this service calls, in order"),
    standby: standby.optional(),
    cost: money(
      "Monthly cost of the whole service, instead of instances x costs.instance",
      "month",
      "month",
    ).optional(),
    drain: drain.optional(),
    run: run.optional(),
  })
  .describe("An instance group");

const storeEngines = [...CATALOG.filter((e) => e.use !== "edge").map((e) => e.engine), ...SELF_MANAGED_ENGINES] as [
  string,
  ...string[],
];
const edgeEngines = CATALOG.filter((e) => e.use !== "store").map((e) => e.engine) as [string, ...string[]];

const store = z
  .strictObject({
    engine: z
      .union([z.enum(storeEngines), z.string()])
      .describe("A catalog engine (managed) or a self-managed one; other names need managed: false"),
    managed: z.boolean().optional().describe("false: treat an engine not in the catalog as self-managed"),
    location: z
      .string()
      .optional()
      .describe("Managed engines: a declared region's name, dual-region, multi-region or global"),
    sla: percent("An explicit availability, replacing the catalog's and the zone model's").optional(),
    zone: name.optional().describe("Zone of the primary node (self-managed engines and cloud-sql)"),
    replica: z
      .strictObject({
        zone: name.describe("A declared zone other than the primary's"),
        sync: z.boolean().describe("Synchronous replication; false needs lag"),
        lag: duration("Worst-case replication lag (asynchronous replicas)").optional(),
        failover: duration("Time to promote the replica"),
      })
      .optional()
      .describe("A replica node"),
    backups: z
      .strictObject({
        every: duration("Interval between backups"),
        at: backupLocation,
        restore: duration("Time to restore from a backup"),
        tested: isoDate("Date of the last successful restore verification").optional(),
      })
      .optional()
      .describe("Backups"),
    log: z
      .union([
        duration("Point-in-time log archiving interval, kept where the backups are"),
        z.strictObject({ every: duration("Log archiving interval"), at: backupLocation.optional() }),
      ])
      .optional()
      .describe("WAL / binary-log archiving for point-in-time recovery"),
    userData: z.boolean().default(false).describe("The store holds users' data"),
    deletion: z
      .strictObject({
        trash: duration("Time deleted data stays in a trash users can undo from").optional(),
        soft: duration("Time deleted data stays soft-deleted, recoverable by operators").optional(),
        restore: duration("Time to restore lazily deleted data"),
      })
      .optional()
      .describe("Lazy deletion phases"),
    rebuild: duration("Time to rebuild the store from its sources").optional(),
    standby: standby.optional(),
    replicate: z
      .strictObject({
        at: z
          .union([backupLocation, z.array(backupLocation).min(1)])
          .describe("Where the replicas are kept: one location or a list"),
        interval: duration("How often committed changes are shipped (default 1s)").optional(),
        restore: duration("Time to restore the store from a replica"),
      })
      .optional()
      .describe("Continuous replication of an embedded store (sqlite): nines data replicate"),
    cost: money("Monthly cost", "month", "month").optional(),
  })
  .describe("A data store");

const edge = z
  .strictObject({
    engine: z.union([z.enum(edgeEngines), z.string()]).describe("A catalog component, or any name with an sla"),
    location: z.string().optional().describe("A declared region's name or global (default global)"),
    sla: percent("An explicit availability, replacing the catalog's").optional(),
    cost: money("Monthly cost", "month", "month").optional(),
  })
  .describe("A managed component in front of the services (load balancer, CDN)");

const journey = z
  .strictObject({
    via: name.optional().describe("The edge component the journey enters through"),
    entry: name.describe("The service the journey starts at"),
    availability: percent("This journey's objective, instead of objectives.availability").optional(),
  })
  .describe("A user journey: via + entry + every required call, transitively");

const disaster = z
  .strictObject({
    store: name.optional().describe("The store the scenario strikes (or service)"),
    service: name.optional().describe("The service the scenario strikes (or store)"),
    scenario: name.describe("What happens, in words"),
    kind: z.enum(["deletion", "crash", "zone-outage", "region-outage"]),
    rpo: duration("Recovery point objective: data that may be lost (optional for a service)").optional(),
    rto: duration("Recovery time objective"),
    priority: z.enum(["high", "medium", "low"]),
    via: z
      .enum(["application", "database"])
      .optional()
      .describe("For deletion: through the application (default) or a raw database delete"),
  })
  .describe("A disaster scenario with its objectives");

/**
 * The whole spec. Keys unknown to it are errors (strict objects).
 *
 * @example
 * specSchema.safeParse({ name: "x", platform: { regions: { r: ["a"] } } }).success; // true
 */
export const specSchema = z
  .strictObject({
    name: name.describe("The system's name"),
    objectives: z
      .strictObject({
        availability: percent("Default objective of every journey").optional(),
        maxRetryAmplification: z
          .number()
          .min(1)
          .max(1e9)
          .default(10)
          .describe("Largest product of (1 + retries) along a call path before it is an error"),
      })
      .prefault({})
      .describe("Objectives"),
    platform: z
      .strictObject({
        regions: z.record(name, z.array(name).min(1).describe("Its zones")).describe("Regions, each with its zones"),
        availability: z
          .strictObject({
            region: percent("A region is up").prefault("99.99%"),
            zone: percent("A zone is up, given its region is up").prefault("99.9%"),
            instance: percent("An instance or self-managed node is up, given its zone is up").prefault("99.5%"),
          })
          .prefault({})
          .describe("The failure model"),
      })
      .describe("Where the system runs"),
    edge: z.record(name, edge).default({}).describe("Managed components in front of the services"),
    services: z.record(name, service).default({}).describe("Instance groups"),
    stores: z.record(name, store).default({}).describe("Data stores"),
    journeys: z.record(name, journey).default({}).describe("User journeys"),
    disasters: z.array(disaster).default([]).describe("Disaster scenarios"),
    costs: z
      .strictObject({
        currency: name.default("USD").describe("Currency of every amount"),
        instance: money("Cost of one instance or self-managed node", "month", "month").prefault(0),
        downtime: money("Cost of being down", "hour", "hour").prefault(0),
      })
      .prefault({})
      .describe("Costs"),
  })
  .describe("A nines reliability spec (nines.yaml)");

/** The spec as the schema outputs it: values converted (milliseconds, fractions, money per month or hour). */
export type SchemaOutput = z.output<typeof specSchema>;

/**
 * The JSON Schema (draft 2020-12) of `nines.yaml` for editors.
 *
 * @example
 * writeFileSync("nines.schema.json", `${JSON.stringify(specJsonSchema(), null, 2)}\n`);
 */
export function specJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(specSchema, { target: "draft-2020-12", io: "input" }) as Record<string, unknown>;
  return {
    $schema: schema["$schema"],
    $id: "https://nines.dev/schema/nines.schema.json",
    title: "nines.yaml",
    ...schema,
    // Extension keys for YAML anchors (`x-defaults: &svc {...}`), which the parser drops.
    patternProperties: { "^x-": { description: "An extension key, ignored: a place for YAML anchors to reuse" } },
  };
}
