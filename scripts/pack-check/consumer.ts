// Compiled by scripts/pack-check.mjs in a fresh project outside the tree,
// against the installed tarballs, with skipLibCheck: false and strict
// settings: every package's declarations (each entry point) must compile for
// a consumer, and the framework adapters must fit the frameworks' own types.
import * as cli from "@nines/cli";
import * as core from "@nines/core";
import * as data from "@nines/data";
import * as drill from "@nines/drill";
import * as guard from "@nines/guard";
import { expressGuard, expressGuardErrors } from "@nines/guard/express";
import { fastifyGuard } from "@nines/guard/fastify";
import * as planner from "@nines/planner";
import * as resilience from "@nines/resilience";
import * as sim from "@nines/sim";
import express from "express";
import Fastify from "fastify";

const clock: core.Clock = new core.ManualClock();
const policy = resilience.wrap(
  resilience.retry({ maxAttempts: 3, idempotent: true, clock }),
  resilience.timeout({ timeoutMs: 100, clock }),
);
export const answer: Promise<number> = policy.execute(async () => 42);

const protect: guard.Guard = guard.createGuard({ clock });
export const server = guard.guardHttpServer((_req, res) => res.end("ok"), protect);

const app = Fastify();
await app.register(fastifyGuard(protect));
const web = express();
web.use(expressGuard(protect));
web.use(expressGuardErrors());

export async function lifecycle(file: string): Promise<data.TrashGroup[]> {
  const connection: data.DataConnection = await data.openDatabase(file);
  const declaration = data.declareTables({ tables: { notes: { key: "id", owner: "owner_id" } } });
  const store = await data.LifecycleStore.open({ connection, declaration });
  return await store.trash({ id: "alice" });
}

export function plan(yaml: string): planner.PlanResult | planner.SpecError[] {
  const parsed = planner.parseSpec(yaml, "nines.yaml");
  return parsed.ok ? planner.analyze(parsed.spec) : parsed.errors;
}

export const run: (argv: string[], io: cli.Io) => Promise<number> = (argv, io) => cli.main(argv, io);
export const virtual: core.Clock = new sim.SimClock();
export const postgres: Promise<drill.PostgresBinaries> = drill.findPostgresBinaries();
export const isCoded = (error: unknown): boolean => core.isNinesError(error, core.OPTION_INVALID);
