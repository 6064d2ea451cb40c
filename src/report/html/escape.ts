/**
 * Escaping for the HTML report. Everything that comes from a capture (file names, pcapng comments
 * and interface names, addresses, event details) goes through one of these before it reaches markup.
 */

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text for element content or a quoted attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

const JSON_SCRIPT_ESCAPES: Record<string, string> = {
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};

/**
 * JSON that can sit inside `<script type="application/json">`: `<`, `>` and `&` become `\u003c`…
 * so that no `</script>` or `<!--` can end or confuse the element, and U+2028/U+2029 are escaped
 * for readers that still treat them as line terminators. These characters can only occur inside
 * JSON strings, where the \u form means the same character, so `JSON.parse` gives back the input.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => JSON_SCRIPT_ESCAPES[c] ?? c);
}
