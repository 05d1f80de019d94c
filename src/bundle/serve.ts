// `bot-bottle bundle serve`: the bundle container's entrypoint. Reads the
// config the host wrote, makes sure the bottle CA exists in the shared folder,
// starts the daemons, then writes ready.json next to the config so the host
// knows the bundle answers. The git gate and supervise are loaded only when
// configured: a bottle without them never pays for them.
import { renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { BUNDLE_FILES } from "../state/bottle-files.ts";
import type { BundleConfig, Daemon } from "./config.ts";
import { openChain, releaseChain, type ChainWriter } from "./audit-chain/writer.ts";
import { PolicyWatcher } from "./policy/watcher.ts";
import type { ProxyDaemon } from "./proxy/server.ts";

/** Written next to config.json once every daemon listens. */
export const READY_FILE = BUNDLE_FILES.ready;

export interface RunningBundle {
  daemons: Record<string, Daemon>;
  close(): Promise<void>;
}

export async function startBundle(cfg: BundleConfig, env: Record<string, string | undefined> = process.env): Promise<RunningBundle> {
  const daemons: Record<string, Daemon> = {};
  // One chain writer for the whole process: the proxy, git gate and supervise share it.
  const chain = openChain(cfg.proxy.auditLog);
  let watcher: PolicyWatcher | undefined;
  const close = async () => {
    watcher?.stop();
    for (const d of Object.values(daemons).reverse()) await d.close().catch(() => {});
    chain.append("lifecycle", "bundle", { event: "bundle-stopped" });
    await releaseChain(chain);
  };
  try {
    const { ensureCa } = await import("./proxy/ca.ts");
    await ensureCa(cfg.proxy.caDir);
    const { startProxy } = await import("./proxy/server.ts");
    const proxy = await startProxy(cfg.proxy, env);
    daemons.proxy = proxy;
    if (cfg.gitGate) {
      const { startGitGate } = await import("./git-gate/server.ts");
      daemons.gitGate = await startGitGate(cfg.gitGate, env);
    }
    if (cfg.supervise) {
      const { startSupervise } = await import("./supervise/server.ts");
      daemons.supervise = await startSupervise(cfg.supervise);
    }
    if (cfg.policyFile) watcher = watchPolicy(cfg, proxy, chain).start();
    chain.append("lifecycle", "bundle", { event: "bundle-started", daemons: Object.keys(daemons) });
  } catch (e) {
    await close();
    throw e;
  }
  return { daemons, close };
}

/** Apply the operator's live policy file to the proxy and the git gate as it changes. */
export function watchPolicy(cfg: BundleConfig, proxy: ProxyDaemon, chain: ChainWriter): PolicyWatcher {
  const repos = cfg.gitGate?.repos ?? [];
  return new PolicyWatcher({
    file: cfg.policyFile!,
    base: { allow: [...cfg.proxy.allow], push: Object.fromEntries(repos.map((r) => [r.name, [...r.push]])) },
    apply(eff, live) {
      proxy.setPolicy(eff);
      // The gate reads repo.push at every push: one assignment per repo.
      for (const r of repos) r.push = eff.push[r.name] ?? r.push;
      chain.append("policy", "bundle", { event: "applied", rev: eff.rev, by: live.by, allow: eff.allow, deny: eff.deny, push: eff.push });
    },
    onError: (message) => chain.append("policy", "bundle", { event: "rejected", message }),
  });
}

/** Atomically publish the bound addresses: the host polls for this file. */
export function writeReady(configFile: string, bundle: RunningBundle): string {
  const file = join(dirname(configFile), READY_FILE);
  const addrs = Object.fromEntries(Object.entries(bundle.daemons).map(([k, d]) => [k, d.address]));
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify({ pid: process.pid, at: new Date().toISOString(), daemons: addrs }) + "\n");
  renameSync(tmp, file);
  return file;
}

export function clearReady(configFile: string): void {
  rmSync(join(dirname(configFile), READY_FILE), { force: true });
}
