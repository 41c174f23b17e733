import type { IncomingMessage } from "node:http";
import { requireKnownOptions, requireOption } from "@nines/core";
import { GUARD_ERRORS, GuardError } from "../errors.js";
import { lingerAfterAnswer } from "./linger.js";

/** Options of {@link readBody}. */
export interface ReadBodyOptions {
  /** The largest body accepted, in bytes. */
  limitBytes: number;
}

/**
 * Reads a request body into memory, but never more than `limitBytes`: a
 * larger `content-length` is refused before reading, and a chunked body
 * that grows past the limit is refused as soon as it does (the rest is
 * read and discarded, not buffered). Throws a `GuardError`
 * `GUARD_ERRORS.bodyTooLarge` with `details.status` 413; answer it with
 * `connection: close`. The connection then closes only once the client has
 * stopped sending, so the client reads the 413 instead of a reset.
 *
 * @example
 * try {
 *   const body = await readBody(req, { limitBytes: 64 * 1024 });
 * } catch (e) {
 *   if (!isNinesError(e, GUARD_ERRORS.bodyTooLarge)) throw e;
 *   res.writeHead(413, { connection: "close" }).end();
 * }
 */
export function readBody(req: IncomingMessage, options: ReadBodyOptions): Promise<Buffer> {
  requireOption(typeof options === "object" && options !== null, "readBody", "options", options, "an object");
  requireKnownOptions("readBody", options, ["limitBytes"]);
  const limit = options.limitBytes;
  requireOption(Number.isInteger(limit) && limit >= 0, "readBody", "limitBytes", limit, "an integer >= 0");
  const tooLarge = () => {
    lingerAfterAnswer(req);
    return new GuardError(GUARD_ERRORS.bodyTooLarge, `readBody: the request body is larger than ${limit} bytes`, {
      hint: "send a smaller body, or raise limitBytes where the route reads it",
      details: { status: 413, limitBytes: limit },
    });
  };
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
        new GuardError(GUARD_ERRORS.bodyAborted, "readBody: the client closed the connection before the body ended", {
          hint: "nothing to answer: the client is gone",
        }),
      );
    };
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
    req.on("close", onClose);
  });
}
