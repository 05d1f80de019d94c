import { describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { exportErrors, filesListArgv, gitExportArgv, META, parseExportMeta } from "../../../src/harvest/bottle-script.ts";
import { GIT_ENV } from "../../helpers/git.ts";

const S = "1".repeat(40);

describe("parseExportMeta", () => {
  test("reads head, wip, branches and the outcome; drops malformed lines and foreign text", () => {
    const err = [
      `${META} head ${S} refs/heads/main`,
      `${META} wip ${"2".repeat(40)} 3`,
      `${META} branch ${S}:refs/heads/main`,
      `${META} branch nothex:refs/heads/evil`,
      `${META} wip zzz 1`,
      "warning: something git said",
      `${META} bundle`,
    ].join("\n");
    expect(parseExportMeta(err)).toEqual({
      head: S,
      headRef: "refs/heads/main",
      wip: { sha: "2".repeat(40), files: 3 },
      wipError: null,
      branches: [{ sha: S, ref: "refs/heads/main" }],
      empty: false,
      bundle: true,
      nogit: false,
    });
    expect(exportErrors(err)).toBe("warning: something git said");
  });
  test("a failed snapshot carries git's reason", () => {
    expect(parseExportMeta(`${META} wipfail fatal: index file smaller than expected`).wipError).toBe("fatal: index file smaller than expected");
  });
  test("an unborn HEAD", () => {
    expect(parseExportMeta(`${META} head - -\n${META} empty`)).toMatchObject({ head: null, headRef: null, empty: true });
  });
});

describe("argv", () => {
  test("the export passes workdir, launch tree and bases as arguments, never in the script", () => {
    const a = gitExportArgv("/home/node/work", null, [S]);
    expect(a.slice(0, 2)).toEqual(["sh", "-c"]);
    expect(a.slice(3)).toEqual(["sh", "/home/node/work", "-", S]);
    expect(filesListArgv("/w").at(-1)).toBe("/w");
  });
});

// The script itself, run by the host's sh and git on a scratch repo: what the bottle runs.
describe("the export script (real git)", () => {
  const sh = (argv: string[], cwd?: string) => Bun.spawnSync(argv, { cwd, env: { ...process.env, ...GIT_ENV }, stdout: "pipe", stderr: "pipe" });
  test("snapshots staged, unstaged and untracked work without touching the index or the tree", () => {
    const dir = mkdtempSync(join(tmpdir(), "bb-export-"));
    try {
      sh(["git", "init", "-q", "-b", "main", dir]);
      writeFileSync(join(dir, "a"), "1\n");
      writeFileSync(join(dir, ".gitignore"), "ign\n");
      sh(["git", "add", "-A"], dir);
      sh(["git", "commit", "-qm", "c1"], dir);
      writeFileSync(join(dir, "a"), "2\n");
      writeFileSync(join(dir, "s"), "staged\n");
      sh(["git", "add", "s"], dir);
      writeFileSync(join(dir, "u"), "untracked\n");
      writeFileSync(join(dir, "ign"), "ignored\n");
      const index = readFileSync(join(dir, ".git/index"));
      const out = join(dir, "..", `${dir.split("/").at(-1)}.bundle`);
      const argv = gitExportArgv(dir, null, []);
      const p = Bun.spawnSync(argv, { stdout: Bun.file(out), stderr: "pipe" });
      expect(p.exitCode).toBe(0);
      const meta = parseExportMeta(p.stderr.toString());
      expect(meta.bundle).toBe(true);
      expect(meta.wip?.files).toBe(3);
      expect(readFileSync(join(dir, ".git/index"))).toEqual(index);
      expect(sh(["git", "status", "--porcelain"], dir).stdout.toString()).toBe(" M a\nA  s\n?? u\n");
      const tree = sh(["git", "ls-tree", "--name-only", meta.wip!.sha], dir).stdout.toString();
      expect(tree.split("\n").filter(Boolean)).toEqual([".gitignore", "a", "s", "u"]);
      // A second run with nothing changed reuses the same wip commit.
      const again = parseExportMeta(Bun.spawnSync(argv, { stdout: Bun.file(out), stderr: "pipe" }).stderr.toString());
      expect(again.wip?.sha).toBe(meta.wip!.sha);
      // Everything the host has already is left out: nothing new.
      const none = parseExportMeta(Bun.spawnSync(gitExportArgv(dir, null, [sh(["git", "rev-parse", "HEAD"], dir).stdout.toString().trim(), meta.wip!.sha]), { stdout: Bun.file(out), stderr: "pipe" }).stderr.toString());
      expect(none.empty).toBe(true);
      rmSync(out, { force: true });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
