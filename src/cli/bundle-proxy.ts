// `bot-bottle bundle proxy --config FILE`: run the egress proxy alone until
// SIGTERM/SIGINT (the bundle's `serve` runs it with the other daemons). FILE
// is a ProxyConfig JSON, or a whole bundle config whose "proxy" section is used.
// Real credentials come from this process's environment, never from FILE.
import { readFileSync } from "node:fs";
import { defineCommand } from "citty";
import { consola } from "consola";
import type { ProxyConfig } from "../bundle/config.ts";
import { BottleError } from "../util/errors.ts";
import { runUntilSignal } from "../bundle/daemon-cli.ts";

export function parseProxyConfigJson(text: string, file: string): ProxyConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new BottleError("USAGE", `${file} is not JSON: ${(e as Error).message}`, { hint: "pass --config with the proxy (or bundle) config the host wrote" });
  }
  const obj = raw as Record<string, unknown> | null;
  const cfg = (obj && typeof obj.proxy === "object" ? obj.proxy : obj) as Partial<ProxyConfig> | null;
  const problems: string[] = [];
  if (!cfg || typeof cfg !== "object") problems.push("not an object");
  else {
    if (typeof cfg.listen !== "string") problems.push("listen (host:port) is missing");
    if (!Array.isArray(cfg.allow) || !cfg.allow.every((a) => typeof a === "string")) problems.push("allow must be a list of host patterns");
    if (typeof cfg.dlp !== "boolean") problems.push("dlp must be true or false");
    if (!Array.isArray(cfg.routes)) problems.push("routes must be a list");
    if (!Array.isArray(cfg.secretEnv)) problems.push("secretEnv must be a list of env var names");
    if (typeof cfg.caDir !== "string") problems.push("caDir is missing");
    if (typeof cfg.auditLog !== "string") problems.push("auditLog is missing");
    if (typeof cfg.blockPrivate !== "boolean") problems.push("blockPrivate must be true or false");
  }
  if (problems.length) {
    throw new BottleError("USAGE", `${file} is not a valid proxy config: ${problems.join("; ")}`, { hint: "recreate the bottle so the host writes a fresh config" });
  }
  return cfg as ProxyConfig;
}

export default defineCommand({
  meta: { name: "proxy", description: "Run the egress proxy daemon (inside the bundle)" },
  args: {
    config: { type: "string", required: true, description: "Proxy config JSON (or a bundle config with a proxy section)", valueHint: "FILE" },
  },
  async run({ args }) {
    let text: string;
    try {
      text = readFileSync(args.config, "utf8");
    } catch (e) {
      throw new BottleError("USAGE", `cannot read ${args.config}: ${(e as Error).message}`, { hint: "pass --config FILE" });
    }
    const cfg = parseProxyConfigJson(text, args.config);
    const { startProxy } = await import("../bundle/proxy/server.ts");
    const proxy = await startProxy(cfg, process.env);
    consola.info(`proxy listening on ${proxy.address.host}:${proxy.address.port}`);
    await runUntilSignal(proxy);
  },
});
