import type { IncomingMessage } from "node:http";
import { NinesError, requireOption } from "@nines/core";

/** Error code when a body is larger than allowed (answer 413). */
export const BODY_TOO_LARGE = "NINES_GUARD_BODY_TOO_LARGE";

/**
 * Reads a request body into memory, but never more than `limitBytes`:
 * a larger `content-length` is refused before reading, and a chunked body
 * that grows past the limit is refused as soon as it does (the rest is not
 * buffered). Throws `NINES_GUARD_BODY_TOO_LARGE` with `details.status` 413;
 * answer with `connection: close` so the unread rest is not drained.
 *
 * @example
 * try {
 *   const body = await readBody(req, { limitBytes: 64 * 1024 });
 * } catch (e) {
 *   if (isNinesError(e, BODY_TOO_LARGE)) { res.writeHead(413, { connection: "close" }); res.end(); }
 * }
 */
export function readBody(req: IncomingMessage, options: { limitBytes: number }): Promise<Buffer> {
  const limit = options.limitBytes;
  requireOption(Number.isInteger(limit) && limit >= 0, "readBody", "limitBytes", limit, "an integer >= 0");
  const tooLarge = () =>
    new NinesError(BODY_TOO_LARGE, `readBody: the request body is larger than ${limit} bytes`, {
      hint: "send a smaller body, or raise limitBytes where the route reads it",
      details: { status: 413, limitBytes: limit },
    });
  const declared = req.headers["content-length"];
  if (declared !== undefined && Number(declared) > limit) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
      req.off("close", onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        // Stop buffering; the response (with connection: close) ends the socket.
        req.pause();
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    const onClose = () => {
      cleanup();
      reject(
        new NinesError("NINES_GUARD_BODY_ABORTED", "readBody: the client closed the connection before the body ended"),
      );
    };
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
    req.on("close", onClose);
  });
}
