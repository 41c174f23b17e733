import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

/** uPlot's script and stylesheet, read once from the installed package. */
let cached: { script: string; style: string } | undefined;

/**
 * The minified uPlot (a small, fast time-series chart library; MIT) and
 * its CSS, to inline into a page so that it works offline, from a file,
 * with no request to anywhere.
 *
 * @example
 * const { script, style } = uplotAssets();
 * `<style>${style}</style><script>${script}</script>`;
 */
export function uplotAssets(): { script: string; style: string } {
  if (cached === undefined) {
    const require = createRequire(import.meta.url);
    cached = {
      script: readFileSync(require.resolve("uplot/dist/uPlot.iife.min.js"), "utf8"),
      style: readFileSync(require.resolve("uplot/dist/uPlot.min.css"), "utf8"),
    };
  }
  return cached;
}
