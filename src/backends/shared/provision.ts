// Provisioning an agent, the same on every backend: a root shell script (pure,
// built here, fed on stdin) for the CA trust trio, the prompt file and the
// provider's files, plus tar copies of skills and the cwd.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { AGENT_CA_BUNDLE, AGENT_CA_FILE, AGENT_HOME, AGENT_PROMPT_FILE, AGENT_USER, BOTTLE_ETC } from "../../plan/bottle-paths.ts";
import type { BottlePlan } from "../../plan/types.ts";
import { providerSpec, type AgentFile } from "../../providers/index.ts";
import { run, type Runner } from "../../util/run.ts";
import { gateUrl } from "../../bundle/git-gate/git-argv.ts";
import { consola } from "consola";

/** What a backend offers provisioning. */
export interface AgentIO {
  /** Run a shell script as root inside the agent (stdin = script); throws on failure. May return its stdout. */
  rootScript(script: string): Promise<string | void>;
  /** Extract a tar stream produced by `tarArgv` (run on the host) into `dest` inside the agent. */
  untar(tarArgv: string[], dest: string): Promise<void>;
}

export const SYSTEM_CA_SRC = "/usr/local/share/ca-certificates/bot-bottle.crt";
export const SYSTEM_CA_DIR = "/etc/ssl/certs";
/** update-ca-certificates' hooks (Java keystores and the like): only they need the full update. */
export const CA_HOOKS_DIR = "/etc/ca-certificates/update.d";
export const SYSTEM_CA_BUNDLE = `${SYSTEM_CA_DIR}/ca-certificates.crt`;

const q = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;
const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");
const dirOf = (path: string) => path.slice(0, path.lastIndexOf("/")) || "/";

/**
 * Pure: write `content` to `path` with the shell's own printf (no process: the
 * script runs on every launch, and each process costs ms in a fresh
 * container). Text with a NUL byte cannot be a shell word: base64 then.
 */
function writeLine(path: string, content: string, append = false): string {
  const op = append ? ">>" : ">";
  if (content.includes("\0")) return `echo ${q(b64(content))} | base64 -d ${op} ${q(path)}`;
  return `printf '%s' ${q(content)} ${op} ${q(path)}`;
}

