// The one reader of the bundle config (the JSON the host writes into the
// bundle folder), for every bundle command: `serve`, and each daemon alone.
// One valibot schema, so a hand-edited or stale file fails with the key that
// is wrong instead of a crash deep inside a daemon.
import { readFileSync } from "node:fs";
import * as v from "valibot";
import { CREDENTIAL_KINDS, ROUTE_DLP_MODES } from "../manifest/schema.ts";
import { BottleError } from "../util/errors.ts";
import type { BundleConfig, ProxyConfig } from "./config.ts";

const strings = v.array(v.string());

const credentialSchema = v.object({
  kind: v.picklist(CREDENTIAL_KINDS),
  header: v.string(),
  prefix: v.string(),
  env: v.string(),
  placeholder: v.string(),
  bundleEnv: v.string(),
  query: v.boolean(),
});

export const proxyConfigSchema = v.object({
  listen: v.string(),
  allow: strings,
  dlp: v.boolean(),
  routes: v.array(
    v.object({ host: v.string(), upstream: v.optional(v.string()), credential: v.optional(credentialSchema), dlp: v.optional(v.picklist(ROUTE_DLP_MODES)) }),
  ),
  secretEnv: strings,
  caDir: v.string(),
  auditLog: v.string(),
  blockPrivate: v.boolean(),
  allowPrivate: v.optional(strings),
  /** on_deny = "ask": hold and ask through the supervise folder. */
  ask: v.optional(v.object({ dir: v.string(), timeoutSeconds: v.number(), unattended: v.optional(v.literal("deny")) })),
});

export const gitGateConfigSchema = v.object({
  listen: v.string(),
  dir: v.string(),
  auditLog: v.string(),
  repos: v.array(
    v.object({
      name: v.string(),
      url: v.string(),
      tokenEnv: v.optional(v.string()),
      sshKeyFile: v.optional(v.string()),
      push: strings,
      allowForce: v.boolean(),
      allowDelete: v.boolean(),
    }),
  ),
});

export const superviseConfigSchema = v.object({
  listen: v.string(),
  dir: v.string(),
  timeoutSeconds: v.number(),
  timeoutDecision: v.optional(v.picklist(["timeout", "approve"])),
  auditLog: v.optional(v.string()),
});

export const bundleConfigSchema = v.object({
  identity: v.string(),
  /** The operator's live policy file, polled by the bundle. */
  policyFile: v.optional(v.string()),
  proxy: proxyConfigSchema,
  gitGate: v.optional(gitGateConfigSchema),
  supervise: v.optional(superviseConfigSchema),
});

const HINT = "recreate the bottle so the host writes a fresh config";

function problems(issues: readonly v.BaseIssue<unknown>[]): string {
  return issues
    .map((i) => {
      const path = (i.path ?? []).map((p) => String(p.key)).join(".");
      return path ? `${path}: ${i.message}` : i.message;
    })
    .join("; ");
}

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new BottleError("USAGE", `${file} is not JSON: ${(e as Error).message}`, { hint: "pass --config with the bundle config the host wrote" });
  }
}

function readText(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (e) {
    throw new BottleError("USAGE", `cannot read the bundle config ${file}: ${(e as Error).message}`, {
      hint: "pass --config with the bundle config the host wrote; inside the bundle, is its folder mounted?",
    });
  }
}

function check<S extends v.GenericSchema>(schema: S, data: unknown, file: string, what: string): v.InferOutput<S> {
  if (data === null || typeof data !== "object" || Array.isArray(data)) {
    throw new BottleError("USAGE", `${file} is not a valid ${what}: not an object`, { hint: HINT });
  }
  const res = v.safeParse(schema, data);
  if (!res.success) throw new BottleError("USAGE", `${file} is not a valid ${what}: ${problems(res.issues)}`, { hint: HINT });
  return res.output;
}

/** The whole config, validated. */
export function parseBundleConfig(text: string, file: string): BundleConfig {
  return check(bundleConfigSchema, parseJson(text, file), file, "bundle config");
}

export function readBundleConfig(file: string): BundleConfig {
  return parseBundleConfig(readText(file), file);
}

/** One daemon's section (`bundle git-gate`, `bundle supervise`); says when the bottle does not use it. */
export function readBundleSection<K extends "gitGate" | "supervise">(file: string, key: K): NonNullable<BundleConfig[K]> {
  const section = readBundleConfig(file)[key];
  if (!section) throw new BottleError("USAGE", `the bundle config ${file} has no "${key}" section`, { hint: "this bottle does not use that daemon" });
  return section as NonNullable<BundleConfig[K]>;
}

/** `bundle proxy`: a bare ProxyConfig, or a bundle config whose "proxy" section is used. */
export function parseProxyConfigJson(text: string, file: string): ProxyConfig {
  const raw = parseJson(text, file);
  const obj = raw as Record<string, unknown> | null;
  const section = obj && typeof obj === "object" && typeof obj.proxy === "object" ? obj.proxy : raw;
  return check(proxyConfigSchema, section, file, "proxy config");
}

export function readProxyConfig(file: string): ProxyConfig {
  return parseProxyConfigJson(readText(file), file);
}
