// Manifest + inputs → BottlePlan. Pure apart from the injected prompter and
// random sources: no files, no processes, no clock.
import { BottleError } from "../util/errors.ts";
import { resolveEnv, resolveOne, type Prompter, type ResolvedVar } from "../env/resolve.ts";
import type { LoadedManifest } from "../manifest/load.ts";
import { getBottle } from "../manifest/load.ts";
import { locateKey, parseKey } from "../manifest/locate.ts";
import type { Backend, BottleSpec, Provider } from "../manifest/schema.ts";
import { checkIdentity, makeIdentity } from "./identity.ts";
import { bundleSubnet } from "./subnet.ts";
import { effectiveAllowlist, KIND_DEFAULTS, planEgressRoute } from "./egress.ts";
import { DEFAULT_APPROVAL_TIMEOUT, DEFAULT_ASK_TIMEOUT, type BottlePlan, type GitRemotePlan, type PolicyLoopPlan } from "./types.ts";
import { AGENT_CA_BUNDLE, AGENT_CA_FILE, AGENT_WORKDIR, PORTS } from "./bottle-paths.ts";

/** Default memory limit of the agent: an agent that leaks or is made to hog memory must not take the host down. */
export const DEFAULT_AGENT_MEMORY = "4g";
/**
 * Default memory limit of the bundle: the proxy peaks near 200 MiB under the proxy benchmark's
 * 1 MiB POSTs, and holds at most 128 MiB of request bodies for scanning (its scan budget) on top.
 */
export const DEFAULT_BUNDLE_MEMORY = "768m";

/** Per-provider env: keep agents from phoning home (each call would go through the proxy, some with the real key injected). */
export const PROVIDER_ENV: Partial<Record<Provider, [string, string][]>> = {
  claude: [
    ["CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1"],
    ["DISABLE_AUTOUPDATER", "1"],
  ],
  // opencode would otherwise fetch the model list from models.dev and LSP servers
  // on each start (refused by the allowlist); it ships a snapshot of the list.
  opencode: [
    ["OPENCODE_DISABLE_AUTOUPDATE", "1"],
    ["OPENCODE_DISABLE_MODELS_FETCH", "1"],
    ["OPENCODE_DISABLE_LSP_DOWNLOAD", "1"],
  ],
};

/** The operator config's part a plan reads (config/ sits above plan/; its Config fits this). */
export interface PlanConfig {
  backend: Backend;
  /** CIDR of bot-bottle's own address pool (subnet.ts). */
  subnetPool: string;
  baseImage: string;
}

export interface PlanInputs {
  manifest: LoadedManifest;
  bottle: string;
  /** --name; otherwise `<agent>-<random6>`. */
  identity?: string;
  cwd: string;
  /** --backend; wins over the manifest and config. */
  backend?: Backend;
  config: PlanConfig;
  hostEnv: Record<string, string | undefined>;
  overrides?: Record<string, string>;
  prompter?: Prompter;
  random?: () => number;
  randomBytes?: (n: number) => Uint8Array;
}

export async function buildPlan(inp: PlanInputs): Promise<BottlePlan> {
  try {
    return await planBottle(inp);
  } catch (e) {
    throw withManifestLine(e, inp.manifest);
  }
}

/** Errors about manifest keys (unset env, route problems) get the key's line, like validation errors. */
function withManifestLine(e: unknown, m: LoadedManifest): unknown {
  if (!(e instanceof BottleError) || e.line !== undefined || !e.key || e.file !== m.file || m.builtin) return e;
  const line = locateKey(m.source, parseKey(e.key));
  if (line === undefined) return e;
  return new BottleError(e.code, e.message, { file: e.file, line, key: e.key, hint: e.hint, exitCode: e.exitCode, cause: e.cause });
}

/** --env names a bottle's env entry, a route's env name or a git token; anything else is
 * a typo, or worse a real token headed for the agent's environment: refuse it. */