/** Pure: the root script that installs the CA and writes the files, with as few processes as it can. */
export function provisionScript(plan: BottlePlan, caPem: string): string {
  const files: (AgentFile & { owner?: string })[] = [
    // Always present, even empty, so tools and people can rely on the path.
    { path: AGENT_PROMPT_FILE, content: plan.agent.prompt ? plan.agent.prompt + "\n" : "", mode: 0o600 },
    ...providerSpec(plan.provider).files(plan),
  ];
  const skillsDir = providerSpec(plan.provider).skillsDir;
  const dirs = new Set([BOTTLE_ETC, dirOf(SYSTEM_CA_SRC), SYSTEM_CA_DIR, ...files.map((f) => dirOf(f.path))]);
  if (skillsDir && plan.agent.skills.length) dirs.add(skillsDir);
  dirs.add(plan.workdir);
  const L = ["set -eu", "umask 022", `mkdir -p ${[...dirs].map(q).join(" ")}`];
  // The trust trio: system store (curl, git, apt), the CA alone (NODE_EXTRA_CA_CERTS adds),
  // and the merged bundle (SSL_CERT_FILE / REQUESTS_CA_BUNDLE replace the store).
  L.push(writeLine(SYSTEM_CA_SRC, caPem), writeLine(AGENT_CA_FILE, caPem));
  // Appending to the system bundle makes the CA usable at once. Tools that read the hashed
  // directory (OpenSSL's CApath) get, in the background, the links update-ca-certificates would
  // add for this one certificate; the full run (1.5-3 s of CPU re-reading every root, on every
  // launch, beside the bundle's start) only when it has hooks to run (Java keystores and the like).
  L.push(writeLine(SYSTEM_CA_BUNDLE, caPem, true));
  L.push(`cp ${SYSTEM_CA_BUNDLE} ${AGENT_CA_BUNDLE}`);
  const link =
    `if command -v openssl >/dev/null 2>&1 && h=$(openssl x509 -hash -noout -in ${SYSTEM_CA_SRC} 2>/dev/null); then` +
    ` ln -sf ${SYSTEM_CA_SRC} ${SYSTEM_CA_DIR}/bot-bottle.pem; i=0; while [ -e ${SYSTEM_CA_DIR}/$h.$i ]; do i=$((i+1)); done; ln -s bot-bottle.pem ${SYSTEM_CA_DIR}/$h.$i; fi`;
  const full = `update-ca-certificates >/dev/null 2>&1`;
  L.push(`hooks=; for f in ${CA_HOOKS_DIR}/*; do [ -e "$f" ] && hooks=1; done`);
  L.push(`if [ -n "$hooks" ] && command -v update-ca-certificates >/dev/null 2>&1; then (${full} &) </dev/null >/dev/null 2>&1; else ((${link}) >/dev/null 2>&1 &) </dev/null >/dev/null 2>&1; fi`);
  for (const f of files) L.push(writeLine(f.path, f.content));
  // One chmod per mode and one chown per owner, whatever the number of files.
  const byMode = new Map<string, string[]>([["0644", [AGENT_CA_FILE, AGENT_CA_BUNDLE]]]);
  const byOwner = new Map<string, string[]>();
  for (const f of files) {
    const mode = f.mode.toString(8).padStart(4, "0");
    byMode.set(mode, [...(byMode.get(mode) ?? []), f.path]);
    const owner = f.owner ?? `${AGENT_USER}:${AGENT_USER}`;
    byOwner.set(owner, [...(byOwner.get(owner) ?? []), f.path]);
  }
  for (const [mode, paths] of byMode) L.push(`chmod ${mode} ${paths.map(q).join(" ")}`);
  for (const [owner, paths] of byOwner) L.push(`chown ${owner} ${paths.map(q).join(" ")}`);
  // Agents are asked to commit their work (it is harvested as bot-bottle/<id>/… branches): give git
  // an identity that marks the commits as the bottle's, unless the image brings its own.
  if (plan.copyCwd) {
    const gitconfig = `${AGENT_HOME}/.gitconfig`;
    const body = `[user]\\n\\tname = ${AGENT_GIT_NAME}\\n\\temail = ${agentGitEmail(plan.identity)}\\n`;
    L.push(`if [ ! -e ${q(gitconfig)} ]; then printf ${q(body)} > ${q(gitconfig)}; chown ${AGENT_USER}:${AGENT_USER} ${q(gitconfig)}; fi`);
  }
  return L.join("\n") + "\n";
}

export const AGENT_GIT_NAME = "bot-bottle agent";
/** `.invalid` (RFC 2606): an address that never reaches anyone. */
export function agentGitEmail(identity: string): string {
  return `${identity}@bot-bottle.invalid`;
}

/** Printed by provisioning scripts for things worth telling the operator but not fatal. */
export const WARN_PREFIX = "bot-bottle-warning: ";

/**
 * Pure: point the agent's repositories at the git gate. A repo already in the
 * workdir (the cwd copy) gets the remote; otherwise the gate's mirror is cloned.
 * A failed clone is a warning: the bottle is still useful, and the agent can retry.
 */
export function gitRemotesScript(plan: BottlePlan): string {
  const L = ["set -u"];
  for (const g of plan.git) {
    const url = gateUrl(plan.network.bundleIp, plan.ports.gitGate, g.name);
    L.push(
      `if [ -e ${q(g.path + "/.git")} ]; then git -C ${q(g.path)} remote remove ${q(g.name)} 2>/dev/null; git -C ${q(g.path)} remote add ${q(g.name)} ${q(url)};` +
        ` else mkdir -p ${q(g.path)} && git clone --quiet --origin ${q(g.name)} ${q(url)} ${q(g.path)} 2>/dev/null || echo ${q(`${WARN_PREFIX}could not clone ${g.name} from the git gate into ${g.path}`)}; fi`,
    );
  }
  return L.join("\n") + "\n";
}

/** Pure: the final ownership fix after copies (docker cp keeps the host's uid). */
export function chownScript(plan: BottlePlan): string {
  return `set -eu\nchown -R ${AGENT_USER}:${AGENT_USER} ${q(AGENT_HOME)}${plan.workdir.startsWith(AGENT_HOME + "/") ? "" : ` ${q(plan.workdir)}`}\n`;
}

