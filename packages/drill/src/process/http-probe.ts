import { Agent, request } from "undici";

const agent = new Agent({ keepAliveTimeout: 2000, connections: 4 });

/**
 * GETs `url` and returns the status, or null when there was no answer
 * within `timeoutMs` (refused, reset, hung). The body is read and dropped.
 *
 * @example
 * const ok = (await probeHttp("http://127.0.0.1:8080/readyz", 1000)) === 200;
 */
export async function probeHttp(url: string, timeoutMs: number): Promise<number | null> {
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const response = await request(url, {
      dispatcher: agent,
      signal,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    await response.body.dump();
    return response.statusCode;
  } catch {
    return null;
  }
}
