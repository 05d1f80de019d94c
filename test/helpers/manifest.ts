// A project folder as the operator writes it: bot-bottle.toml plus
// agents/<name>.md. Tests build theirs here instead of by hand.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

/** agents/<name>.md text: TOML front matter between +++ lines, then the prompt. */
export function agentDoc(meta: Record<string, string>, prompt: string): string {
  const lines = Object.entries(meta).map(([k, v]) => `${k} = ${JSON.stringify(v)}`);
  return `+++\n${lines.join("\n")}\n+++\n${prompt}`;
}

/** The plain shell agent most docker tests run. */
export const SHELL_AGENT = agentDoc({ provider: "shell" }, "You are a test agent.\n");

/** A shell agent for tests that name their bottles themselves. */
export const SH_AGENT = '+++\nprovider = "shell"\n+++\nA test agent.\n';

/** `[bottles.box]` copying the project in, with the shell agent `box` (agents/box.md); `extra` follows. */
export const copyBoxManifest = (extra = "") => `
version = 1
[bottles.box]
agent = "box"
provider = "shell"
copy_cwd = true
${extra}`;

/** A project with one shell bottle `box` (agent `sh`); `boxToml` follows `[bottles.box]` (more keys, tables, bottles). */
export function writeShellBox(dir: string, boxToml = ""): string {
  return writeProject(dir, { agents: { sh: SHELL_AGENT }, manifest: `version = 1\n[bottles.box]\nagent = "sh"\n${boxToml}` });
}

export interface ProjectFiles {
  /** bot-bottle.toml text. */
  manifest: string;
  /** agents/<name>.md contents. */
  agents?: Record<string, string>;
  /** Any other file, relative to the project. */
  files?: Record<string, string>;
}

/** Write the project into `dir` (made if missing); returns `dir`. */
export function writeProject(dir: string, p: ProjectFiles): string {
  const put = (rel: string, text: string) => {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  };
  put("bot-bottle.toml", p.manifest);
  for (const [name, text] of Object.entries(p.agents ?? {})) put(`agents/${name}.md`, text);
  for (const [rel, text] of Object.entries(p.files ?? {})) put(rel, text);
  return dir;
}
