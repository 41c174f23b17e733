// Runs the nines CLI from its TypeScript sources as a real process, the way
// bin/nines.js runs the build: tests spawn it with
// `node --conditions=source --import tsx packages/cli/test/run-nines.ts ARGS`.
import { main } from "../src/main.js";

process.exitCode = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  cwd: process.cwd(),
});
