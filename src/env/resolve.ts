// Pure env resolution. Three forms of value:
//   "literal"          → as is
//   "?Question text"   → asked of the operator (or given with --env K=V)
//   "…${HOST_VAR}…"    → interpolated from the host environment ($${ escapes)
// No I/O here: the host env and the prompter are injected.
import { BottleError } from "../util/errors.ts";
import type { EnvValueSpec } from "../manifest/schema.ts";

export type EnvSource = "literal" | "prompt" | "host" | "override" | "generated";

export interface ResolvedVar {
  name: string;
  value: string;
  /** Never printed, never written to state, scanned for by DLP. */
  secret: boolean;
  source: EnvSource;
}

/** Asks the operator; undefined means "cannot ask" (no TTY). */
export type Prompter = ((question: string, name: string, secret: boolean) => Promise<string>) | undefined;

export interface ResolveContext {
  hostEnv: Record<string, string | undefined>;
  /** `--env K=V` from the command line: wins over every manifest form. */
  overrides?: Record<string, string>;
  prompter?: Prompter;
  /** For error messages: which manifest and which table the entries came from. */
  file?: string;
  keyPrefix?: string;
  /** Name to show and to suggest for --env (route credentials: the route's env name). */
  label?: string;
}

// Judged word by word (API_KEY, apiKey): a substring test would call GIT_AUTHOR_NAME,
// KEYBOARD or COMPASS secret, and the DLP scanner would then block the operator's own name.
const SECRET_WORDS = new Set([
  "KEY", "KEYS", "APIKEY", "TOKEN", "TOKENS", "SECRET", "SECRETS", "PASSWORD", "PASSWD", "PASS", "PWD",
  "CREDENTIAL", "CREDENTIALS", "CRED", "CREDS", "AUTH", "OAUTH", "COOKIE", "SESSION", "PRIVATE",
]);
/** Also inside run-together words: GITHUBTOKEN, DBPASSWORD. */
const SECRET_PARTS = /TOKEN|SECRET|PASSWORD|PASSWD|APIKEY|CREDENTIAL/;

/** Does this variable name look like it holds a secret? */
export function looksSecret(name: string): boolean {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .toUpperCase()
    .split(/[^A-Z0-9]+/)
    .filter(Boolean);
  return words.some((w) => SECRET_WORDS.has(w) || SECRET_PARTS.test(w));
}

export async function resolveEnv(
  entries: Record<string, EnvValueSpec>,
  ctx: ResolveContext,
): Promise<ResolvedVar[]> {
  const out: ResolvedVar[] = [];
  for (const [name, spec] of Object.entries(entries)) {
    out.push(await resolveOne(name, spec, ctx));
  }
  return out;
}

export async function resolveOne(name: string, spec: EnvValueSpec, ctx: ResolveContext): Promise<ResolvedVar> {
  const raw = typeof spec === "string" ? spec : spec.value;
  const explicitSecret = typeof spec === "string" ? undefined : spec.secret;
  const key = ctx.keyPrefix ? (ctx.label ? ctx.keyPrefix : `${ctx.keyPrefix}.${name}`) : name;
  const label = ctx.label ?? name;
  const override = ctx.overrides?.[name];
  if (override !== undefined) {
    return { name, value: override, secret: explicitSecret ?? (looksSecret(name) || raw.startsWith("?")), source: "override" };
  }
  if (raw.startsWith("?")) {
    const question = raw.slice(1).trim() || `Value for ${name}`;
    const secret = explicitSecret ?? true; // the operator typed it: assume it matters
    if (!ctx.prompter) {
      throw new BottleError("ENV_NEEDS_PROMPT", `${label} must be asked of the operator ("${question}") but there is no terminal`, {
        file: ctx.file,
        key,
        hint: `pass it with --env ${label}=VALUE, or run in an interactive terminal`,
      });
    }
    const value = await ctx.prompter(question, label, secret);
    return { name, value, secret, source: "prompt" };
  }
  const { value, usedHost } = interpolate(raw, ctx.hostEnv, (varName) => {
    throw new BottleError("ENV_UNSET", `${label} needs host variable \${${varName}}, which is not set`, {
      file: ctx.file,
      key,
      hint: `export ${varName}=... before running, or pass --env ${label}=VALUE`,
    });
  });
  const secret = explicitSecret ?? (usedHost ? looksSecret(name) || [...usedHost].some(looksSecret) : false);
  return { name, value, secret, source: usedHost ? "host" : "literal" };
}

/** Replace `${VAR}` from env; `$${` is a literal `${`. Unset (or empty-named) vars call onUnset. */
export function interpolate(
  raw: string,
  env: Record<string, string | undefined>,
  onUnset: (name: string) => never,
): { value: string; usedHost: Set<string> | null } {
  const used = new Set<string>();
  const value = raw.replace(/\$\$\{|\$\{([^}]*)\}/g, (m, varName: string | undefined) => {
    if (m === "$${") return "${";
    const n = (varName ?? "").trim();
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(n)) onUnset(n || "(empty)");
    const v = env[n];
    if (v === undefined) onUnset(n);
    used.add(n);
    return v;
  });
  return { value, usedHost: used.size ? used : null };
}

/** Parse repeated `--env K=V` flags. */
export function parseEnvFlags(flags: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of flags) {
    const i = f.indexOf("=");
    if (i <= 0 || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(f.slice(0, i))) {
      throw new BottleError("USAGE", `--env ${f}: expected NAME=VALUE`, {
        hint: "write it as --env NAME=VALUE, NAME being letters, digits and '_'",
      });
    }
    out[f.slice(0, i)] = f.slice(i + 1);
  }
  return out;
}

export const REDACTED = "‹secret›";

/** For printing: secrets replaced. */
export function redactVars(vars: ResolvedVar[]): ResolvedVar[] {
  return vars.map((v) => (v.secret ? { ...v, value: REDACTED } : v));
}
