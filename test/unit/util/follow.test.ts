import { describe, expect, test } from "bun:test";
import { appendFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { followFile, readFrom } from "../../../src/util/follow.ts";
import { tempDirs } from "../../helpers/tmp.ts";

const tempDir = tempDirs("bb-follow-");
const file = () => join(tempDir(), "log");

describe("followFile", () => {
  test("delivers whole lines as they are appended, holds a partial line, drains once more on stop", async () => {
    const f = file();
    writeFileSync(f, "old\n");
    const got: string[] = [];
    let stop = false;
    const done = followFile(f, { from: 4, onLines: (t) => got.push(t), shouldStop: () => stop, intervalMs: 5 });
    appendFileSync(f, "one\ntw");
    await Bun.sleep(30);
    expect(got.join("")).toBe("one\n");
    appendFileSync(f, "o\nthree\n");
    stop = true;
    await done;
    expect(got.join("")).toBe("one\ntwo\nthree\n");
  });

  test("a file that does not exist yet is waited for; a truncated one starts over", async () => {
    const f = file();
    const got: string[] = [];
    let stop = false;
    const done = followFile(f, { from: 0, onLines: (t) => got.push(t), shouldStop: () => stop, intervalMs: 5 });
    await Bun.sleep(20);
    writeFileSync(f, "a long first line\n");
    await Bun.sleep(30);
    writeFileSync(f, "new\n");
    await Bun.sleep(30);
    stop = true;
    await done;
    expect(got.join("")).toBe("a long first line\nnew\n");
  });

  test("readFrom of a missing file is empty", () => {
    expect(readFrom(join(tmpdir(), "bb-no-such-file-xyz"), 0)).toEqual({ text: "", size: 0 });
  });
});
