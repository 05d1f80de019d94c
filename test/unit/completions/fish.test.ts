import { describe, expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fishCompletion } from "../../../src/completions/fish.ts";
import { commandTree } from "../../../src/completions/tree.ts";
import { main } from "../../../src/cli/index.ts";
import { sampleRoot } from "./sample-tree.ts";
import { runShell } from "./shell-run.ts";
import { missingPrograms, skipWhen } from "../../helpers/skip.ts";

const text = fishCompletion(await commandTree(sampleRoot, "tool"));

describe("fish completion of the sample tree", () => {
  test.each([
    [`complete -c tool -n '__tool_at tool' -a plan -d 'Plan a bottle'`],
    [`complete -c tool -n '__tool_at tool plan' -l manifest -s m -r -F -d 'Manifest file'`],
    [`complete -c tool -n '__tool_at tool plan' -l backend -x -a 'docker smolmachines' -d 'Backend'`],
    [`complete -c tool -n '__tool_at tool' -l debug -d 'Debug [verbose]: it\\'s loud'`],
    [`complete -c tool -n '__tool_at tool completions' -a 'bash zsh' -d 'Shell'`],
    [`case 'tool plan|--manifest' 'tool plan|-m'`],
  ])("contains %s", (line) => {
    expect(text).toContain(line);
  });
});

describe.skipIf(skipWhen("fish completion checks", missingPrograms(["fish"])))("fish runs the scripts", () => {
  const dir = mkdtempSync(join(tmpdir(), "bb-compl-fish-"));
  const f = join(dir, "tool.fish");
  writeFileSync(f, text);

  /** Candidates fish offers for a command line (the cursor at its end). */
  function complete(line: string): string[] {
    const r = runShell(["fish", "--no-config", "-c", `source '${f}'; complete -C'${line}'`]);
    if (r.code !== 0) throw new Error(r.err);
    return r.out.split("\n").filter(Boolean).map((l) => l.split("\t")[0]!).sort();
  }

  test("fish -n", () => {
    expect(runShell(["fish", "-n", f]).code).toBe(0);
  });

  test.each([
    ["tool ", ["bundle", "completions", "init", "plan"]],
    ["tool pl", ["plan"]],
    ["tool plan --b", ["--backend"]],
    ["tool plan --backend ", ["docker", "smolmachines"]],
    ["tool --debug plan -m x.toml --j", ["--json"]],
    ["tool completions ", ["bash", "zsh"]],
    ["tool bundle ", ["serve"]],
    ["tool bundle serve --c", ["--config"]],
  ])("%j → %j", (line, want) => {
    expect(complete(line)).toEqual(want);
  });

  test("the real CLI: fish -n", async () => {
    const real = join(dir, "bot-bottle.fish");
    writeFileSync(real, fishCompletion(await commandTree(main, "bot-bottle")));
    expect(runShell(["fish", "-n", real]).code).toBe(0);
  });
});
