import { describe, expect, test } from "bun:test";
import { agentCommand, providerSpec } from "../../../src/providers/index.ts";
import { AGENT_PROMPT_FILE } from "../../../src/plan/bottle-paths.ts";
import { BottleError } from "../../../src/util/errors.ts";
import { testPlan } from "../../helpers/plan.ts";

describe("agentCommand", () => {
  const cases: [string, string, Parameters<typeof agentCommand>[1], string[]][] = [
    ["claude task with prompt and model", "claude", { interactive: false, prompt: "fix it" },
      ["claude", "-p", "fix it", "--dangerously-skip-permissions", "--model", "opus", "--append-system-prompt-file", AGENT_PROMPT_FILE]],
    ["claude task, empty system prompt: no prompt file flag", "bare", { interactive: false, prompt: "t" },
      ["claude", "-p", "t", "--dangerously-skip-permissions"]],
    ["claude session without prompt", "bare", { interactive: true }, ["claude", "--dangerously-skip-permissions"]],
    ["claude session with prompt reads the file into --append-system-prompt", "claude", { interactive: true },
      ["sh", "-c", 'exec "$@" --append-system-prompt "$(cat "$0")"', AGENT_PROMPT_FILE, "claude", "--dangerously-skip-permissions", "--model", "opus"]],
    ["codex task", "codex", { interactive: false, prompt: "do" },
      ["codex", "exec", "--dangerously-bypass-approvals-and-sandbox", "--skip-git-repo-check", "--model", "opus", "--", "do"]],
    ["codex session", "codex", { interactive: true }, ["codex", "--dangerously-bypass-approvals-and-sandbox", "--model", "opus"]],
    ["shell task", "shell", { interactive: false, prompt: "echo hi" }, ["bash", "-lc", "echo hi"]],
    ["shell run without task uses the bottle command", "shell", { interactive: false }, ["bot-bottle-demo"]],
    ["shell session uses the bottle command", "shell", { interactive: true }, ["bot-bottle-demo"]],
    ["shell session without command is a login bash", "shellnocmd", { interactive: true }, ["bash", "-l"]],
    ["explicit command wins over everything", "claude", { interactive: false, prompt: "x", command: ["sh", "-c", "exit 3"] }, ["sh", "-c", "exit 3"]],
  ];
  for (const [name, bottle, opts, want] of cases) {
    test(name, async () => expect(agentCommand(await testPlan(bottle), opts)).toEqual(want));
  }

  test.each(["claude", "codex", "shellnocmd"])("%s run without a task is a usage error", async (bottle) => {
    const plan = await testPlan(bottle);
    try {
      agentCommand(plan, { interactive: false });
      throw new Error("expected a usage error");
    } catch (e) {
      expect((e as BottleError).code).toBe("USAGE");
      expect((e as BottleError).hint).toContain("-p");
    }
  });
});

describe("provider files and recipes", () => {
  test("codex gets its config and its system prompt as ~/.codex/AGENTS.md, mode 0600 (no route: no auth.json)", async () => {
    const files = providerSpec("codex").files(await testPlan("codex"));
    expect(files.map((f) => [f.path, f.mode])).toEqual([
      ["/home/node/.codex/config.toml", 0o600],
      ["/home/node/.codex/AGENTS.md", 0o600],
    ]);
    expect(files[1]!.content).toBe("Be careful.\n");
  });
  test("claude skills live in ~/.claude/skills", () => expect(providerSpec("claude").skillsDir).toBe("/home/node/.claude/skills"));
  test.each([
    ["claude", ["nodejs", "npm"], ["@anthropic-ai/claude-code"]],
    ["codex", ["nodejs", "npm", "procps"], ["@openai/codex"]],
    ["shell", [], []],
  ] as const)("%s recipe", (name, apt, npm) => {
    expect(providerSpec(name).recipe.apt).toEqual([...apt]);
    expect(providerSpec(name).recipe.npm).toEqual([...npm]);
  });
  test("the shell image carries bot-bottle-demo", () => {
    const script = providerSpec("shell").recipe.scripts!["bot-bottle-demo"]!;
    expect(script.startsWith("#!/bin/bash\n")).toBe(true);
    expect(script).toContain("--noproxy '*'");
    expect(script).toContain("github.com");
  });
});
