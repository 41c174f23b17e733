import type { AddressInfo } from "node:net";
import { connect, createServer, type Server, type Socket } from "node:net";

/** A TCP proxy that loses the answers of chosen requests after the upstream has handled them. */
export interface DropProxy {
  /** `http://127.0.0.1:<port>`: where to point the client. */
  readonly url: string;
  /** Requests whose first line started with the prefix, forwarded so far. */
  readonly matched: number;
  /** Answers cut off so far. */
  readonly dropped: number;
  close(): Promise<void>;
}

/**
 * Forwards every connection to `upstream`, except that the answer to each
 * of the first `drops` requests starting with `prefix` (for example
 * `POST /bookings`) is cut off: the upstream got and handled the request,
 * the client sees its connection reset. This is the lost answer that makes
 * clients retry a write that already happened.
 *
 * @example
 * const proxy = await dropProxy(orders.url, "POST /bookings", 1);
 * // web with ORDERS_URL=proxy.url: its first booking attempt is handled by orders, then reset
 */
export async function dropProxy(upstream: string, prefix: string, drops: number): Promise<DropProxy> {
  const target = new URL(upstream);
  let matched = 0;
  let dropped = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const server = connect(Number(target.port), target.hostname);
    sockets.add(client);
    sockets.add(server);
    let dropThisAnswer = false;
    client.on("data", (chunk: Buffer) => {
      if (chunk.toString("latin1", 0, prefix.length) === prefix) {
        matched++;
        if (dropped < drops) {
          dropped++;
          dropThisAnswer = true;
        }
      }
      server.write(chunk);
    });
    server.on("data", (chunk: Buffer) => {
      if (dropThisAnswer) {
        client.resetAndDestroy();
        server.destroy();
        return;
      }
      client.write(chunk);
    });
    const end = () => {
      client.destroy();
      server.destroy();
      sockets.delete(client);
      sockets.delete(server);
    };
    client.on("close", end);
    server.on("close", end);
    client.on("error", end);
    server.on("error", end);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    get matched() {
      return matched;
    },
    get dropped() {
      return dropped;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
