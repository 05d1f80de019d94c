// Strict command lines, for every command at once: walks citty's command
// definitions (their `args` and `subCommands`) so a new command gets the same
// checks for free. Unknown commands, flags, enum values and extra positionals
// are usage errors with a "did you mean", before anything runs.
import type { ArgDef, CommandDef, CommandMeta } from "citty";
import { argsToSpecs, flagWords, HELP_FLAG, VERSION_FLAG, type FlagSpec } from "../completions/tree.ts";
import { BottleError } from "../util/errors.ts";
import { closest } from "../util/suggest.ts";
import { EXIT } from "../util/exit-codes.ts";

/** What a command says about itself beyond citty's meta. */
export interface CliMeta extends CommandMeta {
  /** Takes `-- COMMAND…` after its own arguments (run, exec, resume). */
  takesCommand?: boolean;
  /** Exits with the agent's code, so its own failures use the reserved codes (125…). */
  passesExitCode?: boolean;
}

/** A positional that may repeat (`rm ID…`); citty leaves the extra ones in `args._`. */
export type VariadicMark = { variadic?: boolean };

export interface CommandShape {
  /** Names from the root: `["supervise"]`, `["bundle", "proxy"]`; `[]` for the root. */
  path: string[];
  flags: FlagSpec[];
  positionals: { name: string; required: boolean; variadic: boolean; values?: string[] }[];
  subcommands: string[];
  meta: CliMeta;
}

async function resolve<T>(r: unknown): Promise<T | undefined> {
  return (typeof r === "function" ? await (r as () => unknown)() : await r) as T | undefined;
}

function shapeOf(path: string[], args: Record<string, ArgDef>, inherited: FlagSpec[], subcommands: string[], meta: CliMeta): CommandShape {
  const own = argsToSpecs(args);
  const taken = new Set(own.flags.flatMap(flagWords));
  const flags = [...own.flags, ...inherited.filter((f) => !flagWords(f).some((w) => taken.has(w)))];
  if (!path.length) flags.push(VERSION_FLAG);
  const positionals = Object.entries(args)
    .filter(([, d]) => d.type === "positional")
    .map(([name, d]) => ({
      name,
      required: d.required !== false && d.default === undefined,
      variadic: !!(d as VariadicMark).variadic,
      values: own.positionals.find((p) => p.name === name)?.values,
    }));
  return { path, flags, positionals, subcommands, meta };
}

const usage = (path: string[]) => `\`bot-bottle ${[...path, "--help"].join(" ")}\` shows the usage`;

function isFlag(t: string): boolean {
  return t.length > 1 && t.startsWith("-") && t !== "--";
}

/** The flag a `--name` / `-x` token names, and how many tokens it uses. Throws on unknown ones. */
function readFlag(shape: CommandShape, tokens: string[], i: number): number {
  const t = tokens[i]!;
  const where = shape.path.length ? `\`${shape.path.join(" ")}\`` : "bot-bottle";
  if (t.startsWith("--")) {
    const eq = t.indexOf("=");
    const name = eq === -1 ? t.slice(2) : t.slice(2, eq);
    let flag = shape.flags.find((f) => f.long.includes(name));
    if (!flag && name.startsWith("no-")) flag = shape.flags.find((f) => !f.takesValue && f.long.includes(name.slice(3)));
    if (!flag) {
      const near = closest(`--${name}`, shape.flags.flatMap((f) => f.long.map((l) => `--${l}`)));
      throw new BottleError("USAGE", `${where} has no flag --${name}`, { hint: near ? `did you mean \`${near}\`?` : usage(shape.path) });
    }
    if (!flag.takesValue) return 1;
    const value = eq !== -1 ? t.slice(eq + 1) : tokens[i + 1];
    if (value === undefined || (eq === -1 && isFlag(value)) || (eq === -1 && value === "--")) {
      throw new BottleError("USAGE", `--${name} needs a value`, { hint: `--${name} ${flag.hint ?? "VALUE"}` });
    }
    checkEnum(flag, `--${name}`, value);
    return eq === -1 ? 2 : 1;
  }
  // -x, or a cluster -yd; a value-taking short flag ends the cluster (-eK=V).
  const letters = t.slice(1);
  for (let k = 0; k < letters.length; k++) {
    const ch = letters[k]!;
    const flag = shape.flags.find((f) => f.short.includes(ch));
    if (!flag) {
      const near = letters.length === 1 ? closest(`--${ch}`, shape.flags.flatMap((f) => f.long.map((l) => `--${l}`))) : undefined;
      throw new BottleError("USAGE", `${where} has no flag -${ch}`, { hint: near ? `did you mean \`${near}\`?` : usage(shape.path) });
    }
    if (!flag.takesValue) continue;
    const rest = letters.slice(k + 1).replace(/^=/, "");
    if (rest) return checkEnum(flag, `-${ch}`, rest), 1;
    const value = tokens[i + 1];
    if (value === undefined || isFlag(value) || value === "--") throw new BottleError("USAGE", `-${ch} needs a value`, { hint: `-${ch} ${flag.hint ?? "VALUE"}` });
    checkEnum(flag, `-${ch}`, value);
    return 2;
  }
  return 1;
}

