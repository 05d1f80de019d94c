// The manifest's shape. Strict objects everywhere: an unknown key is almost
// always a typo, and silently ignoring it would weaken a security policy.
import * as v from "valibot";

export const PROVIDERS = ["claude", "codex", "gemini", "opencode", "shell"] as const;
export const BACKENDS = ["docker", "smolmachines"] as const;
export const CREDENTIAL_KINDS = ["anthropic-api-key", "anthropic-oauth", "openai", "gemini-api-key", "bearer", "header"] as const;

const name = v.pipe(
  v.string(),
  v.regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, "use 1-40 lowercase letters, digits, '-' or '_', starting with a letter or digit"),
);

/** Host pattern: `example.com`, `*.example.com` (also matches the apex) or `*`. */
export const hostPattern = v.pipe(
  v.string(),
  v.regex(
    /^(\*|(\*\.)?[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*)(:\d{1,5})?$/,
    "use a lowercase host name such as `api.example.com` or `*.example.com`",
  ),
);

/** Env value: a string (literal, `?prompt`, `${HOST_VAR}`) or a table that marks it secret. */
export const envValue = v.union(
  [v.string(), v.strictObject({ value: v.string(), secret: v.optional(v.boolean()) })],
  'use a string ("literal", "?Prompt" or "${HOST_VAR}") or a table { value = "...", secret = true }',
);

export const ROUTE_DLP_MODES = ["redact", "block"] as const;

export const egressRoute = v.strictObject({
  host: hostPattern,
  kind: v.optional(v.picklist(CREDENTIAL_KINDS, "use one of: " + CREDENTIAL_KINDS.join(", "))),
  /** The real credential; resolved like env, held only by the bundle. */
  credential: v.optional(v.string()),
  /** The agent env var that receives the placeholder. Defaults by kind. */
  env: v.optional(v.pipe(v.string(), v.regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "use an environment variable name"))),
  /** Header to inject for kind = "header". */
  header: v.optional(v.pipe(v.string(), v.regex(/^[A-Za-z0-9-]+$/, "use an HTTP header name"))),
  /** Send this route's traffic to another origin (a corporate gateway, a test server). */
  upstream: v.optional(v.pipe(v.string(), v.url("use an absolute URL such as http://10.0.0.5:8080"))),
  /** Also substitute the placeholder in the query string (opt-in; off by default). */
  query: v.optional(v.boolean()),
  dlp: v.optional(
    v.pipe(
      v.picklist(ROUTE_DLP_MODES, 'use "redact" or "block"'),
      v.description(
        'What a DLP finding (a secret, or another route\'s placeholder) in a request body to this route does: "redact" (default for a route with a credential) replaces it in flight by a marker such as [REDACTED:aws-access-key] and sends the request, so a session survives a secret in its own history; "block" refuses the request with a 403.',
      ),
    ),
  ),
});

export const gitRemote = v.strictObject({
  name,
  url: v.pipe(v.string(), v.minLength(1, "give the real remote's URL")),
  /** HTTPS token (resolved like env: `${GITHUB_TOKEN}`); never given to the agent. */
  token: v.optional(v.string()),
  /** SSH private key file on the host; never given to the agent. */
  ssh_key: v.optional(v.string()),
  /** Ref patterns the agent may push to; `{slug}` is the bottle identity. */
  push: v.optional(v.array(v.string())),
  allow_force: v.optional(v.boolean()),
  allow_delete: v.optional(v.boolean()),
  /** Path inside the agent where the repository is cloned (default: the workdir for the first remote). */
  path: v.optional(v.string()),
});

