import { createServer } from "node:net";

/**
 * A TCP port on `host` that was free a moment ago (the OS picks it). Another
 * process could take it before it is used; on loopback that is rare enough
 * for starting local instances.
 *
 * @example
 * const port = await freePort(); // 41327
 */
export async function freePort(host = "127.0.0.1"): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}
