// Pure: a plan as people read it (plan, --dry-run, the launch preflight).
import { REDACTED, type ResolvedVar } from "../env/resolve.ts";
import type { BottlePlan } from "./types.ts";

// Redacted here too, not only by the caller: text for people never carries a secret.
const shown = (e: ResolvedVar) => `${e.name}=${e.secret ? REDACTED : e.value}`;

/** Pure: argv as a shell would take it back (words with anything special single-quoted). */
export function shellWords(argv: string[]): string {
  return argv.map((w) => (/^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`)).join(" ");
}

/** `runs`: the command the agent will actually run (`-- CMD`, `-p TASK`, or the session), when known. */
export function formatPlan(p: BottlePlan, runs?: string[]): string {
  const L: string[] = [];
  const kv = (k: string, v: string) => L.push(`  ${k.padEnd(11)} ${v}`);
  L.push(`bottle ${p.bottle} → ${p.identity}`);
  kv("manifest", p.manifest);
  kv("agent", `${p.agent.name} (${p.provider})${p.agent.model ? ` model=${p.agent.model}` : ""}`);
  kv("backend", p.backend);
  kv("image", p.image ?? `bot-bottle/${p.provider} from ${p.baseImage}`);
  kv("workdir", `${p.workdir}${p.copyCwd ? ` ← copy of ${p.cwd}` : ""}`);
  kv("network", `${p.network.cidr} (bundle ${p.network.bundleIp}, agent ${p.network.agentIp})`);
  kv("allow", p.allow.length ? p.allow.join(", ") : "(nothing: all egress blocked)");
  kv("dlp", p.dlp ? "on" : "off");
  for (const r of p.egress) {
    const cred = r.credential ? ` inject ${r.credential.header} (agent holds placeholder in ${r.credential.env})` : "";
    kv("route", `${r.host}${r.upstream ? ` → ${r.upstream}` : ""}${cred}`);
  }
  for (const g of p.git) kv("git", `${g.name} ${g.url} → ${g.path}; push ${g.push.join(", ")}`);
  kv("supervise", p.supervise ? "on (MCP at bundle:" + p.ports.supervise + ")" : "off");
  if (p.resources.cpus || p.resources.memory || p.resources.bundleMemory) {
    kv("resources", `cpus=${p.resources.cpus ?? "-"} memory=${p.resources.memory ?? "-"} bundle memory=${p.resources.bundleMemory ?? "-"}`);
  }
  if (runs) kv("command", shellWords(runs));
  else if (p.command) kv("command", shellWords(p.command));
  const userEnv = p.env.filter((e) => e.source !== "generated");
  if (userEnv.length) kv("env", userEnv.map(shown).join(" "));
  if (p.bundleEnv.length) kv("secrets", p.bundleEnv.map(shown).join(" ") + " (bundle only)");
  return L.join("\n");
}
