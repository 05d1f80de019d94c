import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { boundedText, mergeEnv, run, runOk, runPipe, runSync, startChild, STDERR_KEEP, type Runner } from "../../../src/util/run.ts";
import { tempDirs } from "../../helpers/tmp.ts";
import { rejected, thrown } from "../../helpers/thrown.ts";

const tmp = tempDirs("bb-run-");

describe("run", () => {
  test("captures stdout, stderr and the exit code; feeds stdin", async () => {
    const r = await run(["sh", "-c", 'cat; echo out; echo err >&2; exit 3'], { stdin: "in\n" });
    expect(r).toEqual({ argv: ["sh", "-c", 'cat; echo out; echo err >&2; exit 3'], code: 3, stdout: "in\nout\n", stderr: "err\n" });
  });

  test("env overlays the parent's; undefined removes a variable", async () => {
    process.env.BB_RUN_TEST_DROP = "present";
    const r = await run(["sh", "-c", 'echo "$BB_RUN_TEST_ADD:${BB_RUN_TEST_DROP:-gone}:${HOME:+home}"'], {
      env: { BB_RUN_TEST_ADD: "added", BB_RUN_TEST_DROP: undefined },
    });
    delete process.env.BB_RUN_TEST_DROP;
    expect(r.stdout).toBe("added:gone:home\n");
  });

  test("a missing program is a BottleError with an install hint", async () => {
    const e = await rejected(() => run(["bb-no-such-program-xyz"]));
    expect(e.code).toBe("INTERNAL");
    expect(e.hint).toContain("bb-no-such-program-xyz");
  });

  test("an empty argv is refused", async () => {
    expect((await rejected(() => run([]))).code).toBe("INTERNAL");
  });
});

describe("mergeEnv", () => {
  test("overlays, replaces and deletes", () => {
    const merged = mergeEnv({ BB_MERGE_NEW: "1", PATH: "/only", HOME: undefined });
    expect(merged.BB_MERGE_NEW).toBe("1");
    expect(merged.PATH).toBe("/only");
    expect("HOME" in merged).toBe(false);
  });
});

describe("runOk", () => {
  const fake = (code: number, stdout: string, stderr: string): Runner => async (argv) => ({ argv, code, stdout, stderr });

  test("returns the result on exit 0", async () => {
    const r = await runOk(fake(0, "ok", ""), ["docker", "ps"], "DOCKER");
    expect(r.stdout).toBe("ok");
  });

  test("non-zero exit: the given code, the command, the exit status and the tool's last stderr lines", async () => {
    const stderr = "line1\nline2\nline3\nError: no such network\n";
    const e = await rejected(() => runOk(fake(125, "", stderr), ["docker", "network", "rm", "x", "y"], "DOCKER", { hint: "is docker running?" }));
    expect(e.code).toBe("DOCKER");
    expect(e.message).toBe("docker network rm failed (exit 125): line2 | line3 | Error: no such network");
    expect(e.hint).toBe("is docker running?");
  });

  test("falls back to stdout when stderr is empty", async () => {
    const e = await rejected(() => runOk(fake(1, "only stdout\n", ""), ["smolvm", "machine"], "SMOLVM"));
    expect(e.message).toContain("only stdout");
  });
});

describe("the other spawn shapes", () => {
  test("stdoutFile: stdout goes to the file, stderr is still captured", async () => {
    const out = join(tmp(), "out.tar");
    const r = await run(["sh", "-c", "printf data; echo oops >&2; exit 4"], { stdoutFile: out });
    expect(r).toMatchObject({ code: 4, stdout: "", stderr: "oops\n" });
    expect(readFileSync(out, "utf8")).toBe("data");
  });

  test("runPipe: the first's stdout feeds the second; both codes and stderrs come back", async () => {
    const r = await runPipe(["sh", "-c", "printf 'a\nb\n'; echo e1 >&2"], ["sh", "-c", "wc -l >&2; exit 5"]);
    expect(r.codes).toEqual([0, 5]);
    expect(r.stderr[0]).toBe("e1\n");
    expect(r.stderr[1].trim()).toBe("2");
  });

  test("runPipe: a missing program is a BottleError with an install hint", async () => {
    const e = await rejected(() => runPipe(["true"], ["bb-no-such-program-xyz"]));
    expect(e.hint).toContain("bb-no-such-program-xyz");
  });

  test("runSync returns the same shape as run", () => {
    expect(runSync(["sh", "-c", "echo hi; echo no >&2; exit 2"], { cwd: "/" })).toEqual({
      argv: ["sh", "-c", "echo hi; echo no >&2; exit 2"],
      code: 2,
      stdout: "hi\n",
      stderr: "no\n",
    });
  });

  test("startChild: a long-lived child whose stderr is read or logged to a file, stopped by the caller", async () => {
    const piped = startChild(["sh", "-c", "echo ready >&2; exec sleep 30"], { stderr: "pipe" });
    const reader = (piped.stderr as ReadableStream<Uint8Array>).getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe("ready\n");
    piped.kill();
    expect(await piped.exited).not.toBe(0);

    const log = join(tmp(), "child.log");
    const logged = startChild(["sh", "-c", 'echo "$BB_CHILD" >&2'], { stderr: { file: log }, env: { PATH: process.env.PATH, BB_CHILD: "only-this" } });
    expect(await logged.exited).toBe(0);
    expect(readFileSync(log, "utf8")).toBe("only-this\n");
    expect(thrown(() => startChild(["bb-no-such-program-xyz"], { stderr: "ignore" })).hint).toContain("install");
  });
});

describe("boundedText", () => {
  const streamOf = (...parts: string[]) =>
    new ReadableStream<Uint8Array>({
      start(c) {
        for (const p of parts) c.enqueue(new TextEncoder().encode(p));
        c.close();
      },
    });
  test("a short stream comes back whole", async () => {
    expect(await boundedText(streamOf("a", "b\n", "c"), 100)).toBe("ab\nc");
  });
  test("exactly the limit is kept whole", async () => {
    expect(await boundedText(streamOf("x".repeat(60), "y".repeat(40)), 100)).toBe("x".repeat(50) + "x".repeat(10) + "y".repeat(40));
  });
  test("a flood keeps its first and last half and says how much was left out", async () => {
    const parts = ["HEAD-", ...Array.from({ length: 1000 }, () => "z".repeat(97)), "-TAIL"];
    const out = await boundedText(streamOf(...parts), 100);
    const total = parts.join("").length;
    expect(out.startsWith("HEAD-" + "z".repeat(45))).toBe(true);
    expect(out.endsWith("z".repeat(45) + "-TAIL")).toBe(true);
    expect(out).toContain(`[… ${total - 100} bytes left out …]`);
  });
  test("run() holds at most STDERR_KEEP of a child's stderr", async () => {
    const r = await run(["sh", "-c", "head -c 8000000 /dev/zero | tr '\\0' e >&2; echo last-line >&2; exit 5"]);
    expect(r.code).toBe(5);
    expect(r.stderr.length).toBeLessThan(STDERR_KEEP + 100);
    expect(r.stderr.endsWith("last-line\n")).toBe(true);
    expect(r.stderr).toContain("bytes left out");
  });
});
