// `npm run schema`: writes the editors' JSON Schema of nines.yaml, generated
// from the same zod schema that validates specs. A test fails when the
// committed file is out of date.
import { writeFileSync } from "node:fs";
import { SCHEMA_FILE, specJsonSchemaText } from "../src/spec/json-schema-file.js";

writeFileSync(SCHEMA_FILE, specJsonSchemaText());
process.stdout.write(`wrote ${SCHEMA_FILE}\n`);
