import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { BuildJournal, CLEANUP_TRIES, leftoverOfLine, parseJournal, staleJournals } from "../../../src/images/leftovers.ts";
import { Docker } from "../../../src/backends/shared/docker.ts";
import type { Runner } from "../../../src/util/run.ts";
import { tempDirs } from "../../helpers/tmp.ts";

const tmpDir = tempDirs("bb-journal-");

const IMG = "3f2a1b0c9d8e";
const CTR = "9bc17aa0ffee";

describe("leftoverOfLine", () => {
  const cases: [string, ReturnType<typeof leftoverOfLine>][] = [
    [` ---> ${IMG}`, { kind: "image", id: IMG }],
    [` ---> Running in ${CTR}`, { kind: "container", id: CTR }],
    ["Step 3/9 : RUN apt-get update", undefined],
    [" ---> Using cache", undefined],
    ["Removing intermediate container 9bc17aa0ffee", undefined],
    [` ---> ${IMG}; rm -rf /`, undefined],
  ];
  for (const [line, want] of cases) test(JSON.stringify(line), () => expect(leftoverOfLine(line)).toEqual(want));
});

describe("parseJournal", () => {
  test("newest first, de-duplicated, junk ignored", () => {
    expect(parseJournal(`image aaaaaaaaaaaa\ncontainer ${CTR}\nimage ${IMG}\nimage aaaaaaaaaaaa\nimage ../../x\n`)).toEqual({
      images: ["aaaaaaaaaaaa", IMG],
      containers: [CTR],
    });
  });
});

/** Answers `image inspect` (tags: `tagged` ids have one) and records every removal. */
function fakeDocker(calls: string[][], stderr = "", tagged: string[] = []): Docker {
  const runner: Runner = async (argv) => {
    if (argv[1] === "image" && argv[2] === "inspect") {
      const ids = argv.slice(5);
      const stdout = ids.map((id) => `sha256:${id}${"0".repeat(52)}\t${tagged.includes(id) ? '["base:1"]' : "[]"}\n`).join("");
      return { argv, code: 0, stdout, stderr: "" };
    }
    calls.push(argv);
    return { argv, code: stderr ? 1 : 0, stdout: "", stderr };
  };
  return new Docker(runner);
}

describe("BuildJournal", () => {
  test("records a build's own step images and containers, never a cache hit's image", () => {
    const env = { XDG_CACHE_HOME: tmpDir() };
    const j = new BuildJournal("bot-bottle/shell:1", env, 4242);
    for (const l of [" ---> Using cache", " ---> aaaaaaaaaaaa", ` ---> Running in ${CTR}`, ` ---> ${IMG}`]) j.see(l);
    expect(readFileSync(j.file, "utf8")).toBe(`container ${CTR}\nimage ${IMG}\n`);
    j.done();
    expect(existsSync(j.file)).toBe(false);
  });

  test("a failed build removes what it left and its journal; if the engine refuses, the journal stays for gc", async () => {
    const env = { XDG_CACHE_HOME: tmpDir() };
    const j = new BuildJournal("t:1", env, 4243);
    j.see(` ---> ${IMG}`);
    const down: string[][] = [];
    let waits = 0;
    await j.cleanUp(fakeDocker(down, "Cannot connect to the Docker daemon"), async () => waits++);
    expect(waits).toBe(CLEANUP_TRIES - 1);
    expect(existsSync(j.file)).toBe(true);
    expect(staleJournals(env, () => false).map((s) => s.leftovers.images)).toEqual([[IMG]]);
    expect(staleJournals(env, () => true)).toEqual([]);
    const calls: string[][] = [];
    await j.cleanUp(fakeDocker(calls));
    expect(calls).toEqual([["docker", "image", "rm", IMG]]);
    expect(existsSync(j.file)).toBe(false);
  });

  test("the base image (FROM step) is never journaled, and a tagged image is never removed", async () => {
    const env = { XDG_CACHE_HOME: tmpDir() };
    const j = new BuildJournal("t:3", env, 4245);
    for (const l of ["Step 1/9 : FROM debian:bookworm-slim", " ---> aaaaaaaaaaaa", "Step 2/9 : RUN x", ` ---> Running in ${CTR}`, ` ---> ${IMG}`, " ---> bbbbbbbbbbbb"]) j.see(l);
    expect(readFileSync(j.file, "utf8")).not.toContain("aaaaaaaaaaaa");
    const calls: string[][] = [];
    await j.cleanUp(fakeDocker(calls, "", ["bbbbbbbbbbbb"]));
    expect(calls).toEqual([["docker", "rm", "--force", "--volumes", CTR], ["docker", "image", "rm", IMG]]);
  });

  test("an image something still uses is not an error (and not forced)", async () => {
    const env = { XDG_CACHE_HOME: tmpDir() };
    const j = new BuildJournal("t:2", env, 4244);
    j.see(` ---> ${IMG}`);
    await j.cleanUp(fakeDocker([], `Error response from daemon: conflict: unable to delete ${IMG} (cannot be forced) - image has dependent child images`));
    expect(existsSync(j.file)).toBe(false);
  });

  test("an interrupted build's container that docker is still removing: cleaned up once docker is done", async () => {
    const env = { XDG_CACHE_HOME: tmpDir() };
    const j = new BuildJournal("t:4", env, 4246);
    for (const l of [` ---> Running in ${CTR}`, ` ---> ${IMG}`]) j.see(l);
    let n = 0;
    const calls: string[][] = [];
    const runner: Runner = async (argv) => {
      if (argv[1] === "image" && argv[2] === "inspect") return { argv, code: 0, stdout: `sha256:${IMG}${"0".repeat(52)}\t[]\n`, stderr: "" };
      calls.push(argv);
      // The first round: docker's own --force-rm is still at work.
      if (argv[1] === "rm" && n++ === 0) return { argv, code: 1, stdout: "", stderr: `Error response from daemon: removal of container ${CTR} is already in progress` };
      return { argv, code: 0, stdout: "", stderr: "" };
    };
    const waits: number[] = [];
    await j.cleanUp(new Docker(runner), async (ms) => waits.push(ms));
    expect(waits).toEqual([200]);
    expect(calls.filter((c) => c[1] === "rm").length).toBe(2);
    expect(existsSync(j.file)).toBe(false);
  });
});