function checkOverrides(spec: BottleSpec, overrides: Record<string, string>, bottle: string): void {
  const known = new Set<string>(Object.keys(spec.env ?? {}));
  for (const r of spec.egress ?? []) {
    const name = r.env ?? (r.kind ? KIND_DEFAULTS[r.kind].env : undefined);
    if (name && r.credential !== undefined) known.add(name);
  }
  (spec.git ?? []).forEach((g, i) => g.token !== undefined && known.add(`BOT_BOTTLE_GIT_TOKEN_${i}`));
  const unknown = Object.keys(overrides).filter((k) => !known.has(k));
  if (unknown.length) {
    throw new BottleError("USAGE", `--env ${unknown.join(", ")}: bottle "${bottle}" has no env entry or credential by that name`, {
      hint: known.size ? `it takes: ${[...known].join(", ")}` : `add it to [bottles.${bottle}.env] first`,
    });
  }
}

/** on_deny = "ask" asks through supervise: without it nobody could answer. */
function policyLoop(spec: BottleSpec, bottle: string, file: string): PolicyLoopPlan {
  const onDeny = spec.on_deny ?? "block";
  if (onDeny === "ask" && !spec.supervise) {
    throw new BottleError("MANIFEST_INVALID", `bottles.${bottle}.on_deny = "ask" needs supervise = true (the operator is asked through supervise)`, {
      file,
      key: `bottles.${bottle}.on_deny`,
      hint: `add supervise = true to [bottles.${bottle}], or use on_deny = "block"`,
    });
  }
  return {
    onDeny,
    askTimeoutSeconds: spec.ask_timeout ?? DEFAULT_ASK_TIMEOUT,
    approvalTimeoutSeconds: spec.approval_timeout ?? DEFAULT_APPROVAL_TIMEOUT,
    approvalDefault: spec.approval_default ?? "deny",
  };
}

