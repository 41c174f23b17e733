export type { Command, Io } from "./command.js";
export { CLI_ERRORS, CliError, EXIT } from "./errors.js";
export { main } from "./main.js";
