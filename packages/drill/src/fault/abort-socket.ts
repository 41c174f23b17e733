import type { Socket } from "node:net";

/**
 * Breaks a connection as a failure would: a TCP reset. A socket this side
 * has already ended (its FIN queued) is destroyed instead: Node never
 * completes the close of an ended socket that is then reset, and the
 * process spins at exit, never ending.
 *
 * @example
 * upstream.on("error", () => abortSocket(client)); // the caller sees the connection break
 */
export function abortSocket(socket: Socket): void {
  if (socket.destroyed) return;
  if (socket.writableEnded) socket.destroy();
  else socket.resetAndDestroy();
}
