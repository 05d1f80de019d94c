// The shells we generate completions for, and the generator of each.
import { bashCompletion } from "./bash.ts";
import { fishCompletion } from "./fish.ts";
import { zshCompletion } from "./zsh.ts";
import type { CommandNode } from "./tree.ts";

export const SHELLS = ["bash", "zsh", "fish"] as const;
export type Shell = (typeof SHELLS)[number];

const GENERATORS: Record<Shell, (tree: CommandNode) => string> = {
  bash: bashCompletion,
  zsh: zshCompletion,
  fish: fishCompletion,
};

export function isShell(s: string): s is Shell {
  return (SHELLS as readonly string[]).includes(s);
}

export function completionScript(shell: Shell, tree: CommandNode): string {
  return GENERATORS[shell](tree);
}
