// Find the line of a key in TOML source, so validation errors can say where.
// Heuristic but predictable: walk table headers, then match `key =` inside.

/** 1-based line of `path` (e.g. ["bottles","demo","cpus"]) in `source`, or undefined. */
export function locateKey(source: string, path: (string | number)[]): number | undefined {
  const lines = source.split("\n");
  const keys = path.filter((p): p is string => typeof p === "string");
  // Try the longest table prefix that exists as a header, then the remaining key inside it.
  for (let split = keys.length; split >= 0; split--) {
    const table = keys.slice(0, split);
    const rest = keys.slice(split);
    const start = table.length === 0 ? 0 : findHeader(lines, table);
    if (start === undefined) continue;
    if (rest.length === 0) return start + 1;
    const dotted = rest.join(".");
    for (let i = table.length === 0 ? 0 : start + 1; i < lines.length; i++) {
      const line = lines[i]!.trim();
      if (i !== start && line.startsWith("[") && table.length > 0) break;
      if (keyMatches(line, dotted) || keyMatches(line, rest[0]!)) return i + 1;
    }
  }
  return undefined;
}

function findHeader(lines: string[], table: string[]): number | undefined {
  const want = table.join(".");
  for (let i = 0; i < lines.length; i++) {
    const m = /^\s*\[\[?\s*([^\]]+?)\s*\]\]?/.exec(lines[i]!);
    if (m && normalise(m[1]!) === want) return i;
  }
  // An inline table: `demo = { ... }` under the parent header.
  if (table.length >= 2) {
    const parent = findHeader(lines, table.slice(0, -1));
    if (parent !== undefined) {
      for (let i = parent + 1; i < lines.length && !lines[i]!.trim().startsWith("["); i++) {
        if (keyMatches(lines[i]!.trim(), table[table.length - 1]!)) return i;
      }
    }
  }
  return undefined;
}

function normalise(header: string): string {
  return header
    .split(".")
    .map((s) => s.trim().replace(/^["']|["']$/g, ""))
    .join(".");
}

function keyMatches(line: string, key: string): boolean {
  const m = /^["']?([A-Za-z0-9_.-]+)["']?\s*=/.exec(line);
  return !!m && m[1] === key;
}
