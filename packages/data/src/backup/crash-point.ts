import { writeFileSync } from "node:fs";

/**
 * A point where the crash tests stop a writer in order to kill it exactly
 * there: when the environment variable of `point` names a file, the process
 * writes its pid into that file and blocks for good (the test kills it).
 * Unset, as everywhere outside those tests, it does nothing.
 *
 * @example
 * pauseForCrashTest("before-manifest"); // stops here under NINES_TEST_PAUSE_BEFORE_MANIFEST=/tmp/paused
 */
export function pauseForCrashTest(point: "before-manifest"): void {
  const marker = point === "before-manifest" ? process.env["NINES_TEST_PAUSE_BEFORE_MANIFEST"] : undefined;
  if (!marker) return;
  writeFileSync(marker, `${process.pid}\n`);
  // Blocks the thread itself: no timer, no renewal, nothing more is written.
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
}
