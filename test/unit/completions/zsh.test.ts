import { describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { zshCompletion } from "../../../src/completions/zsh.ts";
import { commandTree } from "../../../src/completions/tree.ts";
import { main } from "../../../src/cli/index.ts";
import { sampleRoot } from "./sample-tree.ts";
import { runShell } from "./shell-run.ts";
import { missingPrograms, skipWhen } from "../../helpers/skip.ts";

const text = zshCompletion(await commandTree(sampleRoot, "tool"));

describe("zsh completion of the sample tree", () => {
  test.each([
    // aliases exclude each other; long flags take `--x=v` or `--x v`
    [`'*-m[Manifest file]:FILE:_files'`],
    [`'*--manifest=[Manifest file]:FILE:_files'`],
    [`'--backend=[Backend]:backend:(docker smolmachines)'`],
    [`'(--help -h)-h[Show help]'`],
    [`'1:shell:(bash zsh)'`],
    [`'1:dir:_files -/'`],
    // brackets and quotes in descriptions cannot break out of the spec
    [`'--debug[Debug (verbose)\\: it'\\''s loud]'`],
    [`'plan:Plan a bottle'`],
    [`(serve) _tool_bundle_serve && ret=0 ;;`],
    [`compdef _tool tool`],
  ])("contains %s", (line) => {
    expect(text).toContain(line);
  });

  test("no function for the hidden command", () => {
    expect(text).not.toContain("_tool_secret");
  });
});

describe.skipIf(skipWhen("zsh -n checks", missingPrograms(["zsh"])))("zsh accepts the scripts", () => {
  const dir = mkdtempSync(join(tmpdir(), "bb-compl-zsh-"));

  test("sample: zsh -n, and sourcing defines a function per command", () => {
    const f = join(dir, "_tool");
    writeFileSync(f, text);
    expect(runShell(["zsh", "-n", f]).code).toBe(0);
    const r = runShell(["zsh", "-f", "-c", `autoload -Uz compinit && compinit -u -d '${dir}/zcd' && source '${f}' && print -l \${(ok)functions[(I)_tool(|_*)]}`]);
    expect(r.err).toBe("");
    expect(r.out.split("\n").filter(Boolean)).toEqual(["_tool", "_tool_bundle", "_tool_bundle_serve", "_tool_completions", "_tool_init", "_tool_plan"]);
  });

  // Drive an interactive zsh through zpty, with compadd wrapped to record the candidates.
  function complete(line: string): string[] {
    const fdir = join(dir, "fpath");
    const hits = join(dir, "hits");
    mkdirSync(fdir, { recursive: true });
    writeFileSync(join(fdir, "_tool"), text);
    writeFileSync(hits, "");
    const harness = `zmodload zsh/zpty
zpty z zsh -f -i
zpty -w z "PROMPT=''; fpath=('${fdir}' \\$fpath); autoload -Uz compinit; compinit -u -D"
zpty -w z 'compadd () { if [[ \${@[1,(i)(-|--)]} == *-(O|A|D)\\ * ]]; then builtin compadd "$@"; return $?; fi; typeset -a h; builtin compadd -A h "$@"; (( $#h )) && print -r -- "HITS $h" >> ${hits} }'
zpty -w z "bindkey '^I' complete-word"
zpty -w z "$1"$'\\t'
for i in {1..50}; do [[ -s ${hits} ]] && break; sleep 0.1; done
sleep 0.5
zpty -d z
`;
    writeFileSync(join(dir, "harness.zsh"), harness);
    const r = runShell(["zsh", "-f", join(dir, "harness.zsh"), line]);
    if (r.code !== 0) throw new Error(r.err);
    return readFileSync(hits, "utf8")
      .split("\n")
      .filter((l) => l.startsWith("HITS "))
      .flatMap((l) => l.slice(5).split(" "))
      .sort();
  }

  test.each([
    ["tool pl", ["plan"]],
    ["tool plan --b", ["--backend"]],
    ["tool plan --backend ", ["docker", "smolmachines"]],
    ["tool --debug plan -m x.toml --js", ["--json"]],
    ["tool completions ", ["bash", "zsh"]],
    ["tool bundle ", ["serve"]],
  ])("completes %j → %j", (line, want) => {
    expect(complete(line)).toEqual(want);
  }, 20_000);

  test("the real CLI: zsh -n", async () => {
    const f = join(dir, "_bot-bottle");
    writeFileSync(f, zshCompletion(await commandTree(main, "bot-bottle")));
    const r = runShell(["zsh", "-n", f]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
  });
});