function checkEnum(flag: FlagSpec, spelled: string, value: string): void {
  if (!flag.values?.length || flag.values.includes(value)) return;
  const near = closest(value, flag.values);
  throw new BottleError("USAGE", `${spelled} ${JSON.stringify(value)} is not one of ${flag.values.join(", ")}`, {
    hint: near ? `did you mean \`${spelled} ${near}\`?` : `use one of: ${flag.values.join(", ")}`,
  });
}

/** Pure: check the tokens after a leaf command's name against its shape. */
export function checkLeaf(shape: CommandShape, tokens: string[]): void {
  const name = shape.path.join(" ");
  let given = 0;
  for (let i = 0; i < tokens.length; ) {
    const t = tokens[i]!;
    if (t === "--") {
      if (!shape.meta.takesCommand) {
        throw new BottleError("USAGE", `\`${name}\` takes no \`-- COMMAND\``, { hint: usage(shape.path) });
      }
      break;
    }
    if (isFlag(t)) {
      i += readFlag(shape, tokens, i);
      continue;
    }
    const slot = shape.positionals[Math.min(given, shape.positionals.length - 1)];
    if (!slot || (given >= shape.positionals.length && !slot.variadic)) {
      const extra = shape.positionals.length ? "" : ` (it takes no arguments)`;
      throw new BottleError("USAGE", `unexpected argument ${JSON.stringify(t)} for \`${name}\`${extra}`, { hint: usage(shape.path) });
    }
    if (slot.values && !slot.values.includes(t)) {
      const near = closest(t, slot.values);
      throw new BottleError("USAGE", `${JSON.stringify(t)} is not a ${slot.name} \`${name}\` knows`, {
        hint: near ? `did you mean \`${near}\`?` : `choose one of: ${slot.values.join(", ")}`,
      });
    }
    given++;
    i++;
  }
  const missing = shape.positionals.slice(given).find((p) => p.required);
  if (missing) {
    const line = ["bot-bottle", ...shape.path, ...shape.positionals.map((p) => (p.required ? p.name.toUpperCase() : `[${p.name.toUpperCase()}]`))].join(" ");
    throw new BottleError("USAGE", `missing ${missing.name.toUpperCase()}`, { hint: `usage: ${line}` });
  }
}

/**
 * Resolve the command a line names (loading only that path's lazy modules)
 * and check its flags and arguments; throws a USAGE BottleError. Returns the
 * leaf's shape (its meta says how the CLI reports failures).
 */
export async function checkCommandLine(root: CommandDef<any>, argv: string[]): Promise<CommandShape> {
  let cmd: CommandDef<any> = root;
  const path: string[] = [];
  let inherited: FlagSpec[] = [];
  let tokens = argv;
  for (;;) {
    const args = (await resolve<Record<string, ArgDef>>(cmd.args)) ?? {};
    const meta = (await resolve<CliMeta>(cmd.meta)) ?? {};
    const subs = (await resolve<Record<string, unknown>>(cmd.subCommands)) ?? {};
    if (!path.length) inherited = [...argsToSpecs(args).flags, HELP_FLAG];
    const shape = shapeOf(path, args, inherited, Object.keys(subs), meta);
    if (!shape.subcommands.length) {
      try {
        checkLeaf(shape, tokens);
      } catch (e) {
        // A command that passes the agent's exit code reports its own usage errors as 125 too.
        if (e instanceof BottleError && meta.passesExitCode) throw new BottleError(e.code, e.message, { hint: e.hint, exitCode: EXIT.FAILED });
        throw e;
      }
      return shape;
    }
    // The first word that is not a flag (or a flag's value) names the subcommand.
    let i = 0;
    while (i < tokens.length && isFlag(tokens[i]!)) i += readFlag(shape, tokens, i);
    const word = tokens[i];
    if (word === undefined || word === "--") {
      if (word === "--") checkLeaf(shape, tokens.slice(i));
      if (cmd.run) return shape;
      throw new BottleError("USAGE", `\`${path.join(" ")}\` needs a command: ${shape.subcommands.join(", ")}`, { hint: usage(path) });
    }
    const next = subs[word];
    if (!next) {
      const near = closest(word, shape.subcommands);
      const full = (w: string) => ["bot-bottle", ...path, w].join(" ");
      throw new BottleError("USAGE", `unknown command ${JSON.stringify(word)}`, { hint: near ? `did you mean \`${full(near)}\`?` : usage(path) });
    }
    path.push(word);
    tokens = [...tokens.slice(0, i), ...tokens.slice(i + 1)];
    cmd = (await resolve<CommandDef<any>>(next))!;
  }
}
