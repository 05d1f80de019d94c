// The citty command tree, resolved into plain data the shell generators share.
// Subcommands are lazy imports in cli/index.ts; resolving them all is fine here:
// completions are generated once, at install time.
import type { ArgDef, CommandDef, CommandMeta } from "citty";

/** `bottle` / `id`: asked of the CLI when completing (`bot-bottle __complete bottles|ids`). */
export type Completion = "file" | "dir" | "none" | "bottle" | "id";

/** The hidden command the shells call for dynamic words, per completion kind. */
export const DYNAMIC: Record<"bottle" | "id", string> = { bottle: "__complete bottles", id: "__complete ids" };

export interface FlagSpec {
  /** Long names without dashes, first is canonical (`manifest`). */
  long: string[];
  /** Single-letter aliases without the dash (`m`). */
  short: string[];
  description: string;
  takesValue: boolean;
  /** Enum values, completed after the flag. */
  values?: string[];
  /** How to complete a free value: files, folders or nothing. */
  complete: Completion;
  /** String flags may be repeated (`--env A=1 --env B=2`). */
  repeatable: boolean;
  /** What the value looks like (`FILE`, `K=V`), for shells that show it. */
  hint?: string;
}

export interface PositionalSpec {
  name: string;
  description: string;
  values?: string[];
  complete: Completion;
}

export interface CommandNode {
  name: string;
  description: string;
  flags: FlagSpec[];
  positionals: PositionalSpec[];
  subcommands: CommandNode[];
}

/** Flags the CLI accepts everywhere (handled in main.ts before citty sees them). */
const boolFlag = (long: string, short: string, description: string): FlagSpec => ({
  long: [long],
  short: [short],
  description,
  takesValue: false,
  complete: "none",
  repeatable: false,
});
export const HELP_FLAG = boolFlag("help", "h", "Show help");
export const VERSION_FLAG = boolFlag("version", "v", "Show version and commit");

// Names end up inside shell code; anything else is a bug in a command definition.
const SAFE_WORD = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

function safe(word: string, what: string): string {
  if (!SAFE_WORD.test(word)) throw new Error(`completions: ${what} ${JSON.stringify(word)} is not a plain word`);
  return word;
}

async function resolve<T>(r: T | Promise<T> | (() => T) | (() => Promise<T>) | undefined): Promise<T | undefined> {
  return typeof r === "function" ? await (r as () => T | Promise<T>)() : await r;
}

function valueCompletion(hint: string | undefined, name: string, positional = false): Completion {
  const h = `${hint ?? ""} ${name}`.toUpperCase();
  // A bottle name from the manifest, or the id of a recorded bottle.
  if (positional && name === "bottle") return "bottle";
  if (positional && name === "id") return "id";
  if (/\b(DIR|FOLDER)\b/.test(h)) return "dir";
  if (/\b(FILE|PATH|MANIFEST)\b/.test(h)) return "file";
  return "none";
}

function oneLine(s: string | undefined): string {
  return (s ?? "").replace(/\s+/g, " ").trim();
}

/** Positionals may carry `options` (citty ignores it) so completions know their values. */
function optionsOf(def: ArgDef): string[] | undefined {
  const o = (def as { options?: unknown }).options;
  return Array.isArray(o) ? o.map((v) => safe(String(v), "value")) : undefined;
}

export function argsToSpecs(args: Record<string, ArgDef>): { flags: FlagSpec[]; positionals: PositionalSpec[] } {
  const flags: FlagSpec[] = [];
  const positionals: PositionalSpec[] = [];
  for (const [name, def] of Object.entries(args)) {
    const values = optionsOf(def);
    if (def.type === "positional") {
      positionals.push({
        name: safe(name, "argument"),
        description: oneLine(def.description),
        values,
        complete: values ? "none" : valueCompletion(def.valueHint, name, true),
      });
      continue;
    }
    const aliases = [(def as { alias?: string | string[] }).alias ?? []].flat();
    const takesValue = def.type === "string" || def.type === "enum";
    flags.push({
      long: [name, ...aliases.filter((a) => a.length > 1)].map((n) => safe(n, "flag")),
      short: aliases.filter((a) => a.length === 1).map((n) => safe(n, "flag")),
      description: oneLine(def.description),
      takesValue,
      values: def.type === "enum" ? values ?? [] : undefined,
      complete: takesValue && def.type !== "enum" ? valueCompletion(def.valueHint, name) : "none",
      repeatable: def.type === "string",
      hint: takesValue ? oneLine(def.valueHint) || undefined : undefined,
    });
  }
  return { flags, positionals };
}

/**
 * Walk a citty command and every subcommand (resolving lazy ones); hidden
 * commands are left out. The root's flags (`--debug`, `--help`) are accepted
 * anywhere on the line, so every subcommand inherits them; `--version` only
 * works alone, at the root.
 */
export async function commandTree(cmd: CommandDef<any>, name: string, inherited?: FlagSpec[]): Promise<CommandNode> {
  const meta = (await resolve<CommandMeta>(cmd.meta)) ?? {};
  const args = (await resolve<Record<string, ArgDef>>(cmd.args)) ?? {};
  const subs = (await resolve<Record<string, unknown>>(cmd.subCommands as never)) ?? {};
  const own = argsToSpecs(args);
  const root = inherited === undefined;
  const passDown = root ? [...own.flags, HELP_FLAG] : inherited;
  // A command's own flag wins over an inherited one spelled the same way.
  const taken = new Set(own.flags.flatMap(flagWords));
  const flags = [...own.flags, ...passDown.filter((f) => !flagWords(f).some((w) => taken.has(w)))];
  if (root) flags.push(VERSION_FLAG);
  const subcommands: CommandNode[] = [];
  for (const [subName, sub] of Object.entries(subs)) {
    const def = await resolve<CommandDef<any>>(sub as never);
    if (!def) continue;
    const subMeta = (await resolve<CommandMeta>(def.meta)) ?? {};
    if (subMeta.hidden) continue;
    subcommands.push(await commandTree(def, subName, passDown));
  }
  return { name: safe(name, "command"), description: oneLine(meta.description), flags, positionals: own.positionals, subcommands };
}

/** Every command in the tree with its path of names from the root (root's path is []). */
export function walk(node: CommandNode, path: string[] = []): { path: string[]; node: CommandNode }[] {
  return [{ path, node }, ...node.subcommands.flatMap((s) => walk(s, [...path, s.name]))];
}

/** All spellings of a flag on the command line: `--manifest`, `-m`. */
export function flagWords(f: FlagSpec): string[] {
  return [...f.long.map((l) => `--${l}`), ...f.short.map((s) => `-${s}`)];
}
