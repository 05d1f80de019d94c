// Prints src/'s folder graph with its cycles and back-edges (imports against
// the layer order in scripts/lib/layers.ts). `bun scripts/layers.ts [src-dir]`.
import { resolve } from "node:path";
import { cycles, describe, mutualPairs, rankOf, scanImports, unitGraph, violations } from "./lib/layers.ts";

const srcDir = resolve(process.argv[2] ?? resolve(import.meta.dir, "..", "src"));
const { files, imports } = scanImports(srcDir);
const g = unitGraph(imports);
const bad = violations(imports);

console.log(`${files.length} files, ${imports.length} imports inside src/`);
console.log("\nfolder graph (layer: folder -> folders it imports):");
for (const a of [...g.keys()].sort((x, y) => (rankOf(x) ?? 99) - (rankOf(y) ?? 99) || x.localeCompare(y))) {
  const row = g.get(a)!;
  const targets = [...row.keys()].sort().map((b) => `${b}(${row.get(b)!.length})`);
  console.log(`  ${rankOf(a) ?? "?"}: ${a} -> ${targets.join(" ")}`);
}
const cyc = cycles(g);
const pairs = mutualPairs(g);
const backEdges = new Set(bad.map((v) => `${v.imp.from.split("/")[0]}->${v.imp.to.split("/")[0]}`));
console.log(`\nfolder cycles (strongly connected sets): ${cyc.length}${cyc.map((c) => `\n  ${c.join(" ")}`).join("")}`);
console.log(`mutual folder pairs (a<->b): ${pairs.length}${pairs.length ? "  " + pairs.map(([a, b]) => `${a}<->${b}`).join(" ") : ""}`);
console.log(`back-edges (folder pairs against the order): ${backEdges.size}`);
console.log(`imports against the order: ${bad.length}`);
for (const v of bad) console.log(`  ${describe(v)}`);
