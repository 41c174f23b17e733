import type { Command } from "../command.js";
import { data } from "./data/index.js";
import { drill } from "./drill.js";
import { k8s } from "./k8s.js";
import { plan } from "./plan.js";
import { simulate } from "./simulate.js";
import { up } from "./up.js";
import { validate } from "./validate.js";

/** Every top-level command, in the order `nines --help` lists them. Add one line per command. */
export const commands: readonly Command[] = [plan, k8s, validate, up, simulate, drill, data];
