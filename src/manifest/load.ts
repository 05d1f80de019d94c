// I/O shell around the pure manifest parser: find the file, read agents and
// skills, and return one LoadedManifest with every path made absolute.
import { closest } from "../util/suggest.ts";
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { BottleError } from "../util/errors.ts";
import { parseAgentDoc, type AgentDoc } from "./agent.ts";
import { DEFAULT_AGENTS, DEFAULT_MANIFEST_NAME, DEFAULT_MANIFEST_TOML } from "./default.ts";
import { locateKey } from "./locate.ts";
import { parseTomlText, validate } from "./parse.ts";
import { manifest as manifestSchema, type BottleSpec } from "./schema.ts";

export const MANIFEST_FILE = "bot-bottle.toml";

export interface LoadedAgent extends AgentDoc {
  name: string;
  file: string;
  /** Absolute skill folders, in front-matter order. */
  skills: { name: string; dir: string }[];
}

export interface LoadedManifest {
  file: string;
  dir: string;
  builtin: boolean;
  source: string;
  bottles: Record<string, BottleSpec>;
  agents: Record<string, LoadedAgent>;
}

export interface LoadOptions {
  /** --manifest; otherwise bot-bottle.toml in cwd; otherwise the built-in default. */
  path?: string;
  cwd: string;
}

export function findManifest(opts: LoadOptions): string | null {
  if (opts.path) {
    const p = resolve(opts.cwd, opts.path);
    if (!existsSync(p)) {
      throw new BottleError("MANIFEST_NOT_FOUND", `manifest ${p} does not exist`, {
        hint: "check the --manifest path, or run `bot-bottle init` to write one",
      });
    }
    return statSync(p).isDirectory() ? join(p, MANIFEST_FILE) : p;
  }
  const p = join(opts.cwd, MANIFEST_FILE);
  return existsSync(p) ? p : null;
}

export function loadManifest(opts: LoadOptions): LoadedManifest {
  const file = findManifest(opts);
  if (!file) return loadBuiltin();
  if (!existsSync(file)) {
    throw new BottleError("MANIFEST_NOT_FOUND", `no ${MANIFEST_FILE} in ${dirname(file)}`, {
      hint: "run `bot-bottle init` there, or pass --manifest FILE",
    });
  }
  const source = readFileSync(file, "utf8");
  return loadFromSource(source, file, dirname(file), (path, agentName) => {
    if (!existsSync(path)) return null;
    return readFileSync(path, "utf8");
  });
}

export function loadBuiltin(): LoadedManifest {
  return loadFromSource(DEFAULT_MANIFEST_TOML, DEFAULT_MANIFEST_NAME, process.cwd(), (_p, name) => DEFAULT_AGENTS[name] ?? null, true);
}

type ReadAgent = (path: string, agentName: string) => string | null;

export function loadFromSource(
  source: string,
  file: string,
  dir: string,
  readAgent: ReadAgent,
  builtin = false,
): LoadedManifest {
  const data = parseTomlText(source, file);
  const m = validate(manifestSchema, data, source, file);
  const agentsDir = resolve(dir, m.agents_dir ?? "agents");
  const skillsDir = resolve(dir, m.skills_dir ?? "skills");
  const agents: Record<string, LoadedAgent> = {};
  for (const [bottleName, b] of Object.entries(m.bottles)) {
    if (agents[b.agent]) continue;
    const agentFile = builtin ? `${DEFAULT_MANIFEST_NAME}/agents/${b.agent}.md` : join(agentsDir, `${b.agent}.md`);
    const text = readAgent(agentFile, b.agent);
    if (text === null) {
      throw new BottleError("AGENT_NOT_FOUND", `agent "${b.agent}" has no file ${agentFile}`, {
        file,
        line: locateKey(source, ["bottles", bottleName, "agent"]),
        key: `bottles.${bottleName}.agent`,
        hint: `create ${agentFile} (a markdown prompt, optional +++ TOML front matter) or fix the agent name`,
      });
    }
    const doc = parseAgentDoc(text, agentFile);
    const skills = (doc.meta.skills ?? []).map((s) => {
      const sdir = join(skillsDir, s);
      if (builtin || !existsSync(sdir) || !statSync(sdir).isDirectory()) {
        const line = doc.frontMatter === undefined ? undefined : locateKey(doc.frontMatter, ["skills"]);
        throw new BottleError("MANIFEST_INVALID", `skill "${s}" has no folder ${sdir}`, {
          file: agentFile,
          line: line === undefined ? undefined : line + 1,
          key: "skills",
          hint: `create ${sdir}/SKILL.md, or remove "${s}" from the agent's skills`,
        });
      }
      return { name: s, dir: sdir };
    });
    agents[b.agent] = { ...doc, name: b.agent, file: agentFile, skills };
  }
  return { file, dir, builtin, source, bottles: m.bottles, agents };
}

export function getBottle(m: LoadedManifest, name: string): BottleSpec {
  const b = m.bottles[name];
  if (!b) {
    const names = Object.keys(m.bottles);
    const near = closest(name, names);
    throw new BottleError("BOTTLE_NOT_FOUND", `no bottle "${name}" in ${m.file}`, {
      hint: near ? `did you mean \`${near}\`?` : `choose one of: ${names.join(", ")}`,
    });
  }
  return b;
}
