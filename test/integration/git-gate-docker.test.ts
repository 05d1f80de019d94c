// The git gate in a real docker bottle: the agent's own git client clones,
// commits and pushes through the gate in the bundle, which forwards to a
// token-protected HTTP remote on the host with a credential only the bundle
// holds. Through the CLI, as an operator runs it.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startHttpRemote } from "./git-gate-http-remote.ts";
import { dockerAnswers, networkGateway } from "../helpers/docker.ts";
import { cliEnv } from "../helpers/tmp.ts";
import { sh } from "../helpers/git.ts";
import { cli as runCli } from "../helpers/cli.ts";
import { writeShellBox } from "../helpers/manifest.ts";

const TOKEN = "ghp_" + "DockerGateTokenNeverInTheBottle0123456";


const dockerOk = dockerAnswers("the git gate docker test");
const skipReason = dockerOk ? "" : "no docker engine";

const TMP = mkdtempSync(join(tmpdir(), "bb-gate-docker-"));
const CWD = join(TMP, "project");
const SERVED = join(TMP, "served");
const ENV = cliEnv(TMP, { GATE_TEST_TOKEN: TOKEN });
const NAME = `it-gate-${Math.random().toString(36).slice(2, 8)}`;
const seen: { url: string; auth: string | null }[] = [];
let remote: ReturnType<typeof startHttpRemote> | undefined;

const cli = (args: string[], timeoutMs = 600_000) => runCli(args, { cwd: CWD, env: ENV, timeoutMs });

const git = (...args: string[]) => sh(["git", "-c", "user.name=seed", "-c", "user.email=seed@test", ...args]);

beforeAll(async () => {
  if (skipReason) return;
  const bare = join(SERVED, "project.git");
  const seed = join(TMP, "seed");
  git("init", "-q", "--bare", "-b", "main", bare);
  git("init", "-q", "-b", "main", seed);
  writeFileSync(join(seed, "README"), "from the real remote\n");
  git("-C", seed, "add", "README");
  git("-C", seed, "commit", "-qm", "seed");
  git("-C", seed, "push", "-q", bare, "main");
  // On all interfaces: the bundle reaches the host through docker's bridge gateway.
  remote = startHttpRemote({ projectRoot: SERVED, token: TOKEN, seen, hostname: "0.0.0.0" });
  const gw = await networkGateway("bridge");
  writeShellBox(
    CWD,
    `
[[bottles.box.git]]
name = "origin"
url = "http://${gw}:${remote.port}/project.git"
token = "\${GATE_TEST_TOKEN}"
`,
  );
});

afterAll(async () => {
  remote?.stop(true);
  if (!skipReason) await cli(["rm", "--force", NAME], 120_000).catch(() => undefined);
  rmSync(TMP, { recursive: true, force: true });
});

describe.skipIf(!!skipReason)("git gate in a docker bottle", () => {
  test("the agent clones, commits and pushes through the gate; main and force-push are refused; the token never enters the bottle", async () => {
    const script = [
      "set -u",
      "cd ~/work",
      "cat README",
      "git config user.name agent && git config user.email agent@bottle",
      "echo change > change.txt && git add change.txt && git commit -qm 'agent change'",
      `git push origin HEAD:bot-bottle/${NAME}/feature 2>&1 && echo PUSH-OK`,
      "git push origin HEAD:main 2>&1 || echo MAIN-REFUSED",
      // Rewrite the pushed commit and force it over the allowed branch: refused (allow_force is off).
      "git commit -q --amend -m 'rewritten'",
      `git push --force origin HEAD:bot-bottle/${NAME}/feature 2>&1 || echo FORCE-REFUSED`,
      "git reset -q --hard HEAD@{1}",
      "git rev-parse HEAD",
      `if grep -r -q "$(printf %s ${TOKEN.slice(0, 12)})" ~ /etc/bot-bottle 2>/dev/null || env | grep -q ${TOKEN.slice(0, 12)}; then echo TOKEN-SEEN; else echo TOKEN-ABSENT; fi`,
    ].join("\n");
    const r = await cli(["run", "box", "--name", NAME, "--", "bash", "-c", script]);
    const out = r.stdout + r.stderr;
    expect(out).toContain("from the real remote");
    expect(out).toContain("PUSH-OK");
    expect(out).toContain("MAIN-REFUSED");
    expect(out).toContain("FORCE-REFUSED");
    expect(out).toContain("refs/heads/main is outside the allowed refs");
    expect(out).toContain("TOKEN-ABSENT");
    const head = /^([0-9a-f]{40})$/m.exec(r.stdout)?.[1];
    expect(head).toBeDefined();
    expect(git("--git-dir", join(SERVED, "project.git"), "rev-parse", `refs/heads/bot-bottle/${NAME}/feature`).out.trim()).toBe(head!);
    // The remote saw the bundle's credential as a header, never in a URL.
    expect(seen.some((s) => s.auth?.startsWith("Basic "))).toBe(true);
    expect(seen.every((s) => !s.url.includes(TOKEN))).toBe(true);
    expect(r.code).toBe(0);

    const log = await cli(["logs", NAME, "--git", "--json"], 60_000);
    const entries = JSON.parse(log.stdout) as { result: string; updates: { ref: string }[] }[];
    expect(entries.map((e) => [e.result, e.updates[0]!.ref])).toEqual([
      ["accepted", `refs/heads/bot-bottle/${NAME}/feature`],
      ["refused", "refs/heads/main"],
      ["refused", `refs/heads/bot-bottle/${NAME}/feature`],
    ]);
  }, 900_000);
});
