// `bot-bottle completions SHELL` in-process (cli/index.ts imported as a library).
import { afterEach, expect, spyOn, test } from "bun:test";
import { runCommand } from "citty";
import { main } from "../../../src/cli/index.ts";
import { BottleError } from "../../../src/util/errors.ts";

let spy: ReturnType<typeof spyOn> | undefined;
afterEach(() => spy?.mockRestore());

async function output(shell: string): Promise<string> {
  let out = "";
  spy = spyOn(process.stdout, "write").mockImplementation(((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  }) as typeof process.stdout.write);
  await runCommand(main, { rawArgs: ["completions", shell] });
  spy.mockRestore();
  spy = undefined;
  return out;
}

test.each([
  ["bash", "complete -F _bot_bottle bot-bottle"],
  ["zsh", "#compdef bot-bottle"],
  ["fish", "complete -c bot-bottle -f"],
])("completions %s", async (shell, marker) => {
  const text = await output(shell);
  expect(text).toContain(marker);
  // The completions command completes its own argument.
  expect(text).toMatch(/bash zsh fish/);
});

test("an unknown shell is a usage error (exit 2)", async () => {
  const e = await runCommand(main, { rawArgs: ["completions", "tcsh"] }).catch((x) => x);
  expect(e).toBeInstanceOf(BottleError);
  expect((e as BottleError).exitCode).toBe(2);
  expect((e as BottleError).oneLine()).toContain("choose one of: bash, zsh, fish");
});
