import { describe, expect, test } from "bun:test";
import { mkdtempSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bashCompletion } from "../../../src/completions/bash.ts";
import { commandTree } from "../../../src/completions/tree.ts";
import { main } from "../../../src/cli/index.ts";
import { sampleRoot } from "./sample-tree.ts";
import { runShell } from "./shell-run.ts";

const dir = mkdtempSync(join(tmpdir(), "bb-compl-bash-"));
const script = join(dir, "tool.bash");
writeFileSync(script, bashCompletion(await commandTree(sampleRoot, "tool")));
mkdirSync(join(dir, "files", "sub"), { recursive: true });
writeFileSync(join(dir, "files", "a.toml"), "");

/** COMPREPLY for the words of a command line; the last word is the one being completed. */
function complete(words: string[]): string[] {
  const quoted = words.map((w) => `'${w}'`).join(" ");
  const r = runShell(["bash", "-c", `source '${script}'; COMP_WORDS=(${quoted}); COMP_CWORD=${words.length - 1}; _tool; printf '%s\\n' "\${COMPREPLY[@]}"`]);
  if (r.code !== 0) throw new Error(r.err);
  return r.out.split("\n").filter(Boolean);
}

describe("bash completion of the sample tree", () => {
  test("passes bash -n", () => {
    expect(runShell(["bash", "-n", script]).code).toBe(0);
  });

  const files = join(dir, "files");
  test.each([
    [["tool", ""], ["plan", "init", "completions", "bundle"]],
    [["tool", "pl"], ["plan"]],
    [["tool", "-"], ["--debug", "--help", "-h", "--version", "-v"]],
    [["tool", "plan", "--b"], ["--backend"]],
    [["tool", "plan", "--backend", ""], ["docker", "smolmachines"]],
    [["tool", "plan", "--backend", "=", "s"], ["smolmachines"]],
    [["tool", "plan", "--backend", "="], ["docker", "smolmachines"]],
    [["tool", "--debug", "plan", "-m", "x.toml", "--j"], ["--json"]],
    [["tool", "plan", "-m", `${files}/a`], [`${files}/a.toml`]],
    [["tool", "plan", "--env", ""], []],
    [["tool", "init", `${files}/s`], [`${files}/sub`]],
    [["tool", "completions", ""], ["bash", "zsh"]],
    [["tool", "completions", "bash", ""], []],
    [["tool", "bundle", ""], ["serve"]],
    [["tool", "bundle", "serve", "--"], ["--config", "--debug", "--help"]],
    [["tool", "secret", ""], []],
  ])("%j → %j", (words, want) => {
    expect(complete(words)).toEqual(want);
  });
});

test("bottle names are asked of the program itself when completing (dynamic)", () => {
  const bin = join(dir, "bin");
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, "tool"), '#!/bin/sh\n[ "$1 $2" = "__complete bottles" ] && printf "dev\\ndemo\\nreview\\n"\n', { mode: 0o755 });
  const r = runShell(["bash", "-c", `PATH='${bin}':$PATH; source '${script}'; COMP_WORDS=(tool plan de); COMP_CWORD=2; _tool; printf '%s\\n' "\${COMPREPLY[@]}"`]);
  expect(r.out.split("\n").filter(Boolean)).toEqual(["dev", "demo"]);
});

test("the real CLI's bash completion passes bash -n and completes subcommands", async () => {
  const real = join(dir, "bot-bottle.bash");
  writeFileSync(real, bashCompletion(await commandTree(main, "bot-bottle")));
  expect(runShell(["bash", "-n", real]).code).toBe(0);
  const r = runShell(["bash", "-c", `source '${real}'; COMP_WORDS=(bot-bottle completions ''); COMP_CWORD=2; _bot_bottle; echo "\${COMPREPLY[*]}"`]);
  expect(r.out.trim()).toBe("bash zsh fish");
});
