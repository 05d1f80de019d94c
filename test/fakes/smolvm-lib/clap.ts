// A small clap look-alike for the fake smolvm: long/short options with values,
// repeatable options, boolean flags (bundled `-it`), `--opt=value`,
// positionals, a trailing var-arg after `--`, conflicts, and clap's usage
// errors on stderr with exit code 2.

export interface OptSpec {
  long: string;
  short?: string;
  /** Takes a value (e.g. `--name NAME`). */
  value?: string;
  multi?: boolean;
  conflicts?: string[];
  required?: boolean;
}

export interface CmdSpec {
  usage: string;
  opts: OptSpec[];
  positionals: { name: string; required: boolean }[];
  /** Everything after the positionals (or `--`) is a command. */
  trailing?: { name: string; required: boolean };
}

export interface Parsed {
  opts: Record<string, string[] | boolean>;
  positionals: string[];
  trailing: string[];
}

export class UsageError extends Error {}

function usageFail(msg: string, spec: CmdSpec): never {
  throw new UsageError(`error: ${msg}\n\nUsage: ${spec.usage}\n\nFor more information, try '--help'.\n`);
}

const show = (o: OptSpec) => `--${o.long}${o.value ? ` <${o.value}>` : ""}`;

export function parse(argv: string[], spec: CmdSpec): Parsed {
  const out: Parsed = { opts: {}, positionals: [], trailing: [] };
  const byLong = new Map(spec.opts.map((o) => [o.long, o]));
  const byShort = new Map(spec.opts.filter((o) => o.short).map((o) => [o.short!, o]));
  const set = (o: OptSpec, val: string | true) => {
    if (val === true) {
      out.opts[o.long] = true;
      return;
    }
    const prev = out.opts[o.long];
    if (Array.isArray(prev) && !o.multi) usageFail(`the argument '${show(o)}' cannot be used multiple times`, spec);
    out.opts[o.long] = [...(Array.isArray(prev) ? prev : []), val];
  };
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--") {
      i++;
      break;
    }
    if (a.startsWith("--")) {
      const [name, inline] = a.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
      const o = byLong.get(name);
      if (!o) usageFail(`unexpected argument '--${name}' found`, spec);
      if (o.value) {
        const val = inline ?? argv[++i];
        if (val === undefined) usageFail(`a value is required for '${show(o)}' but none was supplied`, spec);
        set(o, val);
      } else set(o, true);
      continue;
    }
    if (a.startsWith("-") && a.length > 1) {
      for (let j = 1; j < a.length; j++) {
        const o = byShort.get(a[j]!);
        if (!o) usageFail(`unexpected argument '-${a[j]}' found`, spec);
        if (o.value) {
          const rest = a.slice(j + 1);
          const val = rest ? rest.replace(/^=/, "") : argv[++i];
          if (val === undefined) usageFail(`a value is required for '${show(o)}' but none was supplied`, spec);
          set(o, val);
          break;
        }
        set(o, true);
      }
      continue;
    }
    if (out.positionals.length < spec.positionals.length) {
      out.positionals.push(a);
      continue;
    }
    if (spec.trailing) break;
    usageFail(`unexpected argument '${a}' found`, spec);
  }
  out.trailing = argv.slice(i);
  if (out.trailing.length && !spec.trailing) usageFail(`unexpected argument '${out.trailing[0]}' found`, spec);
  const missing = [
    ...spec.positionals.filter((p, k) => p.required && out.positionals[k] === undefined).map((p) => `<${p.name}>`),
    ...spec.opts.filter((o) => o.required && out.opts[o.long] === undefined).map(show),
    ...(spec.trailing?.required && out.trailing.length === 0 ? [`<${spec.trailing.name}>...`] : []),
  ];
  if (missing.length) usageFail(`the following required arguments were not provided:\n  ${missing.join("\n  ")}`, spec);
  for (const o of spec.opts) {
    if (out.opts[o.long] === undefined) continue;
    for (const c of o.conflicts ?? []) {
      const other = byLong.get(c)!;
      if (out.opts[c] !== undefined) usageFail(`the argument '${show(o)}' cannot be used with '${show(other)}'`, spec);
    }
  }
  return out;
}

export const str = (p: Parsed, long: string): string | undefined => {
  const v = p.opts[long];
  return Array.isArray(v) ? v[v.length - 1] : undefined;
};
export const list = (p: Parsed, long: string): string[] => {
  const v = p.opts[long];
  return Array.isArray(v) ? v : [];
};
export const flag = (p: Parsed, long: string): boolean => p.opts[long] === true;
