// Pure: add a host to a bottle's `allow` list in the manifest's TOML text,
// changing as little as possible: comments, order and layout stay as written.
// The edited text is parsed again and must say exactly what was meant, or the
// edit is refused (a TOML layout this editor does not understand is left alone).
import { parse } from "smol-toml";
import { BottleError } from "../util/errors.ts";

const HEADER = /^\s*\[\s*([^\[\]]+?)\s*\]\s*(#.*)?$/;

function tableName(line: string): string | undefined {
  if (/^\s*\[\[/.test(line)) return "[[array]]";
  const m = HEADER.exec(line);
  return m ? m[1]!.replace(/\s*\.\s*/g, ".").replace(/"([^"]*)"/g, "$1") : undefined;
}

function allowOf(text: string, bottle: string): unknown {
  const doc = parse(text) as { bottles?: Record<string, { allow?: unknown }> };
  return doc.bottles?.[bottle]?.allow;
}

export interface TomlEdit {
  text: string;
  changed: boolean;
}

export function addAllowEntry(source: string, bottle: string, entry: string, file = "bot-bottle.toml"): TomlEdit {
  const before = allowOf(source, bottle);
  if (Array.isArray(before) && before.includes(entry)) return { text: source, changed: false };
  const nl = source.includes("\r\n") ? "\r\n" : "\n";
  const lines = source.split(/\r?\n/);
  const start = lines.findIndex((l) => tableName(l) === `bottles.${bottle}`);
  if (start < 0) {
    throw new BottleError("MANIFEST_INVALID", `${file} has no [bottles.${bottle}] table to add "${entry}" to`, {
      hint: `add allow = ["${entry}"] to the bottle by hand`,
    });
  }
  let end = lines.length;
  for (let i = start + 1; i < lines.length; i++) if (tableName(lines[i]!) !== undefined) { end = i; break; }
  const quoted = JSON.stringify(entry);
  const allowAt = lines.findIndex((l, i) => i > start && i < end && /^\s*allow\s*=/.test(l));
  let out: string[];
  if (allowAt >= 0) {
    // Find the line with the array's closing bracket (outside strings and comments).
    let close = -1;
    let col = -1;
    let depth = 0;
    let inStr = false;
    outer: for (let i = allowAt; i < end; i++) {
      const l = lines[i]!;
      for (let c = i === allowAt ? l.indexOf("=") + 1 : 0; c < l.length; c++) {
        const ch = l[c]!;
        if (inStr) {
          if (ch === "\\") c++;
          else if (ch === '"') inStr = false;
          continue;
        }
        if (ch === '"') inStr = true;
        else if (ch === "#") break;
        else if (ch === "[") depth++;
        else if (ch === "]" && --depth === 0) {
          close = i;
          col = c;
          break outer;
        }
      }
    }
    if (close < 0) throw new BottleError("MANIFEST_INVALID", `cannot find the end of bottles.${bottle}.allow in ${file}`, { hint: `add "${entry}" by hand` });
    const l = lines[close]!;
    const head = l.slice(0, col);
    const inner = close === allowAt ? head.slice(head.indexOf("[") + 1) : head;
    let edited: string[];
    if (close === allowAt) {
      // One-line array: `allow = ["a", "b"]` → `allow = ["a", "b", "new"]`.
      const empty = inner.trim() === "";
      const trailingComma = /,\s*$/.test(inner);
      edited = [`${head.replace(/\s*$/, "")}${empty ? "" : trailingComma ? " " : ", "}${quoted}${l.slice(col)}`];
    } else if (head.trim() === "") {
      // Multi-line array closed on its own line: a new element line before it, indented like the one above.
      const prev = lines[close - 1]!;
      const indent = /^\s*/.exec(prev)![0] || "  ";
      const prevFixed = /,\s*(#.*)?$/.test(prev) || /\[\s*$/.test(prev) ? [] : null;
      edited = [`${indent}${quoted},`, l];
      if (prevFixed === null) {
        // Add the missing comma to the previous element (before a trailing comment).
        const m = /^(.*?)(\s*#.*)?$/.exec(prev)!;
        lines[close - 1] = `${m[1]},${m[2] ?? ""}`;
      }
    } else {
      edited = [`${head.replace(/\s*$/, "")}${/,\s*$/.test(head) ? " " : ", "}${quoted}${l.slice(col)}`];
    }
    out = [...lines.slice(0, close), ...edited, ...lines.slice(close + 1)];
  } else {
    // No allow key yet: after the table's last key line, before the blank lines/comments that lead to the next table.
    let last = end - 1;
    while (last > start && (lines[last]!.trim() === "" || lines[last]!.trim().startsWith("#"))) last--;
    out = [...lines.slice(0, last + 1), `allow = [${quoted}]`, ...lines.slice(last + 1)];
  }
  const text = out.join(nl);
  let after: unknown;
  try {
    after = allowOf(text, bottle);
  } catch (e) {
    throw new BottleError("MANIFEST_INVALID", `adding "${entry}" to ${file} would break it: ${(e as Error).message.split("\n")[0]}`, { hint: "add it by hand" });
  }
  const want = [...(Array.isArray(before) ? before : []), entry];
  if (!Array.isArray(after) || JSON.stringify(after) !== JSON.stringify(want)) {
    throw new BottleError("MANIFEST_INVALID", `could not add "${entry}" to bottles.${bottle}.allow in ${file} safely`, { hint: "add it by hand" });
  }
  return { text, changed: true };
}
