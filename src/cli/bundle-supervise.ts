// `bot-bottle bundle supervise --config FILE`: run the supervise MCP server
// alone (the bundle's `serve` runs it with the other daemons). FILE is the bundle config.
import { defineCommand } from "citty";
import { readBundleSection } from "../bundle/config-file.ts";
import { runUntilSignal } from "../bundle/daemon-cli.ts";

export default defineCommand({
  meta: { name: "supervise", description: "Run the supervise MCP server (inside the bundle)" },
  args: {
    config: { type: "string", required: true, description: "Bundle config JSON", valueHint: "FILE" },
  },
  async run({ args }) {
    const cfg = readBundleSection(args.config, "supervise");
    const { startSupervise } = await import("../bundle/supervise/server.ts");
    await runUntilSignal(await startSupervise(cfg));
  },
});
