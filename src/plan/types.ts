// A plan is a plain, printable object: everything a backend needs to bring a
// bottle up, resolved ahead of time. Secret values appear only in ResolvedVar
// entries marked secret and are redacted by redactPlan() before printing or
// storing.
import type { ResolvedVar } from "../env/resolve.ts";
import type { Backend, CredentialKind, Provider } from "../manifest/schema.ts";
import type { BottleSubnet } from "./subnet.ts";

export interface SkillPlan {
  name: string;
  /** Host folder to copy into the agent's skills dir. */
  dir: string;
}

export interface AgentPlan {
  name: string;
  file: string;
  description?: string;
  model?: string;
  prompt: string;
  skills: SkillPlan[];
}

/** How a route's credential travels in a request. */
export interface CredentialInjection {
  kind: CredentialKind;
  /** Lower-case header name: `x-api-key`, `authorization`, … */
  header: string;
  /** Prefix before the token in the header value: "Bearer " or "". */
  prefix: string;
  /** Agent env var holding the placeholder. */
  env: string;
  /** Shape-preserving fake the agent holds. */
  placeholder: string;
  /** Name of the bundle env var holding the real credential. */
  bundleEnv: string;
  /** Substitute in the query string too. */
  query: boolean;
}

export interface EgressRoutePlan {
  host: string;
  upstream?: string;
  credential?: CredentialInjection;
  /** DLP finding in a request body to this route: redact (default with a credential) or block. */
  dlp?: "redact" | "block";
}

export interface GitRemotePlan {
  name: string;
  url: string;
  /** Bundle env var with the HTTPS token, if any. */
  tokenEnv?: string;
  /** Host path of an SSH key mounted into the bundle only. */
  sshKey?: string;
  push: string[];
  allowForce: boolean;
  allowDelete: boolean;
  /** Where the agent's clone lives. */
  path: string;
}

export interface PolicyLoopPlan {
  onDeny: "block" | "ask";
  askTimeoutSeconds: number;
  approvalTimeoutSeconds: number;
  approvalDefault: "deny" | "approve";
  /** `run --unattended`: "deny" answers every question at once; "allow-listed" does not ask (as block). */
  unattended?: "deny" | "allow-listed";
}

export const DEFAULT_ASK_TIMEOUT = 120;
export const DEFAULT_APPROVAL_TIMEOUT = 600;

export interface BottlePlan {
  version: 1;
  identity: string;
  bottle: string;
  manifest: string;
  agent: AgentPlan;
  provider: Provider;
  backend: Backend;
  /** Ready image the operator named; otherwise the provider image is built from baseImage. */
  image?: string;
  baseImage: string;
  cwd: string;
  copyCwd: boolean;
  /** Where the agent works inside the bottle. */
  workdir: string;
  network: BottleSubnet & { internal: string; egress: string };
  containers: { bundle: string; agent: string };
  /** Agent-visible environment (placeholders included, real credentials never). */
  env: ResolvedVar[];
  /** Bundle-only environment: real credentials. */
  bundleEnv: ResolvedVar[];
  allow: string[];
  dlp: boolean;
  egress: EgressRoutePlan[];
  git: GitRemotePlan[];
  supervise: boolean;
  /** Policy in the loop (absent in plans recorded before it existed: block, defaults). */
  policy?: PolicyLoopPlan;
  /** Limits; memory and bundleMemory always set (defaults in plan/build.ts), older stored plans may lack them. */
  resources: { cpus?: number; memory?: string; bundleMemory?: string };
  command?: string[];
  ports: { proxy: number; gitGate: number; supervise: number };
}

/** A file written into the agent (owned by node). Here, below providers and bundle, because both write them. */
export interface AgentFile {
  path: string;
  content: string;
  mode: number;
}
