// A plain shell bottle: `bash -lc TASK` for runs, the bottle's `command` or a
// login bash for sessions. Also what the built-in demo uses.
import type { ProviderSpec } from "./types.ts";
import { DEMO_SCRIPT } from "./demo-script.ts";

export const shell: ProviderSpec = {
  name: "shell",
  recipe: { apt: [], npm: [], scripts: { "bot-bottle-demo": DEMO_SCRIPT } },
  taskCommand: (_plan, task) => ["bash", "-lc", task],
  sessionCommand: (plan) => plan.command ?? ["bash", "-l"],
  defaultRunCommand: (plan) => plan.command,
  files: () => [],
};
