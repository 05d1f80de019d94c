// `diff` and `apply` for a non-git folder's export (tarball + manifest).
// `apply` writes nothing unless every host file is still what was copied in
// (or already the result), and takes only regular files whose hash matches.
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, renameSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { applyConflicts, safeRelPath, type FileChange, type FilesManifest } from "../harvest/files.ts";
import type { HarvestResult } from "../harvest/types.ts";
import { BottleError } from "../util/errors.ts";
import { inert } from "../util/inert.ts";
import { run, type Runner } from "../util/run.ts";

function sha256(file: string): string | null {
  try {
    if (!lstatSync(file).isFile()) return "not-a-file";
    return createHash("sha256").update(readFileSync(file)).digest("hex");
  } catch {
    return null;
  }
}

/** Unpack the export's files into a fresh folder; every listed file must be a regular file with its recorded hash. */
async function unpack(r: HarvestResult, m: FilesManifest, scratch: string, runner: Runner): Promise<string> {
  const dir = mkdtempSync(join(scratch, "unpack-"));
  const wanted = m.changes.filter((c) => c.kind !== "deleted");
  if (!wanted.length) return dir;
  const t = await runner(["tar", "-x", "-f", r.export!.tarball, "-C", dir, "--no-same-owner", "--no-same-permissions"]);
  if (t.code !== 0) throw new BottleError("HARVEST", `unpacking the export of ${r.identity} failed: ${inert(t.stderr.trim())}`, { hint: "harvest it again while the bottle exists" });
  for (const c of wanted) {
    if (!safeRelPath(c.path) || sha256(join(dir, c.path)) !== c.sha) {
      throw new BottleError("HARVEST", `the export of ${r.identity} does not match its manifest at ${inert(c.path)}`, { hint: `\`bot-bottle harvest ${r.identity}\` exports it again` });
    }
  }
  return dir;
}

export function readManifest(r: HarvestResult): FilesManifest {
  if (!r.export || !existsSync(r.export.manifest)) throw new BottleError("HARVEST", `the export of ${r.identity} is missing`, { hint: `\`bot-bottle harvest ${r.identity}\`` });
  return JSON.parse(readFileSync(r.export.manifest, "utf8")) as FilesManifest;
}

export async function filesDiff(r: HarvestResult, o: { stat?: boolean; scratch: string; runner?: Runner }): Promise<{ text: string; changes: FileChange[] }> {
  const runner = o.runner ?? run;
  const m = readManifest(r);
  const root = mkdtempSync(join(o.scratch, "diff-"));
  try {
    const b = await unpack(r, m, root, runner);
    const a = join(root, "a");
    mkdirSync(a);
    // The launch side: the host file while it still is what was copied in.
    const notes: string[] = [];
    for (const c of m.changes) {
      if (c.kind === "added") continue;
      const host = join(m.dir, c.path);
      if (sha256(host) === c.base) {
        mkdirSync(dirname(join(a, c.path)), { recursive: true });
        copyFileSync(host, join(a, c.path));
      } else notes.push(`${inert(c.path)}: the host file changed since launch; shown against nothing`);
    }
    // git diff --no-index of folders named a and b, with no prefixes, prints the usual a/PATH b/PATH.
    renameSync(b, join(root, "b"));
    const d = await runner(["git", "-C", root, "diff", "--no-index", "--no-color", "--src-prefix=", "--dst-prefix=", ...(o.stat ? ["--stat"] : []), "a", "b"]);
    if (d.code > 1) throw new BottleError("HARVEST", `diff failed: ${inert(d.stderr.trim())}`);
    const text = d.stdout + notes.map((n) => `# ${n}\n`).join("");
    return { text, changes: m.changes };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

export async function filesApply(r: HarvestResult, o: { scratch: string; runner?: Runner }): Promise<FileChange[]> {
  const runner = o.runner ?? run;
  const m = readManifest(r);
  const hostRoot = realpathSync(m.dir);
  const conflicts = applyConflicts(m.changes, (p) => sha256(join(m.dir, p)));
  if (conflicts.length) {
    throw new BottleError("HARVEST", `${conflicts.length} file(s) changed on the host since launch: ${conflicts.slice(0, 10).map((c) => inert(c.path)).join(", ")}; nothing was applied`, {
      hint: `\`bot-bottle diff ${r.identity}\` shows the bottle's side; copy what you want by hand`,
    });
  }
  const root = mkdtempSync(join(o.scratch, "apply-"));
  try {
    const src = await unpack(r, m, root, runner);
    // Every destination stays inside the folder (no symlinked parent leads out of it).
    for (const c of m.changes) {
      const parent = dirname(join(m.dir, c.path));
      let p = parent;
      while (!existsSync(p)) p = dirname(p);
      const real = realpathSync(p);
      if (real !== hostRoot && !real.startsWith(hostRoot + "/")) {
        throw new BottleError("HARVEST", `${inert(c.path)} would be written outside ${m.dir}; nothing was applied`, { hint: "a symlinked folder on the host: copy by hand" });
      }
    }
    for (const c of m.changes) {
      const dest = join(m.dir, c.path);
      if (c.kind === "deleted") rmSync(dest, { force: true });
      else if (sha256(dest) !== c.sha) {
        mkdirSync(dirname(dest), { recursive: true });
        copyFileSync(join(src, c.path), dest);
      }
    }
    return m.changes;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
