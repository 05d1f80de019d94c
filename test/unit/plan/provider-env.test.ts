import { expect, test } from "bun:test";
import { testPlan } from "../../helpers/plan.ts";

test("claude bottles get the env that stops Claude Code phoning home", async () => {
  const env = Object.fromEntries((await testPlan("claude")).env.map((e) => [e.name, e.value]));
  expect(env.CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC).toBe("1");
  expect(env.DISABLE_AUTOUPDATER).toBe("1");
});

test("other providers do not", async () => {
  const names = (await testPlan("shell")).env.map((e) => e.name);
  expect(names).not.toContain("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC");
});
