// Pure: non-git working folders. The launch copy is described by a manifest of
// paths and sha256s; a harvest compares the bottle's files against it, and
// `apply` checks the host's files still match the launch copy before writing.

export type FileHashes = Map<string, string>;

export interface FileChange {
  path: string;
  kind: "added" | "changed" | "deleted";
  /** sha256 at launch (null for added). */
  base: string | null;
  /** sha256 in the bottle (null for deleted). */
  sha: string | null;
}

/** Is a bottle-reported relative path safe to join under a host folder? */
export function safeRelPath(p: string): boolean {
  if (!p || p.length > 4096 || p.startsWith("/") || p.includes("\0")) return false;
  return p.split("/").every((s) => s !== "" && s !== "." && s !== "..");
}

/**
 * Parse `sha256sum` output (`HASH  ./path`, or `\HASH  ./escaped` for names
 * with a newline or backslash). Unsafe or malformed lines are dropped.
 */
export function parseSha256sum(out: string): FileHashes {
  const m: FileHashes = new Map();
  for (const raw of out.split("\n")) {
    if (!raw) continue;
    const escaped = raw.startsWith("\\");
    const line = escaped ? raw.slice(1) : raw;
    const hit = /^([0-9a-f]{64}) [ *](.*)$/.exec(line);
    if (!hit) continue;
    let path = hit[2]!;
    if (escaped) path = path.replace(/\\(\\|n|r)/g, (_, c: string) => (c === "n" ? "\n" : c === "r" ? "\r" : "\\"));
    if (path.startsWith("./")) path = path.slice(2);
    if (safeRelPath(path)) m.set(path, hit[1]!);
  }
  return m;
}

export function compareFiles(base: FileHashes, now: FileHashes): FileChange[] {
  const out: FileChange[] = [];
  for (const [path, sha] of now) {
    const b = base.get(path);
    if (b === undefined) out.push({ path, kind: "added", base: null, sha });
    else if (b !== sha) out.push({ path, kind: "changed", base: b, sha });
  }
  for (const [path, b] of base) if (!now.has(path)) out.push({ path, kind: "deleted", base: b, sha: null });
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * Changes `apply` cannot make without losing the operator's own edits: the
 * host file is no longer what was copied in (and is not already the result).
 * `host(path)` is the host file's sha256, or null when absent.
 */
export function applyConflicts(changes: FileChange[], host: (path: string) => string | null): FileChange[] {
  return changes.filter((c) => {
    const h = host(c.path);
    if (h === c.sha) return false; // already there
    return h !== c.base;
  });
}

export interface FilesManifest {
  version: 1;
  /** The host folder the bottle was copied from. */
  dir: string;
  changes: FileChange[];
}
