export { main } from "./main.js";
export { type Command, EXIT, type Io } from "./command.js";
