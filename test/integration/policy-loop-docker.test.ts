// Policy in the loop on a real docker bottle: a shell agent with
// on_deny = "ask" requests hosts outside its allowlist; the test plays the
// operator through the CLI (supervise, allow, deny, policy, audit).
// The "blocked hosts" are small servers on the host's docker0 address, one
// per port (each port is its own allowlist entry, GW:PORT); an egress route
// with an upstream on that address lets the bundle's SSRF guard reach it.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { readFileSync, writeFileSync } from "node:fs";
import { testBottle, type TestBottle } from "../helpers/bottle.ts";
import { SHELL_AGENT } from "../helpers/manifest.ts";
import { describeRun } from "../helpers/cli.ts";
import { docker, dockerExec, networkGateway, requireDocker } from "../helpers/docker.ts";
import type { RunResult } from "../../src/util/run.ts";

const enabled = await requireDocker("policy loop in a docker bottle");

interface Item {
  id: string;
  kind: string;
  status: string;
  identity: string;
  egress?: { host: string; port: number; method: string; path: string; entry: string; count: number; firstSeen: string };
}

describe.skipIf(!enabled)("policy in the loop (docker)", () => {
  let gw = "";
  const servers: ReturnType<typeof Bun.serve>[] = [];
  let bottle: TestBottle;
  let running: Promise<RunResult>;
  const port = (i: number) => servers[i]!.port!;

  const curl = (url: string, maxSeconds = 60) =>
    dockerExec(bottle.containers.agent, ["curl", "-sS", "-m", String(maxSeconds), "-w", "\n%{http_code}", url], { user: "node", timeoutMs: (maxSeconds + 30) * 1000 });
  const pending = async (): Promise<Item[]> => {
    const r = await bottle.cli(["supervise", "--json"], 60_000);
    expect(r.code, describeRun(r)).toBe(0);
    return JSON.parse(r.stdout) as Item[];
  };
  const waitQuestion = async (p: number, count = 1): Promise<Item> => {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const it = (await pending()).find((i) => i.kind === "egress" && i.egress?.port === p && i.egress.count >= count);
      if (it) return it;
      if (Date.now() > deadline) throw new Error(`no question about port ${p}`);
      await Bun.sleep(200);
    }
  };

  beforeAll(async () => {
    gw = await networkGateway("bridge");
    for (let i = 0; i < 5; i++) {
      servers.push(Bun.serve({ hostname: gw, port: 0, fetch: (req) => new Response(`hello ${i} ${new URL(req.url).pathname}\n`) }));
    }
    bottle = testBottle({
      prefix: "pol",
      manifest: [
        "version = 1",
        "[bottles.box]",
        'agent = "sh"',
        "supervise = true",
        'on_deny = "ask"',
        "ask_timeout = 6",
        "# nothing else is allowed",
        "[[bottles.box.egress]]",
        'host = "upstream.invalid"',
        `upstream = "http://${gw}:${servers[0]!.port}"`,
        "",
      ].join("\n"),
      agents: { sh: SHELL_AGENT },
    });
    running = bottle.cli(["run", "box", "--name", bottle.id, "--yes", "--", "sleep", "1200"], 1_500_000);
    // Up when the agent answers and the CLI says running (bundle ready).
    const deadline = Date.now() + 900_000;
    for (;;) {
      const ls = await bottle.cli(["ls", "--json"], 60_000);
      const row = (JSON.parse(ls.stdout || "[]") as { identity: string; status: string }[]).find((r) => r.identity === bottle.id);
      if (row?.status === "running") break;
      if (Date.now() > deadline) throw new Error(`bottle did not start: ${describeRun(await Promise.race([running, Bun.sleep(1).then(() => ls)]))}`);
      await Bun.sleep(1000);
    }
  }, 1_000_000);

  afterAll(async () => {
    // The --unattended run removes itself; if it failed midway, remove what it left.
    await bottle?.cli(["rm", "--force", `${bottle.id}-u`], 120_000).catch(() => undefined);
    await bottle?.cleanup();
    await running?.catch(() => undefined);
    for (const s of servers) s.stop(true);
  }, 180_000);

  test("ask → allow for this bottle: the held requests (one shared question) complete; the next goes through unasked", async () => {
    const first = curl(`http://${gw}:${port(0)}/first`);
    const q = await waitQuestion(port(0));
    const second = curl(`http://${gw}:${port(0)}/again`);
    const shared = await waitQuestion(port(0), 2);
    expect(shared.id).toBe(q.id);
    expect(q.egress).toMatchObject({ host: gw, port: port(0), method: "GET", path: "/first", entry: `${gw}:${port(0)}` });
    expect((await pending()).filter((i) => i.kind === "egress")).toHaveLength(1);

    const ans = await bottle.cli(["supervise", "allow", q.id], 60_000);
    expect(ans.code, describeRun(ans)).toBe(0);
    const [a, b] = await Promise.all([first, second]);
    expect(a.stdout).toBe(`hello 0 /first\n\n200`);
    expect(b.stdout).toBe(`hello 0 /again\n\n200`);

    const third = await curl(`http://${gw}:${port(0)}/third`, 10);
    expect(third.stdout).toBe(`hello 0 /third\n\n200`);
    expect((await pending()).filter((i) => i.kind === "egress")).toHaveLength(0);

    const pol = JSON.parse((await bottle.cli(["policy", bottle.id, "--json"], 60_000)).stdout);
    expect(pol.live.allow).toContain(`${gw}:${port(0)}`);
    expect(pol.effective.allow).toContain(`${gw}:${port(0)}`);
  }, 300_000);

  test("the agent cannot reach its policy, its answers or the audit key", async () => {
    const probe = await dockerExec(
      bottle.containers.agent,
      ["sh", "-c", "ls /var/lib/bot-bottle 2>&1; find / -xdev \\( -name policy.json -o -name audit-key.jwk -o -name audit-chain.jsonl \\) 2>/dev/null; echo done"],
      { user: "node" },
    );
    expect(probe.stdout).toContain("No such file");
    expect(probe.stdout).not.toContain("policy.json");
    expect(probe.stdout).not.toContain("audit-key");
    expect(probe.stdout.trim().endsWith("done")).toBe(true);
  });

  test("allow and save: the diff first, then the manifest keeps its comment and gains the host; the request completes", async () => {
    const held = curl(`http://${gw}:${port(4)}/saved`);
    const q = await waitQuestion(port(4));
    const ans = await bottle.cli(["supervise", "allow-save", q.id], 60_000);
    expect(ans.code, describeRun(ans)).toBe(0);
    expect(ans.stdout).toContain(`+allow = ["${gw}:${port(4)}"]`);
    expect((await held).stdout).toBe(`hello 4 /saved\n\n200`);
    const toml = readFileSync(join(bottle.project, "bot-bottle.toml"), "utf8");
    expect(toml).toContain("# nothing else is allowed");
    expect(toml).toContain(`allow = ["${gw}:${port(4)}"]`);
    expect((await bottle.cli(["validate"], 60_000)).code).toBe(0);
  }, 300_000);

  test("deny: 403 with the reason and the operator's note", async () => {
    const held = curl(`http://${gw}:${port(1)}/nope`);
    const q = await waitQuestion(port(1));
    const ans = await bottle.cli(["supervise", "deny", q.id, "--note", "not today"], 60_000);
    expect(ans.code, describeRun(ans)).toBe(0);
    const r = await held;
    expect(r.stdout).toContain("the operator denied access");
    expect(r.stdout).toContain("not today");
    expect(r.stdout.trim().endsWith("403")).toBe(true);
  }, 300_000);

  test("no operator: the timeout denies", async () => {
    const r = await curl(`http://${gw}:${port(2)}/late`);
    expect(r.stdout).toContain("no answer from the operator within 6 seconds");
    expect(r.stdout.trim().endsWith("403")).toBe(true);
  }, 300_000);

  test("allow / deny on the running bottle take effect within a second", async () => {
    const deny = await bottle.cli(["deny", bottle.id, `${gw}:${port(0)}`, "--json"], 60_000);
    expect(deny.code, describeRun(deny)).toBe(0);
    const d = JSON.parse(deny.stdout);
    expect(d.applied).toBe(true);
    expect(d.appliedMs).toBeLessThan(1000);
    const refused = await curl(`http://${gw}:${port(0)}/after-deny`, 10);
    expect(refused.stdout).toContain("denied by the operator");
    expect(refused.stdout.trim().endsWith("403")).toBe(true);

    const allow = await bottle.cli(["allow", bottle.id, `${gw}:${port(3)}`, "--json"], 60_000);
    expect(allow.code, describeRun(allow)).toBe(0);
    expect(JSON.parse(allow.stdout).appliedMs).toBeLessThan(1000);
    const ok = await curl(`http://${gw}:${port(3)}/live`, 10);
    expect(ok.stdout).toBe(`hello 3 /live\n\n200`);

    const shown = await bottle.cli(["policy", bottle.id], 60_000);
    expect(shown.stdout).toContain(`${gw}:${port(3)}  (live)`);
    expect(shown.stdout).toContain("deny (never asked about):");
  }, 300_000);

  test("run --unattended deny: nobody is asked, the request is denied at once and says why", async () => {
    const url = `http://${gw}:${port(1)}/unattended`;
    const r = await bottle.cli(["run", "box", "--name", `${bottle.id}-u`, "--yes", "--unattended", "deny", "--", "curl", "-sS", "-m", "60", "-w", "\n%{http_code}", url], 600_000);
    expect(r.code, describeRun(r)).toBe(0);
    expect(r.stdout).toContain("nobody is watching this run (unattended)");
    expect(r.stdout.trim().endsWith("403")).toBe(true);
    const bad = await bottle.cli(["run", "box", "--unattended", "maybe", "--", "true"], 60_000);
    expect(bad.code, describeRun(bad)).toBe(125); // run's own usage errors are 125 (its other codes are the agent's)
  }, 700_000);

  test("audit --verify passes, then names the line after an edit, a truncation, a reorder", async () => {
    const listed = await bottle.cli(["audit", bottle.id, "--json"], 60_000);
    const kinds = new Set((JSON.parse(listed.stdout) as { kind: string }[]).map((r) => r.kind));
    for (const k of ["egress", "ask", "policy", "lifecycle"]) expect(kinds.has(k)).toBe(true);
    // Quiesce the writers: stop the bundle (it signs a last checkpoint).
    await docker(["stop", "-t", "20", bottle.containers.bundle], { timeoutMs: 60_000 });
    const ok = await bottle.cli(["audit", bottle.id, "--verify"], 60_000);
    expect(ok.code, describeRun(ok)).toBe(0);

    const file = join(bottle.home.env.XDG_STATE_HOME!, "bot-bottle", "bottles", bottle.id, "bundle", "audit-chain.jsonl");
    const original = readFileSync(file, "utf8");
    const lines = original.split("\n").filter(Boolean);
    const check = async (mutated: string[], line: number, word: string) => {
      writeFileSync(file, mutated.map((l) => l + "\n").join(""));
      const r = await bottle.cli(["audit", bottle.id, "--verify"], 60_000);
      expect(r.code, describeRun(r)).toBe(1);
      expect(r.stdout.split("\n")[0]).toContain(`line ${line}:`);
      expect(r.stdout).toContain(word);
    };
    const edited = [...lines];
    edited[2] = edited[2]!.replace(/"time":"[^"]+"/, '"time":"2000-01-01T00:00:00.000Z"');
    await check(edited, 3, "modified");
    await check(lines.slice(0, -3), lines.length - 2, "truncated");
    const reordered = [...lines];
    [reordered[3], reordered[4]] = [reordered[4]!, reordered[3]!];
    await check(reordered, 4, "expected");
    writeFileSync(file, original);
    expect((await bottle.cli(["audit", bottle.id, "--verify"], 60_000)).code).toBe(0);
  }, 300_000);
});
