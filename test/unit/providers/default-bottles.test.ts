// The built-in default manifest's gemini and opencode bottles: each plans
// with its route, a placeholder shaped like the real key, and the real key
// only in the bundle's env.
import { describe, expect, test } from "bun:test";
import { buildPlanFor, HOST_KEYS } from "./plan-for.ts";

describe("default manifest: gemini and opencode bottles", () => {
  test("gemini: route to the Gemini API, x-goog-api-key, AIza placeholder in GEMINI_API_KEY", async () => {
    const plan = await buildPlanFor("gemini");
    expect(plan.provider).toBe("gemini");
    const route = plan.egress.find((r) => r.host === "generativelanguage.googleapis.com")!;
    expect(route.credential).toMatchObject({ kind: "gemini-api-key", header: "x-goog-api-key", prefix: "", env: "GEMINI_API_KEY" });
    const placeholder = route.credential!.placeholder;
    expect(placeholder).toMatch(/^AIza[0-9A-Za-z_-]{35}$/);
    expect(placeholder).not.toBe(HOST_KEYS.GEMINI_API_KEY);
    const agentEnv = Object.fromEntries(plan.env.map((e) => [e.name, e.value]));
    expect(agentEnv.GEMINI_API_KEY).toBe(placeholder);
    expect(JSON.stringify(plan.env)).not.toContain(HOST_KEYS.GEMINI_API_KEY);
    expect(plan.bundleEnv.map((e) => e.value)).toContain(HOST_KEYS.GEMINI_API_KEY);
    expect(plan.allow).toContain("generativelanguage.googleapis.com");
  });

  test("opencode: the Anthropic route and an sk-ant-api03- placeholder in ANTHROPIC_API_KEY", async () => {
    const plan = await buildPlanFor("opencode");
    expect(plan.provider).toBe("opencode");
    const route = plan.egress.find((r) => r.host === "api.anthropic.com")!;
    expect(route.credential).toMatchObject({ kind: "anthropic-api-key", header: "x-api-key", env: "ANTHROPIC_API_KEY" });
    expect(route.credential!.placeholder).toMatch(/^sk-ant-api03-/);
    expect(JSON.stringify(plan.env)).not.toContain(HOST_KEYS.ANTHROPIC_API_KEY);
  });
});
