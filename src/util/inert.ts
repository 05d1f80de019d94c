// The one helper that makes text from a bottle safe to print on the operator's
// terminal. An agent controls supervise requests, audit lines, git messages and
// transcripts: raw, an ESC/CSI/OSC sequence or a CR could repaint what the
// operator reads ("run the unit tests") over what they approve (`rm -rf`), and a
// bidi override could reorder it. Every C0/C1 control, DEL and bidi/format
// control is shown as a visible escape instead. `--json` output stays raw.

// C0 (but TAB/LF when multiline), DEL, C1; bidi embeddings/overrides/isolates,
// LRM/RLM/ALM, zero-width and line/paragraph separators, BOM.
const SINGLE = /[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;
const MULTI = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;

const NAMED: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t", "\x1b": "\\e" };

function visible(c: string): string {
  const named = NAMED[c];
  if (named) return named;
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
}

/**
 * `s` with every terminal control made visible (`\e[31m`, `\r`, `\u202e`).
 * `multiline` keeps LF and TAB (transcripts, logs); the default, for one-line
 * fields (an approval's action, a bottle name), escapes them too.
 */
export function inert(s: string, opts: { multiline?: boolean } = {}): string {
  return s.replace(opts.multiline ? MULTI : SINGLE, visible);
}
