import { describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { tarFiles } from "../../../src/util/tar.ts";
import { run } from "../../../src/util/run.ts";

describe("tarFiles", () => {
  test("the system tar reads it: paths, contents, modes, parents made", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bb-tar-"));
    try {
      const big = "x".repeat(1500) + "\n";
      const tar = tarFiles([
        { path: "etc/bot-bottle/provision.sh", content: "set -eu\necho hi\n", mode: 0o700 },
        { path: "big.txt", content: big, mode: 0o644 },
        { path: "empty", content: "", mode: 0o600 },
      ]);
      expect(tar.length % 512).toBe(0);
      const list = await run(["tar", "-tvf", "-"], { stdin: tar });
      expect(list.code).toBe(0);
      expect(list.stdout).toContain("-rwx------");
      const x = await run(["tar", "-xf", "-", "-C", dir], { stdin: tar });
      expect(x.code).toBe(0);
      expect(readFileSync(join(dir, "etc/bot-bottle/provision.sh"), "utf8")).toBe("set -eu\necho hi\n");
      expect(statSync(join(dir, "etc/bot-bottle/provision.sh")).mode & 0o777).toBe(0o700);
      expect(readFileSync(join(dir, "big.txt"), "utf8")).toBe(big);
      expect(readFileSync(join(dir, "empty"), "utf8")).toBe("");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("refuses absolute paths, .., and names that do not fit", () => {
    expect(() => tarFiles([{ path: "/etc/x", content: "", mode: 0o600 }])).toThrow(/relative/);
    expect(() => tarFiles([{ path: "a/../../x", content: "", mode: 0o600 }])).toThrow(/relative/);
    expect(() => tarFiles([{ path: "a".repeat(101), content: "", mode: 0o600 }])).toThrow(/does not fit/);
  });
});
