// The bundle's folder on the host (bottleDir/bundle), mounted at
// BUNDLE_STATE_DIR: config.json (written here), the CA dir and audit logs
// (written by the bundle). Shared by every backend.
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BUNDLE_STATE_DIR, type BundleConfig } from "../../bundle/config.ts";
import { ensureAuditKey } from "../../bundle/audit-chain/key.ts";
import { DEFAULT_APPROVAL_TIMEOUT, type BottlePlan } from "../../plan/types.ts";
import { BUNDLE_FILES, bottleFiles } from "../../state/bottle-files.ts";

export { BUNDLE_FILES };

/** Where a route's SSH key is mounted (read-only) inside the bundle. */
export const BUNDLE_SSH_DIR = "/run/bot-bottle/ssh";

export interface BundleConfigOptions {
  /** "0.0.0.0" (docker: the agent reaches it on the internal network) or the bundle IP (smolmachines: TSI allows by IP, so nothing else may listen there). */
  listenHost: string;
  /** Mount point of the folder inside the bundle. */
  stateDir?: string;
  superviseTimeoutSeconds?: number;
}

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).hostname.replace(/^\[|\]$/g, "");
  } catch {
    return undefined;
  }
}

/** Pure: the bundle's configuration for a plan. */
export function bundleConfigFor(plan: BottlePlan, o: BundleConfigOptions): BundleConfig {
  const dir = o.stateDir ?? BUNDLE_STATE_DIR;
  const at = (p: string) => `${dir}/${p}`;
  // An operator-configured upstream (test server, corporate gateway) may be private on purpose.
  const allowPrivate = [...new Set(plan.egress.map((r) => (r.upstream ? hostOf(r.upstream) : undefined)).filter((h): h is string => !!h))];
  const loop = plan.policy;
  const asks = !!plan.supervise && loop?.onDeny === "ask" && loop.unattended !== "allow-listed";
  const cfg: BundleConfig = {
    identity: plan.identity,
    policyFile: at(BUNDLE_FILES.policy),
    proxy: {
      listen: `${o.listenHost}:${plan.ports.proxy}`,
      allow: plan.allow,
      dlp: plan.dlp,
      routes: plan.egress.map((r) => ({ host: r.host, upstream: r.upstream, credential: r.credential, ...(r.dlp ? { dlp: r.dlp } : {}) })),
      secretEnv: plan.bundleEnv.map((e) => e.name),
      caDir: at(BUNDLE_FILES.caDir),
      auditLog: at(BUNDLE_FILES.audit),
      blockPrivate: true,
      ...(allowPrivate.length ? { allowPrivate } : {}),
      ...(asks
        ? {
            ask: {
              dir: at(BUNDLE_FILES.superviseDir),
              timeoutSeconds: loop!.askTimeoutSeconds,
              ...(loop!.unattended === "deny" ? { unattended: "deny" as const } : {}),
            },
          }
        : {}),
    },
  };
  if (plan.git.length) {
    cfg.gitGate = {
      listen: `${o.listenHost}:${plan.ports.gitGate}`,
      dir: at(BUNDLE_FILES.gitDir),
      auditLog: at(BUNDLE_FILES.gitAudit),
      repos: plan.git.map((g) => ({
        name: g.name,
        url: g.url,
        tokenEnv: g.tokenEnv,
        sshKeyFile: g.sshKey ? `${BUNDLE_SSH_DIR}/${g.name}` : undefined,
        push: g.push,
        allowForce: g.allowForce,
        allowDelete: g.allowDelete,
      })),
    };
  }
  if (plan.supervise) {
    cfg.supervise = {
      listen: `${o.listenHost}:${plan.ports.supervise}`,
      dir: at(BUNDLE_FILES.superviseDir),
      timeoutSeconds: o.superviseTimeoutSeconds ?? loop?.approvalTimeoutSeconds ?? DEFAULT_APPROVAL_TIMEOUT,
      ...(loop?.approvalDefault === "approve" ? { timeoutDecision: "approve" as const } : {}),
      auditLog: at(BUNDLE_FILES.audit),
    };
  }
  return cfg;
}

export function bundleFolder(identity: string, env: Record<string, string | undefined> = process.env): string {
  return bottleFiles(identity, env).bundle;
}

/** Write the folder (0700: the CA key will live here) and config.json; returns the host path. */
export function writeBundleFolder(plan: BottlePlan, o: BundleConfigOptions, env: Record<string, string | undefined> = process.env): string {
  const dir = bundleFolder(plan.identity, env);
  for (const sub of ["", BUNDLE_FILES.caDir, BUNDLE_FILES.gitDir, BUNDLE_FILES.superviseDir]) {
    mkdirSync(join(dir, sub), { recursive: true, mode: 0o700 });
  }
  chmodSync(dir, 0o700);
  writeFileSync(join(dir, BUNDLE_FILES.config), JSON.stringify(bundleConfigFor(plan, o), null, 2) + "\n", { mode: 0o600 });
  // Made by the operator before the bundle (root in docker) starts, so both can append and the key stays the operator's.
  ensureAuditKey(join(dir, BUNDLE_FILES.auditKey), plan.identity);
  closeSync(openSync(join(dir, BUNDLE_FILES.audit), "a", 0o600));
  return dir;
}

/** The bottle CA as the bundle wrote it, or null before it has. */
export function readBundleCa(hostDir: string): string | null {
  const p = join(hostDir, BUNDLE_FILES.caCert);
  return existsSync(p) ? readFileSync(p, "utf8") : null;
}

export function isBundleReady(hostDir: string): boolean {
  return existsSync(join(hostDir, BUNDLE_FILES.ready)) && existsSync(join(hostDir, BUNDLE_FILES.caCert));
}
