import { defineCommand } from "citty";
import { consola } from "consola";
import { jsonArg, loadManifestArg, manifestArg, printJson } from "./common.ts";

export default defineCommand({
  meta: { name: "validate", description: "Load and check a manifest, its agents and skills" },
  args: { ...manifestArg, ...jsonArg },
  run({ args }) {
    const m = loadManifestArg(args);
    const summary = {
      ok: true,
      manifest: m.file,
      bottles: Object.fromEntries(
        Object.entries(m.bottles).map(([n, b]) => [n, { agent: b.agent, provider: b.provider ?? m.agents[b.agent]?.meta.provider ?? "claude" }]),
      ),
      agents: Object.keys(m.agents),
    };
    if (args.json) return printJson(summary);
    consola.success(`${m.file}: ${Object.keys(m.bottles).length} bottle(s), ${summary.agents.length} agent(s) — valid`);
    for (const [n, b] of Object.entries(summary.bottles)) consola.log(`  ${n}  agent=${b.agent} provider=${b.provider}`);
  },
});
