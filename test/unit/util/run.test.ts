import { describe, expect, test } from "bun:test";
import { mergeEnv, run, runOk, type Runner } from "../../../src/util/run.ts";
import { rejected } from "../../helpers/thrown.ts";

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
