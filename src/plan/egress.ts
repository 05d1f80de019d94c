// Pure: manifest egress routes → route plans with placeholder and bundle env.
import { BottleError } from "../util/errors.ts";
import type { ResolvedVar } from "../env/resolve.ts";
import type { CredentialKind, EgressRouteSpec } from "../manifest/schema.ts";
import type { CredentialInjection, EgressRoutePlan } from "./types.ts";
import { makePlaceholder } from "./placeholder.ts";

interface KindDefaults {
  header: string;
  prefix: string;
  env?: string;
}

export const KIND_DEFAULTS: Record<CredentialKind, KindDefaults> = {
  "anthropic-api-key": { header: "x-api-key", prefix: "", env: "ANTHROPIC_API_KEY" },
  "anthropic-oauth": { header: "authorization", prefix: "Bearer ", env: "CLAUDE_CODE_OAUTH_TOKEN" },
  openai: { header: "authorization", prefix: "Bearer ", env: "OPENAI_API_KEY" },
  // Gemini CLI and the genai SDKs send the key in this header (never `?key=` unless told to).
  "gemini-api-key": { header: "x-goog-api-key", prefix: "", env: "GEMINI_API_KEY" },
  bearer: { header: "authorization", prefix: "Bearer " },
  header: { header: "", prefix: "" },
};

export interface EgressInput {
  spec: EgressRouteSpec;
  /** The resolved credential (already through env resolution), if the route has one. */
  credential?: ResolvedVar;
  index: number;
}

/** `keyPrefix` names the route list in errors, e.g. "bottles.dev.egress". */
export function planEgressRoute(
  input: EgressInput,
  random: (n: number) => Uint8Array,
  file?: string,
  keyPrefix = "egress",
): EgressRoutePlan {
  const { spec, credential, index } = input;
  const key = `${keyPrefix}[${index}]`;
  const route: EgressRoutePlan = { host: spec.host, upstream: spec.upstream, ...(spec.dlp ? { dlp: spec.dlp } : {}) };
  if (!credential) {
    if (spec.kind || spec.env || spec.header) {
      throw new BottleError("MANIFEST_INVALID", `route for ${spec.host} names how to inject a credential but has no credential`, {
        file,
        key,
        hint: 'add credential = "${HOST_VAR}" (or "?Prompt"), or remove kind/env/header',
      });
    }
    return route;
  }
  const kind = spec.kind ?? (spec.header ? "header" : "bearer");
  const d = KIND_DEFAULTS[kind];
  const header = (spec.header ?? d.header).toLowerCase();
  if (!header) {
    throw new BottleError("MANIFEST_INVALID", `route for ${spec.host} has kind = "header" but no header name`, {
      file,
      key: `${key}.header`,
      hint: 'add header = "X-Api-Token" (the header the real service expects)',
    });
  }
  const env = spec.env ?? d.env;
  if (!env) {
    throw new BottleError("MANIFEST_INVALID", `route for ${spec.host} needs env = "NAME" for the agent's placeholder`, {
      file,
      key: `${key}.env`,
      hint: 'add env = "MY_SERVICE_TOKEN": the agent sees a placeholder there, the bundle injects the real value',
    });
  }
  const injection: CredentialInjection = {
    kind,
    header,
    prefix: d.prefix,
    env,
    placeholder: makePlaceholder(credential.value, random),
    bundleEnv: `BOT_BOTTLE_CRED_${index}`,
    query: spec.query ?? false,
  };
  return { ...route, credential: injection };
}

/** Hosts the proxy allows: the explicit allowlist plus every route host, de-duplicated. */
export function effectiveAllowlist(allow: string[], routes: EgressRoutePlan[]): string[] {
  return [...new Set([...allow, ...routes.map((r) => r.host)])];
}
