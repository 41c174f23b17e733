// A second test reporter beside TAP: it says nothing while tests pass and, at
// the end, repeats each failed test with its file and error, so the tail of
// a long run (all a CI log may keep) names what failed.
export default async function* failuresReporter(source) {
  const failures = [];
  for await (const event of source) {
    if (event.type !== "test:fail") continue;
    const { name, file, line, details } = event.data;
    // A suite fails when a test inside it does; the test itself says why.
    if (details?.type === "suite" || details?.error?.failureType === "subtestsFailed") continue;
    failures.push({ name, where: file ? `${file}${line ? `:${line}` : ""}` : "", error: details?.error });
  }
  if (failures.length === 0) return;
  yield `\n# ${failures.length} failed:\n`;
  for (const { name, where, error } of failures) {
    const cause = error?.cause ?? error;
    const message = String(cause?.stack ?? cause?.message ?? cause ?? "")
      .split("\n")
      .slice(0, 12)
      .join("\n#   ");
    yield `# - ${name}${where ? ` (${where})` : ""}\n#   ${message}\n`;
  }
}
