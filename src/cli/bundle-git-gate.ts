// `bot-bottle bundle git-gate --config FILE`: run the git gate alone (the
// bundle's `serve` runs it with the other daemons). FILE is the bundle config.
import { defineCommand } from "citty";
import { readBundleSection } from "../bundle/config-file.ts";
import { runUntilSignal } from "../bundle/daemon-cli.ts";

export default defineCommand({
  meta: { name: "git-gate", description: "Run the git gate daemon (inside the bundle)" },
  args: {
    config: { type: "string", required: true, description: "Bundle config JSON", valueHint: "FILE" },
  },
  async run({ args }) {
    const cfg = readBundleSection(args.config, "gitGate");
    const { startGitGate } = await import("../bundle/git-gate/server.ts");
    await runUntilSignal(await startGitGate(cfg, process.env));
  },
});
