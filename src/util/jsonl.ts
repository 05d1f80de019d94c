// JSON-lines logs written by the bundle and read by the host. A reader may
// meet a line being written or cut short by a crash: those are skipped.
import { existsSync, readFileSync } from "node:fs";

/** Every line of `file` that parses and passes `isEntry`; [] when the file does not exist. */
export function readJsonLines<T>(file: string, isEntry: (v: unknown) => v is T): T[] {
  if (!existsSync(file)) return [];
  return parseJsonLines(readFileSync(file, "utf8"), isEntry);
}

/** Every line of `text` that parses and passes `isEntry` (what `logs -f` reads as a file grows). */
export function parseJsonLines<T>(text: string, isEntry: (v: unknown) => v is T): T[] {
  const out: T[] = [];
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      continue; // torn or partial line
    }
    if (isEntry(v)) out.push(v);
  }
  return out;
}
