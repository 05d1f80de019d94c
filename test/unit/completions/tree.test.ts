import { describe, expect, test } from "bun:test";
import { defineCommand } from "citty";
import { argsToSpecs, commandTree, flagWords, walk } from "../../../src/completions/tree.ts";
import { main } from "../../../src/cli/index.ts";
import { sampleRoot } from "./sample-tree.ts";

describe("commandTree", async () => {
  const tree = await commandTree(sampleRoot, "tool");
  const at = (...path: string[]) => walk(tree).find((n) => n.path.join(" ") === path.join(" "))!.node;

  test("resolves lazy and nested subcommands, leaves hidden ones out", () => {
    expect(walk(tree).map((n) => n.path.join(" "))).toEqual(["", "plan", "init", "completions", "bundle", "bundle serve"]);
  });

  test("root has its own flags plus --help and --version", () => {
    expect(at().flags.flatMap(flagWords)).toEqual(["--debug", "--help", "-h", "--version", "-v"]);
  });

  test("subcommands inherit the root's flags but not --version", () => {
    expect(at("bundle", "serve").flags.flatMap(flagWords)).toEqual(["--config", "--debug", "--help", "-h"]);
  });

  test("flag kinds: file hint, enum values, repeatable strings, booleans", () => {
    const byName = Object.fromEntries(at("plan").flags.map((f) => [f.long[0], f]));
    expect(byName.manifest).toMatchObject({ short: ["m"], takesValue: true, complete: "file", repeatable: true, hint: "FILE" });
    expect(byName.backend).toMatchObject({ takesValue: true, values: ["docker", "smolmachines"], repeatable: false });
    expect(byName.env).toMatchObject({ short: ["e"], complete: "none", hint: "K=V" });
    expect(byName.json).toMatchObject({ takesValue: false, repeatable: false });
  });

  test("positionals: values from options, dir from the hint, bottle names and ids asked of the CLI", () => {
    expect(at("completions").positionals).toEqual([{ name: "shell", description: "Shell", values: ["bash", "zsh"], complete: "none" }]);
    expect(at("init").positionals[0]).toMatchObject({ name: "dir", complete: "dir" });
    expect(at("plan").positionals[0]).toMatchObject({ name: "bottle", complete: "bottle" });
  });

  test("descriptions are one line", async () => {
    const t = await commandTree(defineCommand({ meta: { description: "two\n  lines" } }), "x");
    expect(t.description).toBe("two lines");
  });
});

test("a command's own flag wins over an inherited one with the same spelling", async () => {
  const root = defineCommand({
    args: { debug: { type: "boolean" } },
    subCommands: { serve: defineCommand({ args: { host: { type: "string", alias: "h" } } }) },
  });
  const tree = await commandTree(root, "x");
  expect(tree.subcommands[0]!.flags.flatMap(flagWords)).toEqual(["--host", "-h", "--debug"]);
});

describe("argsToSpecs rejects words that are not safe inside shell code", () => {
  test.each([["bad name"], ["$(rm)"], ["a'b"], ["-lead"]])("%j", (name) => {
    expect(() => argsToSpecs({ [name]: { type: "boolean" } })).toThrow(/not a plain word/);
  });
  test("enum values too", () => {
    expect(() => argsToSpecs({ x: { type: "enum", options: ["ok", "no way"] } })).toThrow(/not a plain word/);
  });
});

test("the real CLI tree has every command of cli/index.ts with --help", async () => {
  const tree = await commandTree(main, "bot-bottle");
  expect(tree.subcommands.map((s) => s.name)).toContain("completions");
  for (const { node } of walk(tree)) expect(node.flags.flatMap(flagWords)).toContain("--help");
});
