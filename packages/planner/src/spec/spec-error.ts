/**
 * One problem in a spec, as `nines validate --json` and `nines plan --json`
 * print it (`{ "errors": [...] }`): the file, the 1-based line and column,
 * what is wrong and what would be valid.
 */
export interface SpecError {
  file: string;
  line: number;
  column: number;
  message: string;
  hint: string;
}

/**
 * `file:line:column: message` and the hint on the next line, for people.
 *
 * @example
 * formatSpecError({ file: "nines.yaml", line: 3, column: 5, message: "unknown key", hint: "did you mean zones?" });
 * // "nines.yaml:3:5: unknown key\n  hint: did you mean zones?"
 */
export function formatSpecError(error: SpecError): string {
  const head = `${error.file}:${error.line}:${error.column}: ${error.message}`;
  return error.hint ? `${head}\n  hint: ${error.hint}` : head;
}

/** Errors in file order (line, then column), the order people read them in. */
export function sortSpecErrors(errors: SpecError[]): SpecError[] {
  return [...errors].sort((a, b) => a.line - b.line || a.column - b.column);
}
