import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { SystemSnapshot } from "../system-snapshot.js";
import { livePage } from "./view-page.js";

/** A live view served on loopback. */
export interface LiveViewServer {
  /** `http://127.0.0.1:<port>/`: the page; `snapshot.json` beside it. */
  url: string;
  close(): Promise<void>;
}

/**
 * Serves the live view on 127.0.0.1: `/` is a small page that polls
 * `/snapshot.json` (the system's {@link SystemSnapshot}) every second.
 *
 * @example
 * const view = await serveLiveView(system);
 * console.log(`live view ${view.url}`);
 * await view.close();
 */
export async function serveLiveView(
  source: { snapshot(): SystemSnapshot; plan: { name: string } },
  options: { port?: number } = {},
): Promise<LiveViewServer> {
  const page = livePage(source.plan.name);
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://view").pathname;
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD" }).end();
    } else if (path === "/") {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" }).end(page);
    } else if (path === "/snapshot.json") {
      res
        .writeHead(200, { "content-type": "application/json", "cache-control": "no-store" })
        .end(JSON.stringify(source.snapshot()));
    } else {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
