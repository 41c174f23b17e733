const EXTENSION = /^[A-Za-z0-9]*[A-Za-z][A-Za-z0-9]*$/;

/**
 * The name a restored row takes when a live row now holds its name, with
 * the marker before the extension as file managers do: `report.pdf`
 * becomes `report (restored).pdf`, then `report (restored 2).pdf`...
 * An extension is the last dot's suffix when it is 1 to 10 letters and
 * digits with at least one letter (`archive.tar.gz` keeps `.tar.gz`);
 * names without one (`notes`, `v1.2`, `read me.`) and dotfiles (`.env`)
 * get the marker at the end.
 *
 * @example
 * restoredName("report.pdf", 1);  // "report (restored).pdf"
 * restoredName("report.pdf", 2);  // "report (restored 2).pdf"
 * restoredName(".env", 1);        // ".env (restored)"
 */
export function restoredName(name: string, attempt: number): string {
  const marker = attempt <= 1 ? " (restored)" : ` (restored ${attempt})`;
  const [stem, extension] = splitExtension(name);
  return `${stem}${marker}${extension}`;
}

function splitExtension(name: string): [string, string] {
  const dot = name.lastIndexOf(".");
  if (dot <= 0 || !EXTENSION.test(name.slice(dot + 1)) || name.length - dot - 1 > 10) return [name, ""];
  const stem = name.slice(0, dot);
  if (/\.tar$/i.test(stem) && stem.length > 4) return [stem.slice(0, -4), name.slice(dot - 4)];
  return [stem, name.slice(dot)];
}
