export { type Command, EXIT, type Io } from "./command.js";
export { main } from "./main.js";
