// The layer rule of src/, shared by `bun scripts/layers.ts` (prints the graph)
// and test/unit/architecture.test.ts (fails CI on any break).
//
// Layers, lowest first; a file may import its own folder and any lower layer,
// never a higher one, and folders of one layer may not import each other in a
// cycle:
//   util, version.ts
//   < manifest, env, plan, completions        (pure)
//   < state, config
//   < bundle, images, providers, supervise    (supervise: host-side inbox/dashboard view)
//   < backends
//   < lifecycle, doctor
//   < cli
//   < main.ts
// Inside backends/, one driver never imports another: what both need lives
// in backends/shared/.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";

export const LAYERS: readonly (readonly string[])[] = [
  ["util", "version.ts"],
  ["manifest", "env", "plan", "harvest", "completions"],
  ["state", "config"],
  ["bundle", "images", "providers", "supervise"],
  ["backends"],
  ["lifecycle", "doctor"],
  ["cli"],
  ["main.ts"],
];

export interface Import {
  from: string; // file, relative to src/
  to: string; // file, relative to src/
  line: number;
  specifier: string;
}

/** Top-level folder (or root file) of a path relative to src/. */
export function unitOf(file: string): string {
  return file.split("/")[0]!;
}

export function rankOf(unit: string): number | undefined {
  const i = LAYERS.findIndex((l) => l.includes(unit));
  return i < 0 ? undefined : i;
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (/\.(ts|tsx|js|mjs)$/.test(name)) out.push(p);
  }
  return out;
}

/** Every import of src/: static, type-only, `export … from`, side-effect and dynamic `import()`. */
export function scanImports(srcDir: string): { files: string[]; imports: Import[] } {
  const files = walk(srcDir);
  const imports: Import[] = [];
  for (const abs of files) {
    const text = readFileSync(abs, "utf8");
    const info = ts.preProcessFile(text, true, true);
    for (const ref of info.importedFiles) {
      if (!ref.fileName.startsWith(".")) continue; // packages and node: builtins
      const target = resolve(dirname(abs), ref.fileName);
      const rel = relative(srcDir, target);
      if (rel.startsWith("..")) continue; // package.json and the like, outside src/
      const line = text.slice(0, ref.pos).split("\n").length;
      imports.push({ from: relative(srcDir, abs), to: rel, line, specifier: ref.fileName });
    }
  }
  return { files: files.map((f) => relative(srcDir, f)), imports };
}

/** Folder-level edges (top-level units), each with the imports that make it. */
export function unitGraph(imports: Import[]): Map<string, Map<string, Import[]>> {
  const g = new Map<string, Map<string, Import[]>>();
  for (const imp of imports) {
    const a = unitOf(imp.from);
    const b = unitOf(imp.to);
    if (a === b) continue;
    const row = g.get(a) ?? new Map<string, Import[]>();
    g.set(a, row);
    row.set(b, [...(row.get(b) ?? []), imp]);
  }
  return g;
}

/** Strongly connected components with more than one node: each is a folder-level cycle. */
export function cycles(g: Map<string, Map<string, unknown>>): string[][] {
  const nodes = new Set<string>();
  for (const [a, row] of g) {
    nodes.add(a);
    for (const b of row.keys()) nodes.add(b);
  }
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of g.get(v)?.keys() ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1) out.push(comp.sort());
    }
  };
  for (const v of [...nodes].sort()) if (!idx.has(v)) visit(v);
  return out;
}

/** Pairs of folders that import each other directly (the "a↔b" of the issue). */
export function mutualPairs(g: Map<string, Map<string, unknown>>): [string, string][] {
  const out: [string, string][] = [];
  for (const [a, row] of g) for (const b of row.keys()) if (a < b && g.get(b)?.has(a)) out.push([a, b]);
  return out.sort();
}

export interface Violation {
  imp: Import;
  why: string;
}

const BACKEND_DRIVER = /^backends\/([^/]+)\//;

/** Every import against the order: upward, into an unplaced folder, or driver to driver. */
export function violations(imports: Import[]): Violation[] {
  const out: Violation[] = [];
  for (const imp of imports) {
    const a = unitOf(imp.from);
    const b = unitOf(imp.to);
    if (a !== b) {
      const ra = rankOf(a);
      const rb = rankOf(b);
      if (ra === undefined) out.push({ imp, why: `${a} has no layer` });
      else if (rb === undefined) out.push({ imp, why: `${b} has no layer` });
      else if (rb > ra) out.push({ imp, why: `${a} (layer ${ra}) imports ${b} (layer ${rb})` });
    }
    const da = BACKEND_DRIVER.exec(imp.from)?.[1];
    const db = BACKEND_DRIVER.exec(imp.to)?.[1];
    if (da && db && da !== db && db !== "shared") {
      out.push({ imp, why: `driver ${da} imports driver ${db}; move the shared piece to backends/shared/` });
    }
  }
  return out;
}

export function describe(v: Violation): string {
  return `src/${v.imp.from}:${v.imp.line} imports "${v.imp.specifier}" — ${v.why}`;
}
