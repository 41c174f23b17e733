import type { Command } from "../command.js";
import { dataCommand } from "./data.js";
import { k8s } from "./k8s.js";
import { plan } from "./plan.js";
import { validate } from "./validate.js";

/** Every subcommand, in the order `nines --help` lists them. Add one line per command. */
export const commands: readonly Command[] = [plan, k8s, validate, dataCommand];
