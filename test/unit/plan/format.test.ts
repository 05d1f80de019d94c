import { describe, expect, test } from "bun:test";
import { formatPlan } from "../../../src/plan/format.ts";
import { buildPlan } from "../../../src/plan/build.ts";
import { loadFromSource } from "../../../src/manifest/load.ts";
import { DEFAULTS } from "../../../src/config/config.ts";

async function planText(toml: string, hostEnv: Record<string, string> = {}) {
  const manifest = loadFromSource(toml, "/p/bot-bottle.toml", "/p", () => "prompt");
  const plan = await buildPlan({ manifest, bottle: "b", cwd: "/p", config: DEFAULTS, hostEnv, random: () => 0, randomBytes: (n) => new Uint8Array(n) });
  return formatPlan(plan);
}

describe("formatPlan", () => {
  test("a bare bottle says that all egress is blocked and shows its addresses", async () => {
    const text = await planText('[bottles.b]\nagent = "a"\n');
    expect(text.split("\n")[0]).toBe("bottle b → a-aaaaaa");
    expect(text).toContain("allow       (nothing: all egress blocked)");
    expect(text).toMatch(/network {5}10\.213\.\d+\.\d+\/29 \(bundle 10\.213\.\d+\.\d+, agent 10\.213\.\d+\.\d+\)/);
    expect(text).toContain("image       bot-bottle/claude from debian:bookworm-slim");
    expect(text).toContain("resources   cpus=- memory=4g bundle memory=768m");
    expect(text).not.toContain("route");
  });

  test("routes, resources, command, workdir copy and supervise are each on their own line", async () => {
    const text = await planText(
      '[bottles.b]\nagent = "a"\nprovider = "shell"\ncopy_cwd = true\nsupervise = true\ncpus = 2\ncommand = ["make", "test"]\n' +
        '[[bottles.b.egress]]\nhost = "api.openai.com"\nkind = "openai"\ncredential = "${K}"\nupstream = "http://10.0.0.5:8080"\n',
      { K: "sk-proj-abcdefghijklmnopqrstuvwx" },
    );
    expect(text).toContain("workdir     /home/node/work ← copy of /p");
    expect(text).toContain("route       api.openai.com → http://10.0.0.5:8080 inject authorization (agent holds placeholder in OPENAI_API_KEY)");
    expect(text).toContain("resources   cpus=2 memory=4g bundle memory=768m");
    expect(text).toContain("command     make test");
    expect(text).toContain("supervise   on (MCP at bundle:9100)");
    expect(text).toContain("allow       api.openai.com");
  });

  test("secrets are masked even when the caller forgot to redact the plan", async () => {
    const text = await planText('[bottles.b]\nagent = "a"\nenv = { TOKEN = "${T}", NAME = "${N}" }\n', { T: "tok-secret-123456", N: "Jane" });
    expect(text).not.toContain("tok-secret-123456");
    expect(text).toContain("env         TOKEN=‹secret› NAME=Jane");
  });
});
