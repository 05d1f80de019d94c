// Pure: TOML text → validated manifest, or a BottleError naming file, line, key and fix.
import { parse as parseToml, TomlError } from "smol-toml";
import * as v from "valibot";
import { BottleError } from "../util/errors.ts";
import { locateKey, tomlEntries } from "./locate.ts";

export function parseTomlText(source: string, file: string): Record<string, unknown> {
  try {
    return parseToml(source) as Record<string, unknown>;
  } catch (e) {
    if (e instanceof TomlError) {
      const firstLine = e.message.split("\n")[0]!.replace(/^Invalid TOML document:\s*/, "");
      throw new BottleError("MANIFEST_PARSE", `invalid TOML: ${firstLine}`, {
        file,
        line: e.line,
        key: keyAtLine(source, e.line),
        hint: "fix the TOML syntax at that line (quote strings, close brackets, one key per line)",
      });
    }
    throw e;
  }
}

/** The key written on a 1-based line (with its table prefix), for syntax errors; undefined if none. */
export function keyAtLine(source: string, line: number): string | undefined {
  let entries: ReturnType<typeof tomlEntries>;
  try {
    entries = tomlEntries(source);
  } catch {
    return undefined; // the scanner is best effort on broken TOML
  }
  const here = entries.filter((e) => e.line === line);
  const deepest = here.sort((a, b) => b.path.length - a.path.length)[0];
  return deepest ? formatKey(deepest.path) || undefined : undefined;
}

/** Validate `data` against `schema`; the first issue becomes a located BottleError. */
export function validate<S extends v.GenericSchema>(
  schema: S,
  data: unknown,
  source: string,
  file: string,
  keyPrefix: (string | number)[] = [],
): v.InferOutput<S> {
  const res = v.safeParse(schema, data);
  if (res.success) return res.output;
  const { issue, path } = pickIssue(res.issues);
  const key = formatKey([...keyPrefix, ...path]);
  throw new BottleError("MANIFEST_INVALID", describeIssue(issue), {
    file,
    line: locateKey(source, path),
    key: key || undefined,
    hint: hintFor(issue, path),
  });
}

type Issue = v.BaseIssue<unknown>;
type Located = { issue: Issue; path: (string | number)[] };

// Prefer the deepest issue: it names the exact key. A union (an env value may be a
// string or a table) reports itself first; when one branch got further, e.g. a table
// with an unknown key, that branch's issue says more. Its path is relative to the union.
function pickIssue(issues: readonly Issue[]): Located {
  const all: Located[] = [];
  const collect = (list: readonly Issue[], base: (string | number)[]) => {
    for (const issue of list) {
      const path = [...base, ...(issue.path ?? []).map((p) => p.key as string | number)];
      all.push({ issue, path });
      if (issue.type === "union" && issue.issues) collect(issue.issues, path);
    }
  };
  collect(issues, []);
  return all.reduce((best, c) => (c.path.length > best.path.length ? c : best));
}

export function formatKey(path: (string | number)[]): string {
  let out = "";
  for (const p of path) out += typeof p === "number" ? `[${p}]` : out ? `.${p}` : p;
  return out;
}

// valibot's own messages start with "Invalid "; anything else is ours, written as advice.
const isCustom = (issue: Issue) => !/^Invalid /.test(issue.message);
const isMissing = (issue: Issue) => issue.kind === "schema" && issue.received === "undefined";

function describeIssue(issue: Issue): string {
  if (issue.type === "strict_object" && issue.expected === "never") return `unknown key ${issue.received}`;
  if (isMissing(issue)) return "missing required key";
  // A value of the right type that breaks a rule (regex, range, one of a list).
  if (issue.kind === "validation" || issue.type === "picklist" || issue.type === "literal") {
    return /^(Object|Array)$/.test(issue.received) ? "invalid value" : `invalid value ${issue.received}`;
  }
  return `expected ${describeExpected(issue)}, got ${issue.received}`;
}

function describeExpected(issue: Issue): string {
  if (issue.type === "union") return "a string or a table";
  return issue.expected ?? "another value";
}

function hintFor(issue: Issue, path: (string | number)[]): string {
  if (issue.type === "strict_object" && issue.expected === "never") {
    return "remove it or check its spelling against the manifest reference in README.md";
  }
  if (isMissing(issue)) {
    if (path.length === 1 && path[0] === "bottles") return 'add a [bottles.NAME] table with agent = "NAME"';
    return `add \`${String(path[path.length - 1])} = ...\``;
  }
  if (isCustom(issue)) return issue.message;
  return `change the value to ${article(issue.expected ?? "another value")}`;
}

function article(expected: string): string {
  return /^[aeiouAEIOU]/.test(expected) ? `an ${expected}` : /^[a-zA-Z]/.test(expected) ? `a ${expected}` : expected;
}