/**
 * Which files of the cwd to copy. In a git work tree: tracked and untracked
 * files that are not ignored, plus .git itself (history and remotes are useful
 * to the agent; ignored files are where `.env` and build output live).
 * Elsewhere: everything but node_modules.
 */
export async function cwdFileList(cwd: string, runner: Runner = run): Promise<string[] | null> {
  if (!existsSync(join(cwd, ".git"))) return null;
  const r = await runner(["git", "-C", cwd, "ls-files", "-z", "--cached", "--others", "--exclude-standard"]);
  if (r.code !== 0) return null;
  const files = r.stdout.split("\0").filter((f) => f && existsSync(join(cwd, f)));
  return [".git", ...files];
}

/** Pure: host tar argv for a copy. With a list, `listFile` holds NUL-separated names. */
export function tarArgv(srcDir: string, listFile?: string): string[] {
  if (listFile) return ["tar", "-c", "-C", srcDir, "--null", "-T", listFile];
  return ["tar", "-c", "-C", srcDir, "--exclude=node_modules", "."];
}

/** Pure: are there copies (skills, the cwd) to make after the root script? */
function hasCopies(plan: BottlePlan): boolean {
  return (providerSpec(plan.provider).skillsDir ? plan.agent.skills.length > 0 : false) || plan.copyCwd;
}

/**
 * Pure: what can run as the agent's container starts, before anything else
 * (the docker backend runs it as the container's own command, no `exec`):
 * the root script, plus the ownership fix when nothing is copied or cloned
 * after it. provisionAgent(…, { ranAtStart: true }) then does the rest.
 */
export function startScript(plan: BottlePlan, caPem: string): string {
  return provisionScript(plan, caPem) + (hasCopies(plan) || plan.git.length ? "" : chownScript(plan));
}

/** Show the operator the warnings a provisioning script printed. */
export function reportWarnings(out: string): void {
  for (const line of out.split("\n")) if (line.startsWith(WARN_PREFIX)) consola.warn(line.slice(WARN_PREFIX.length));
}

export interface ProvisionInput {
  plan: BottlePlan;
  caPem: string;
  /** startScript() already ran in the agent: only copies and git are left. */
  ranAtStart?: boolean;
  /** Temp folder on the host for file lists. */
  scratchDir: string;
  runner?: Runner;
  /** Settles when the bundle answers: only the git step needs it (clones come from the gate). */
  bundleReady?: Promise<unknown>;
}

/**
 * As few `exec`s as the copies allow (each costs a round trip to the engine):
 * the root script, the copies, then git remotes and the ownership fix in one.
 */
export async function provisionAgent(io: AgentIO, inp: ProvisionInput): Promise<void> {
  const { plan } = inp;
  const skillsDir = providerSpec(plan.provider).skillsDir;
  const skills = skillsDir ? plan.agent.skills : [];
  const copies = hasCopies(plan);
  if (inp.ranAtStart && !copies && !plan.git.length) return;
  const first = inp.ranAtStart ? "" : provisionScript(plan, inp.caPem);
  if (copies && first) await io.rootScript(first);
  for (const s of skills) {
    await io.rootScript(`mkdir -p ${q(`${skillsDir}/${s.name}`)}\n`);
    await io.untar(tarArgv(s.dir), `${skillsDir}/${s.name}`);
  }
  if (plan.copyCwd) {
    const list = await cwdFileList(plan.cwd, inp.runner);
    let listFile: string | undefined;
    if (list) {
      listFile = join(inp.scratchDir, "cwd-files");
      await Bun.write(listFile, list.join("\0") + "\0");
    }
    await io.untar(tarArgv(plan.cwd, listFile), plan.workdir);
  }
  let last = (copies ? "" : first) + chownScript(plan);
  if (plan.git.length) {
    await inp.bundleReady;
    // set +e: a failed clone is a warning (see gitRemotesScript); chownScript turns -e back on.
    last = (copies ? "" : first) + "set +e\n" + gitRemotesScript(plan) + chownScript(plan);
  }
  reportWarnings((await io.rootScript(last)) ?? "");
}
