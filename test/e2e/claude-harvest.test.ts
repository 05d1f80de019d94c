// The product's main job end to end: real Claude Code in a docker bottle is
// asked to "fix the failing test and commit" (a scripted fake of the Messages
// API drives it through its Bash tool); after `run` exits, the commit is in
// the host repo as bot-bottle/<id>/main, and `bot-bottle apply` merges it.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startFakeAnthropic, type FakeAnthropic } from "../fakes/anthropic-api.ts";
import { fixAndCommitTurn } from "../fakes/anthropic/fix-and-commit.ts";
import { testBottle, type TestBottle } from "../helpers/bottle.ts";
import { describeRun } from "../helpers/cli.ts";
import { networkGateway, requireDocker } from "../helpers/docker.ts";
import { GIT_ENV } from "../helpers/git.ts";
import type { RunResult } from "../../src/util/run.ts";
import { claudeManifest, CODER_AGENT, fakeRealKey, REAL_KEY_VAR } from "../helpers/claude.ts";

const enabled = await requireDocker("e2e: real Claude Code fixes a test and its commit comes home");
const TASK = "fix the failing test and commit";

describe.skipIf(!enabled)("real Claude Code: fix the failing test and commit → harvest → apply", () => {
  const REAL = fakeRealKey();
  let fake: FakeAnthropic;
  let bottle: TestBottle;
  let runResult: RunResult;
  const git = (...args: string[]) => {
    const r = Bun.spawnSync(["git", ...args], { cwd: bottle.project, env: { ...process.env, ...GIT_ENV }, stdout: "pipe", stderr: "pipe" });
    if (r.exitCode !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr}`);
    return r.stdout.toString().trim();
  };

  beforeAll(async () => {
    fake = startFakeAnthropic({
      hostname: await networkGateway("bridge"),
      apiKey: REAL,
      script: (body) => fixAndCommitTurn(body, { test: "sh test.sh", fix: "printf 'echo $(($1 + $2))\\n' > add.sh", message: "Fix add: it subtracted" }),
    });
    bottle = testBottle({
      prefix: "e2eh",
      manifest: claudeManifest({ bottle: "e2e", upstream: fake.url }),
      agents: { coder: CODER_AGENT },
      files: {
        "add.sh": "echo $(($1 - $2))\n",
        "test.sh": '[ "$(sh add.sh 2 3)" = 5 ] && echo "test passed" || { echo "test failed: 2 + 3 gave $(sh add.sh 2 3)"; exit 1; }\n',
      },
      env: { [REAL_KEY_VAR]: REAL },
    });
    git("init", "-q", "-b", "main");
    git("add", "-A");
    git("commit", "-qm", "add, with a failing test");
    runResult = await bottle.cli(["run", "e2e", "--name", bottle.id, "--yes", "-p", TASK], 900_000);
    console.log(`e2e: the fake API got ${fake.messageRequests().length} message requests (exit ${runResult.code})`);
  }, 1_000_000);

  afterAll(async () => {
    await bottle?.cleanup();
    await fake?.close();
  }, 120_000);

  test("run exits 0 and says what it harvested", () => {
    expect(runResult.code, describeRun(runResult)).toBe(0);
    expect(runResult.stdout).toContain("Fixed the failing test and committed.");
    expect(runResult.stderr).toContain(`harvest: ${bottle.id}: harvested into`);
    expect(runResult.stderr).toContain(`bot-bottle/${bottle.id}/main (new, +1 commit)`);
  });

  test("the host repo holds Claude Code's commit on bot-bottle/<id>/main; the operator's branch is untouched", () => {
    expect(git("log", "--format=%s|%an", `bot-bottle/${bottle.id}/main`).split("\n")).toEqual([
      "Fix add: it subtracted|bot-bottle agent",
      "add, with a failing test|agent",
    ]);
    expect(git("show", `bot-bottle/${bottle.id}/main:add.sh`)).toBe("echo $(($1 + $2))");
    expect(git("log", "-1", "--format=%s", "main")).toBe("add, with a failing test");
  });

  test("diff shows the fix; apply merges it and the test passes on the host", async () => {
    const d = await bottle.cli(["diff", bottle.id]);
    expect(d.code, describeRun(d)).toBe(0);
    expect(d.stdout).toContain("-echo $(($1 - $2))\n+echo $(($1 + $2))");
    const a = await bottle.cli(["apply", bottle.id]);
    expect(a.code, describeRun(a)).toBe(0);
    expect(git("log", "-1", "--format=%s", "main")).toBe("Fix add: it subtracted");
    const t = Bun.spawnSync(["sh", "test.sh"], { cwd: bottle.project, stdout: "pipe" });
    expect(t.stdout.toString()).toBe("test passed\n");
  });
});
