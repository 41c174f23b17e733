/**
 * Escapes text for HTML and SVG content and attribute values.
 *
 * @example
 * escapeXml('a < b & "c"'); // "a &lt; b &amp; &quot;c&quot;"
 */
export function escapeXml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}
