// `bot-bottle completions bash|zsh|fish`: a completion script generated from
// the live command tree, so new commands and flags complete without edits here.
import { defineCommand, type PositionalArgDef } from "citty";
import { BottleError } from "../util/errors.ts";
import { SHELLS, completionScript, isShell } from "../completions/shells.ts";
import { commandTree } from "../completions/tree.ts";

// citty ignores `options` on positionals; the completion generator reads it.
const shellArg: PositionalArgDef & { options: string[] } = {
  type: "positional",
  required: true,
  description: `Shell: ${SHELLS.join(" | ")}`,
  options: [...SHELLS],
};

export default defineCommand({
  meta: { name: "completions", description: "Print a shell completion script (bash, zsh, fish)" },
  args: { shell: shellArg },
  async run({ args }) {
    const shell = String(args.shell);
    if (!isShell(shell)) {
      throw new BottleError("USAGE", `no completions for shell "${shell}"`, { hint: `choose one of: ${SHELLS.join(", ")}` });
    }
    // Lazy: index.ts lists this command, so a static import would be a cycle.
    const { main } = await import("./index.ts");
    const tree = await commandTree(main, "bot-bottle");
    process.stdout.write(completionScript(shell, tree));
  },
});
