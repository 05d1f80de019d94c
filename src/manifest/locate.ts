// Find the line of a key in TOML source, so validation errors can say where.
// smol-toml keeps no positions, so this is a small line scanner: it follows
// table headers (arrays of tables counted per parent, so `egress[1]` is the
// second `[[…egress]]`), dotted and quoted keys, and skips the insides of
// multi-line strings and arrays. A path that is not written out (a missing
// key) resolves to the nearest enclosing table or inline value.

export type KeyPath = (string | number)[];

export interface Entry {
  path: KeyPath;
  line: number;
}

/** 1-based line of `path` (e.g. ["bottles","demo","egress",1,"host"]) in `source`, or undefined. */
export function locateKey(source: string, path: KeyPath): number | undefined {
  let best: Entry | undefined;
  for (const e of tomlEntries(source)) {
    if (e.path.length > path.length || (best && e.path.length <= best.path.length)) continue;
    if (e.path.every((seg, i) => seg === path[i])) best = e;
  }
  return best && best.path.length > 0 ? best.line : undefined;
}

/** Every table header and key in `source` with its full path and 1-based line, in source order. */
export function tomlEntries(source: string): Entry[] {
  const lines = source.replace(/\r\n/g, "\n").split("\n");
  const entries: Entry[] = [];
  const seen = new Set<string>();
  const add = (path: KeyPath, line: number) => {
    const id = JSON.stringify(path);
    if (seen.has(id)) return;
    seen.add(id);
    entries.push({ path, line });
  };
  /** Current element index of every array of tables, keyed by its resolved path. */
  const arrays = new Map<string, number>();
  let table: KeyPath = [];
  let state: ScanState = { depth: 0, multi: null };
  let lineNo = 0;
  const element = (path: KeyPath) => add(path, lineNo);

  for (let i = 0; i < lines.length; i++) {
    const text = lines[i]!;
    lineNo = i + 1;
    // Inside a multi-line string or array: only follow the scanner state.
    if (state.depth > 0 || state.multi) {
      state = scan(text, 0, state, element);
      continue;
    }
    const header = /^\s*(\[\[?)/.exec(text);
    if (header) {
      const isArray = header[1] === "[[";
      const parsed = parseKeyPath(text, header[0].length);
      if (!parsed) continue;
      const resolved: KeyPath = [];
      parsed.keys.forEach((k, j) => {
        resolved.push(k);
        const idx = arrays.get(JSON.stringify(resolved));
        const last = j === parsed.keys.length - 1;
        if (idx !== undefined && !(isArray && last)) resolved.push(idx);
      });
      if (isArray) {
        const id = JSON.stringify(resolved);
        const idx = (arrays.get(id) ?? -1) + 1;
        arrays.set(id, idx);
        add(resolved, i + 1);
        table = [...resolved, idx];
      } else {
        table = resolved;
      }
      add(table, i + 1);
      continue;
    }
    const parsed = parseKeyPath(text, 0);
    if (!parsed || text[parsed.end] !== "=") {
      state = scan(text, 0, state, element);
      continue;
    }
    // Dotted keys create their intermediate tables here too.
    const keyPath = [...table, ...parsed.keys];
    for (let n = 1; n <= parsed.keys.length; n++) add(keyPath.slice(0, table.length + n), i + 1);
    // An array value: note where each element starts, so `allow[3]` finds its own line.
    const isArray = text.slice(parsed.end + 1).trimStart().startsWith("[");
    const array = isArray ? { path: keyPath, index: 0, pending: false } : undefined;
    state = scan(text, parsed.end + 1, { ...state, array }, element);
  }
  return entries;
}

/** Parse `a."b c".d` starting at `from`; `end` is the index of the first character after it and its spaces. */
function parseKeyPath(text: string, from: number): { keys: string[]; end: number } | null {
  const keys: string[] = [];
  let i = from;
  const skipSpace = () => {
    while (text[i] === " " || text[i] === "\t") i++;
  };
  for (;;) {
    skipSpace();
    const c = text[i];
    if (c === '"' || c === "'") {
      let key = "";
      i++;
      while (i < text.length && text[i] !== c) {
        if (c === '"' && text[i] === "\\" && i + 1 < text.length) {
          key += unescape(text[i + 1]!);
          i += 2;
        } else key += text[i++];
      }
      if (text[i] !== c) return null;
      i++;
      keys.push(key);
    } else {
      const m = /^[A-Za-z0-9_-]+/.exec(text.slice(i));
      if (!m) return null;
      keys.push(m[0]);
      i += m[0].length;
    }
    skipSpace();
    if (text[i] !== ".") return { keys, end: i };
    i++;
  }
}

function unescape(c: string): string {
  return ({ n: "\n", t: "\t", r: "\r", b: "\b", f: "\f" } as Record<string, string>)[c] ?? c;
}

interface ScanState {
  /** Open `[` / `{` of a value that continues on the next lines. */
  depth: number;
  /** Open multi-line string delimiter. */
  multi: '"""' | "'''" | null;
  /** The array value being read: its key, the next element's index, whether one is due. */
  array?: { path: KeyPath; index: number; pending: boolean };
}

/** Follow strings, comments and brackets through one line of a value; report array elements. */
function scan(text: string, from: number, start: ScanState, element: (path: KeyPath) => void): ScanState {
  let { depth, multi } = start;
  const array = start.array && { ...start.array };
  let i = from;
  while (i < text.length) {
    if (multi) {
      const close = text.indexOf(multi, i);
      if (close === -1) return { depth, multi, array };
      i = close + 3;
      multi = null;
      continue;
    }
    const c = text[i]!;
    if (c === "#") break;
    // Directly inside the array: the first character after `[` or `,` starts an element.
    if (array && depth === 1) {
      if (c === ",") array.pending = true;
      else if (array.pending && c !== " " && c !== "\t" && c !== "]") {
        element([...array.path, array.index++]);
        array.pending = false;
      }
    }
    if (text.startsWith('"""', i) || text.startsWith("'''", i)) {
      multi = text.slice(i, i + 3) as '"""' | "'''";
      i += 3;
      continue;
    }
    if (c === '"' || c === "'") {
      i++;
      while (i < text.length && text[i] !== c) i += c === '"' && text[i] === "\\" ? 2 : 1;
      i++;
      continue;
    }
    if (c === "[" || c === "{") {
      depth++;
      if (array && depth === 1) array.pending = true;
    } else if ((c === "]" || c === "}") && depth > 0) depth--;
    i++;
  }
  return { depth, multi, array: depth > 0 ? array : undefined };
}

/** "bottles.dev.egress[0].credential" → ["bottles","dev","egress",0,"credential"]. */
export function parseKey(key: string): KeyPath {
  const out: KeyPath = [];
  for (const m of key.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) out.push(m[2] !== undefined ? Number(m[2]) : m[1]!);
  return out;
}
