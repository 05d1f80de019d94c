// The bundle's configuration: written by the host as JSON into the bundle's
// state folder (mounted at BUNDLE_STATE_DIR), read by `bot-bottle bundle serve`.
// Real credentials are NOT in this file: they live only in the bundle
// container's environment, named by `bundleEnv` / `tokenEnv` fields.
import type { CredentialInjection } from "../plan/types.ts";

/** Where the host's per-bottle bundle folder is mounted inside the bundle container. */
export const BUNDLE_STATE_DIR = "/var/lib/bot-bottle";

export interface ProxyRouteConfig {
  host: string;
  upstream?: string;
  credential?: CredentialInjection;
  /** A DLP finding in a request body to this route: "redact" (default with a credential) or "block". */
  dlp?: "redact" | "block";
}

export interface ProxyConfig {
  /** host:port to listen on, e.g. "0.0.0.0:8888" (docker) or "127.0.0.1:8888" (smolmachines egress). */
  listen: string;
  allow: string[];
  dlp: boolean;
  routes: ProxyRouteConfig[];
  /** Names of bundle env vars whose values are operator secrets: DLP blocks them leaving. */
  secretEnv: string[];
  /** Folder holding ca.crt / ca.key (created on first start, key never leaves the bundle). */
  caDir: string;
  /** JSON-lines audit log of every decision. */
  auditLog: string;
  /** Block upstream connections to private/loopback/link-local/metadata addresses (SSRF). */
  blockPrivate: boolean;
  /** Exceptions to blockPrivate: hosts or IPs (tests, corporate gateways) that may be private. */
  allowPrivate?: string[];
  /** on_deny = "ask": hold requests to hosts outside the allowlist and ask the operator through supervise. */
  ask?: EgressAskConfig;
}

export interface EgressAskConfig {
  /** The supervise folder shared with the host. */
  dir: string;
  /** How long a request is held before the daemon answers "timeout" (denied). */
  timeoutSeconds: number;
  /** "deny": an unattended run: nobody will answer, deny at once (still recorded). */
  unattended?: "deny";
}

export interface GitGateRepoConfig {
  name: string;
  url: string;
  tokenEnv?: string;
  /** Path of the SSH key inside the bundle (mounted read-only). */
  sshKeyFile?: string;
  push: string[];
  allowForce: boolean;
  allowDelete: boolean;
}

export interface GitGateConfig {
  listen: string;
  /** Folder of bare mirrors. */
  dir: string;
  repos: GitGateRepoConfig[];
  auditLog: string;
}

export interface SuperviseConfig {
  listen: string;
  /** Folder shared with the host: requests/ written by the bundle, answers/ by the operator. */
  dir: string;
  /** Seconds request_approval waits before answering "timeout". */
  timeoutSeconds: number;
  /** What a timed-out approval answers (default "timeout", which the agent treats as denied). */
  timeoutDecision?: "timeout" | "approve";
  /** The audit chain (approvals and answers are recorded there). */
  auditLog?: string;
}

export interface BundleConfig {
  identity: string;
  /** The operator's live policy file (bundle/policy/live-policy.ts), polled by the bundle. */
  policyFile?: string;
  proxy: ProxyConfig;
  gitGate?: GitGateConfig;
  supervise?: SuperviseConfig;
}

/** A running daemon. */
export interface Daemon {
  /** Actual bound address (port 0 resolves to a real port). */
  address: { host: string; port: number };
  close(): Promise<void>;
}
