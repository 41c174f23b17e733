import { readFileSync } from "node:fs";
import { parseSpec } from "./src/spec/parse-spec.ts";
import { formatSpecError } from "./src/spec/spec-error.ts";
const f = process.argv[2]!;
const r = parseSpec(readFileSync(f, "utf8"), f);
if (r.ok) console.log("ok"); else console.log(r.errors.map(formatSpecError).join("\n"));
