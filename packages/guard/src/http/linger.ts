import type { IncomingMessage } from "node:http";
import type { Socket } from "node:net";

/** How long a lingering close waits for more bytes from the client before it closes anyway, in ms. */
const LINGER_IDLE_MS = 2000;

/**
 * Lets the client read an answer given before its request body was read
 * (a 413, a 500 from a failed handler). The rest of the body is read and
 * discarded; and when Node closes the connection after the answer, the
 * socket first sends the answer and its end (FIN), then goes on discarding
 * until the client closes its side or sends nothing for two seconds.
 * Destroying a socket at once would leave the client's bytes unread, the
 * kernel would answer them with a reset, and a client still uploading
 * would lose the answer it had not read yet (the reason for nginx's
 * `lingering_close`). The server's `requestTimeoutMs` still bounds the
 * whole request.
 *
 * @example
 * lingerAfterAnswer(req);
 * res.writeHead(413, { connection: "close" }).end();
 */
export function lingerAfterAnswer(req: IncomingMessage): void {
  req.resume();
  // Node ends a `connection: close` exchange with `socket.destroySoon()`: this socket's own version lingers.
  const socket = req.socket as Socket & { destroySoon?: () => void };
  socket.destroySoon = lingeringClose;
}

function lingeringClose(this: Socket): void {
  if (this.writable) this.end();
  this.resume();
  this.setTimeout(LINGER_IDLE_MS, () => this.destroy());
}
