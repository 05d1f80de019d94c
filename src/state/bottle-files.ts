// Where a bottle's files live on the host: the one answer for the drivers,
// `logs`, `rm`, `gc`, the supervise inbox and the bundle (which sees the
// bundle folder mounted at BUNDLE_STATE_DIR and names files the same way).
import { join } from "node:path";
import { stateDir } from "../util/paths.ts";

type Env = Record<string, string | undefined>;

/** Names inside the bundle folder, the same on the host and inside the bundle. */
export const BUNDLE_FILES = {
  config: "config.json",
  caDir: "ca",
  caCert: "ca/ca.crt",
  /** The audit chain: egress, DLP, pushes, approvals, policy, lifecycle (one stream, see bundle/audit-chain). */
  audit: "audit-chain.jsonl",
  gitAudit: "audit-chain.jsonl",
  /** Ed25519 key that signs the chain's checkpoints (never mounted into the agent). */
  auditKey: "audit-key.jwk",
  /** The last signed checkpoint (audit --verify notices a cut tail with it). */
  auditHead: "audit-head.json",
  /** The operator's live policy (allow/deny/push changes), written by the host, watched by the bundle. */
  policy: "policy.json",
  /** Bottles made before the audit chain kept these two logs instead. */
  legacyAudit: "audit.jsonl",
  legacyGitAudit: "git-audit.jsonl",
  gitDir: "git",
  superviseDir: "supervise",
  /** Written by `bundle serve` once every daemon listens. */
  ready: "ready.json",
} as const;

/** Per-bottle working files (prompt, CA, bundle config). Removed by `rm` and `gc`. */
export function bottleDir(identity: string, env: Env = process.env): string {
  return join(stateDir(env), "bottles", identity);
}

export interface BottleFiles {
  /** Everything below is inside this folder. */
  dir: string;
  /** The bundle's folder, mounted at BUNDLE_STATE_DIR. */
  bundle: string;
  /** The bundle's config.json. */
  config: string;
  /** The bottle CA, once the bundle made it. */
  caCert: string;
  /** The audit chain (JSON lines: the proxy's decisions, the git gate's pushes, and the rest). */
  audit: string;
  /** Git gate log: the same chain. */
  gitLog: string;
  /** The operator's live policy file. */
  policy: string;
  /** Supervise requests and answers shared with the bundle. */
  supervise: string;
  /** Written by the bundle once every daemon listens. */
  ready: string;
  /** Transcript of non-interactive runs, shown by `logs`. */
  transcript: string;
  /** Host-side scratch for provisioning (smolmachines). */
  scratch: string;
  /** Harvest exports (bundle, files tarball and manifests) and the launch manifest of a non-git copy. */
  harvest: string;
}

export function bottleFiles(identity: string, env: Env = process.env): BottleFiles {
  const dir = bottleDir(identity, env);
  const bundle = join(dir, "bundle");
  return {
    dir,
    bundle,
    config: join(bundle, BUNDLE_FILES.config),
    caCert: join(bundle, BUNDLE_FILES.caCert),
    audit: join(bundle, BUNDLE_FILES.audit),
    gitLog: join(bundle, BUNDLE_FILES.gitAudit),
    policy: join(bundle, BUNDLE_FILES.policy),
    supervise: join(bundle, BUNDLE_FILES.superviseDir),
    ready: join(bundle, BUNDLE_FILES.ready),
    transcript: join(dir, "agent.log"),
    scratch: join(dir, "scratch"),
    harvest: join(dir, "harvest"),
  };
}

/** A bottle's harvest folder: kept until its work is home (rm/gc refuse to delete it before). */
export function harvestDir(identity: string, env: Env = process.env): string {
  return join(bottleDir(identity, env), "harvest");
}