async function planBottle(inp: PlanInputs): Promise<BottlePlan> {
  const m = inp.manifest;
  const spec = getBottle(m, inp.bottle);
  const agent = m.agents[spec.agent]!;
  const random = inp.random ?? Math.random;
  const randomBytes = inp.randomBytes ?? ((n: number) => crypto.getRandomValues(new Uint8Array(n)));
  const identity = inp.identity ? checkIdentity(inp.identity) : makeIdentity(spec.agent, random);
  const provider: Provider = spec.provider ?? agent.meta.provider ?? "claude";
  const backend: Backend = inp.backend ?? spec.backend ?? inp.config.backend;
  const ctx = { hostEnv: inp.hostEnv, overrides: inp.overrides, prompter: inp.prompter, file: m.file };

  checkOverrides(spec, inp.overrides ?? {}, inp.bottle);
  const env = await resolveEnv(spec.env ?? {}, { ...ctx, keyPrefix: `bottles.${inp.bottle}.env` });

  const bundleEnv: ResolvedVar[] = [];
  const egress = [];
  for (const [index, r] of (spec.egress ?? []).entries()) {
    let credential: ResolvedVar | undefined;
    if (r.credential !== undefined) {
      const name = `BOT_BOTTLE_CRED_${index}`;
      // Route credentials are not agent env, so --env cannot override them by the agent's name;
      // it can by the route's env name (e.g. --env ANTHROPIC_API_KEY=…) which is what operators type.
      const byEnvName = r.env ?? (r.kind ? KIND_DEFAULTS[r.kind].env : undefined);
      const overrides = byEnvName && inp.overrides?.[byEnvName] !== undefined ? { [name]: inp.overrides[byEnvName]! } : undefined;
      credential = await resolveOne(name, { value: r.credential, secret: true }, {
        ...ctx,
        overrides,
        label: byEnvName ?? name,
        keyPrefix: `bottles.${inp.bottle}.egress[${index}].credential`,
      });
      bundleEnv.push(credential);
    }
    const route = planEgressRoute({ spec: r, credential, index }, randomBytes, m.file, `bottles.${inp.bottle}.egress`);
    if (route.credential) {
      if (env.some((e) => e.name === route.credential!.env)) {
        throw new BottleError("MANIFEST_INVALID", `${route.credential.env} is both an env entry and a route's placeholder`, {
          file: m.file,
          key: `bottles.${inp.bottle}.env.${route.credential.env}`,
          hint: "remove it from [env]: the route gives the agent a placeholder under that name",
        });
      }
      env.push({ name: route.credential.env, value: route.credential.placeholder, secret: false, source: "generated" });
    }
    egress.push(route);
  }

  const git: GitRemotePlan[] = [];
  for (const [index, g] of (spec.git ?? []).entries()) {
    let tokenEnv: string | undefined;
    if (g.token !== undefined) {
      tokenEnv = `BOT_BOTTLE_GIT_TOKEN_${index}`;
      bundleEnv.push(
        await resolveOne(tokenEnv, { value: g.token, secret: true }, { ...ctx, label: tokenEnv, keyPrefix: `bottles.${inp.bottle}.git[${index}].token` }),
      );
    }
    const sshKey = g.ssh_key?.replace(/^~(?=\/)/, inp.hostEnv.HOME ?? "~");
    git.push({
      name: g.name,
      url: g.url,
      tokenEnv,
      sshKey,
      push: (g.push ?? ["bot-bottle/{slug}/*"]).map((p) => p.replaceAll("{slug}", identity)),
      allowForce: g.allow_force ?? false,
      allowDelete: g.allow_delete ?? false,
      path: g.path ?? (index === 0 && !spec.copy_cwd ? AGENT_WORKDIR : `${AGENT_WORKDIR}/${g.name}`),
    });
  }

  const subnet = bundleSubnet(identity, inp.config.subnetPool);
  const proxyUrl = `http://${subnet.bundleIp}:${PORTS.proxy}`;
  const generated = (name: string, value: string): ResolvedVar => ({ name, value, secret: false, source: "generated" });
  env.push(
    generated("HTTPS_PROXY", proxyUrl),
    generated("HTTP_PROXY", proxyUrl),
    generated("https_proxy", proxyUrl),
    generated("http_proxy", proxyUrl),
    // The bundle's own services (git gate, supervise MCP) are reached directly, not through its proxy.
    generated("NO_PROXY", `localhost,127.0.0.1,${subnet.bundleIp}`),
    generated("no_proxy", `localhost,127.0.0.1,${subnet.bundleIp}`),
    generated("NODE_EXTRA_CA_CERTS", AGENT_CA_FILE),
    generated("SSL_CERT_FILE", AGENT_CA_BUNDLE),
    generated("REQUESTS_CA_BUNDLE", AGENT_CA_BUNDLE),
    generated("GIT_SSL_CAINFO", AGENT_CA_BUNDLE),
    generated("BOT_BOTTLE", identity),
    ...(PROVIDER_ENV[provider] ?? []).map(([k, val]) => generated(k, val)),
  );

  const name = `bot-bottle-${identity}`;
  return {
    version: 1,
    identity,
    bottle: inp.bottle,
    manifest: m.file,
    agent: {
      name: agent.name,
      file: agent.file,
      description: agent.meta.description,
      model: agent.meta.model,
      prompt: agent.prompt,
      skills: agent.skills,
    },
    provider,
    backend,
    image: spec.image,
    baseImage: spec.base_image ?? inp.config.baseImage,
    cwd: inp.cwd,
    copyCwd: spec.copy_cwd ?? false,
    workdir: AGENT_WORKDIR,
    network: { ...subnet, internal: `${name}-int`, egress: `${name}-egress` },
    containers: { bundle: `${name}-bundle`, agent: `${name}-agent` },
    env,
    bundleEnv,
    allow: effectiveAllowlist(spec.allow ?? [], egress),
    dlp: spec.dlp ?? true,
    egress,
    git,
    supervise: spec.supervise ?? false,
    policy: policyLoop(spec, inp.bottle, m.file),
    resources: { cpus: spec.cpus, memory: spec.memory ?? DEFAULT_AGENT_MEMORY, bundleMemory: spec.bundle_memory ?? DEFAULT_BUNDLE_MEMORY },
    command: spec.command,
    ports: { ...PORTS },
  };
}
