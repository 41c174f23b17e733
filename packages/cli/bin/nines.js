#!/usr/bin/env node
// The nines command. Runs the built CLI (npm ci builds it through `prepare`).
import { main } from "../dist/main.js";

process.exitCode = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  cwd: process.cwd(),
});
