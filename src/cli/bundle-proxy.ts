// `bot-bottle bundle proxy --config FILE`: run the egress proxy alone until
// SIGTERM/SIGINT (the bundle's `serve` runs it with the other daemons). FILE
// is a ProxyConfig JSON, or a whole bundle config whose "proxy" section is used.
// Real credentials come from this process's environment, never from FILE.
import { defineCommand } from "citty";
import { consola } from "consola";
import { readProxyConfig } from "../bundle/config-file.ts";
import { runUntilSignal } from "../bundle/daemon-cli.ts";

export default defineCommand({
  meta: { name: "proxy", description: "Run the egress proxy daemon (inside the bundle)" },
  args: {
    config: { type: "string", required: true, description: "Proxy config JSON (or a bundle config with a proxy section)", valueHint: "FILE" },
  },
  async run({ args }) {
    const cfg = readProxyConfig(args.config);
    const { startProxy } = await import("../bundle/proxy/server.ts");
    const proxy = await startProxy(cfg, process.env);
    consola.info(`proxy listening on ${proxy.address.host}:${proxy.address.port}`);
    await runUntilSignal(proxy);
  },
});
