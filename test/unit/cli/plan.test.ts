// `bot-bottle plan` end to end: resolution errors keep the one-line contract,
// and the printed plan (text or JSON) never contains a secret value.
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { tempDirs } from "../../helpers/tmp.ts";

const tempDir = tempDirs("bb-cli-plan-");
const MAIN = join(import.meta.dir, "../../../src/main.ts");
const FIXTURES = join(import.meta.dir, "../../fixtures/manifests");
const REAL_KEY = "sk-ant-api03-THEREALKEYTHEREALKEYTHEREALKEY-AA";
// The fixture copies $HOME into a secret env entry: a recognisable value to look for.
const HOME_SECRET = join(tempDir(), "home-SECRETHOMEVALUE");

async function plan(args: string[], extraEnv: Record<string, string | undefined> = {}) {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, ...extraEnv })) if (v !== undefined && !["NODE_ENV", "CI", "TEST"].includes(k)) env[k] = v;
  // An empty config dir: the operator's own config.toml must not change the result.
  env.XDG_CONFIG_HOME = tempDir();
  env.HOME = HOME_SECRET;
  const p = Bun.spawn([process.execPath, MAIN, "plan", ...args], { cwd: FIXTURES, env, stdin: "ignore", stdout: "pipe", stderr: "pipe", timeout: 30_000 });
  const [stdout, stderr, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  return { code, stdout, stderr: stderr.replace(/\x1b\[[0-9;]*m/g, "") };
}

describe("plan", () => {
  test("an unset credential variable: exit 2, one line with file:line, key and the --env hint", async () => {
    const r = await plan(["dev", "-m", "valid.toml"], { ANTHROPIC_API_KEY: undefined });
    expect(r.code).toBe(2);
    const lines = r.stderr.split("\n").filter((l) => l.trim());
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`${join(FIXTURES, "valid.toml")}:16: bottles.dev.egress[0].credential:`);
    expect(lines[0]).toContain("ANTHROPIC_API_KEY");
    expect(lines[0]).toContain("--env ANTHROPIC_API_KEY=VALUE");
  });

  test.each([[[] as string[]], [["--json"]]])("the printed plan %j has the placeholder but no secret", async (extra) => {
    const r = await plan(["dev", "-m", "valid.toml", "--name", "dev-test01", ...extra], { ANTHROPIC_API_KEY: REAL_KEY });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("dev-test01");
    expect(r.stdout).toContain("api.anthropic.com");
    expect(r.stdout).not.toContain(REAL_KEY);
    // TOKEN = { value = "${HOME}", secret = true } in the fixture.
    expect(r.stdout).not.toContain(HOME_SECRET);
    if (extra.length) {
      const p = JSON.parse(r.stdout);
      expect(p.env.find((v: { name: string }) => v.name === "ANTHROPIC_API_KEY").value).toStartWith("sk-ant-api03-");
    }
  });

  test("repeated --env / -e all count: a credential, an env entry; --backend wins", async () => {
    const r = await plan(
      ["dev", "-m", "valid.toml", "--json", "--backend", "smolmachines", "--env", `ANTHROPIC_API_KEY=${REAL_KEY}`, "-e", "GREETING=yo", "--env=TOKEN=abc"],
      { ANTHROPIC_API_KEY: undefined },
    );
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const p = JSON.parse(r.stdout);
    expect(p.backend).toBe("smolmachines");
    const env = Object.fromEntries(p.env.map((v: { name: string; value: string }) => [v.name, v.value]));
    expect(env.GREETING).toBe("yo");
    expect(env.TOKEN).toBe("‹secret›");
    expect(r.stdout).not.toContain(REAL_KEY);
  });

  test("--env for a name the bottle does not have: exit 2, one line listing the names it takes", async () => {
    const r = await plan(["dev", "-m", "valid.toml", "--env", "GRETING=typo"], { ANTHROPIC_API_KEY: REAL_KEY });
    expect(r.code).toBe(2);
    const lines = r.stderr.split("\n").filter((l) => l.trim());
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("GRETING");
    expect(lines[0]).toContain("GREETING, TOKEN, ANTHROPIC_API_KEY");
  });
});