export const bottle = v.strictObject({
  agent: name,
  provider: v.optional(v.picklist(PROVIDERS, "use one of: " + PROVIDERS.join(", "))),
  backend: v.optional(v.picklist(BACKENDS, "use one of: " + BACKENDS.join(", "))),
  /** A ready agent image to use instead of building the provider's image. */
  image: v.optional(v.pipe(v.string(), v.minLength(1))),
  /** Base image the provider image is built from. */
  base_image: v.optional(v.pipe(v.string(), v.minLength(1))),
  copy_cwd: v.optional(v.boolean()),
  supervise: v.optional(v.boolean()),
  /** A request to a host outside `allow`: "block" it (403), or "ask" the operator through supervise while holding it. */
  on_deny: v.optional(v.picklist(["block", "ask"], 'use "block" or "ask"')),
  /** Seconds a held request waits for the operator before it is denied (on_deny = "ask"). */
  ask_timeout: v.optional(v.pipe(v.number(), v.integer("use whole seconds"), v.minValue(1, "use at least 1 second"), v.maxValue(3600, "use at most 3600 seconds"))),
  /** Seconds request_approval waits for the operator. */
  approval_timeout: v.optional(v.pipe(v.number(), v.integer("use whole seconds"), v.minValue(1, "use at least 1 second"), v.maxValue(86400, "use at most 86400 seconds"))),
  /** What an unanswered request_approval gets after approval_timeout: "deny" (the default) or "approve". */
  approval_default: v.optional(v.picklist(["deny", "approve"], 'use "deny" or "approve"')),
  dlp: v.optional(v.boolean()),
  cpus: v.optional(v.pipe(v.number(), v.minValue(0.1, "give at least 0.1 CPUs"), v.maxValue(256))),
  memory: v.optional(
    v.pipe(
      v.string(),
      v.regex(/^\d+(\.\d+)?[kmgKMG]$/, 'use a size such as "4g" or "512m"'),
      v.description("Memory limit of the agent (docker --memory, smolvm --mem); default 4g."),
    ),
  ),
  bundle_memory: v.optional(
    v.pipe(
      v.string(),
      v.regex(/^\d+(\.\d+)?[kmgKMG]$/, 'use a size such as "1g" or "512m"'),
      v.description("Memory limit of the bundle container (proxy, git gate, supervise); default 768m, sized from the proxy's measured peak under load."),
    ),
  ),
  allow: v.optional(v.array(hostPattern)),
  env: v.optional(v.record(v.pipe(v.string(), v.regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "use an environment variable name")), envValue)),
  egress: v.optional(v.array(egressRoute)),
  git: v.optional(v.array(gitRemote)),
  /** Command the shell provider runs (default: an interactive bash). */
  command: v.optional(v.array(v.string())),
});

export const manifest = v.strictObject({
  version: v.optional(v.literal(1, "the only manifest version is 1")),
  /** Folder of agent markdown files, relative to the manifest. */
  agents_dir: v.optional(v.string()),
  /** Folder of skill folders, relative to the manifest. */
  skills_dir: v.optional(v.string()),
  bottles: v.pipe(
    v.record(name, bottle),
    v.check((r) => Object.keys(r).length > 0, "define at least one [bottles.NAME] table"),
  ),
});

/** Front matter of an agent markdown file. */
export const agentFrontMatter = v.strictObject({
  name: v.optional(name),
  description: v.optional(v.string()),
  provider: v.optional(v.picklist(PROVIDERS, "use one of: " + PROVIDERS.join(", "))),
  model: v.optional(v.string()),
  skills: v.optional(v.array(name)),
});

export type ManifestInput = v.InferOutput<typeof manifest>;
export type BottleSpec = v.InferOutput<typeof bottle>;
export type EgressRouteSpec = v.InferOutput<typeof egressRoute>;
export type GitRemoteSpec = v.InferOutput<typeof gitRemote>;
export type EnvValueSpec = v.InferOutput<typeof envValue>;
export type AgentFrontMatter = v.InferOutput<typeof agentFrontMatter>;
export type Provider = (typeof PROVIDERS)[number];
export type Backend = (typeof BACKENDS)[number];
export type CredentialKind = (typeof CREDENTIAL_KINDS)[number];
