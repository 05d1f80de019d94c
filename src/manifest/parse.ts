// Pure: TOML text → validated manifest, or a BottleError naming file, line, key and fix.
import { parse as parseToml, TomlError } from "smol-toml";
import * as v from "valibot";
import { BottleError } from "../util/errors.ts";
import { locateKey } from "./locate.ts";

export function parseTomlText(source: string, file: string): Record<string, unknown> {
  try {
    return parseToml(source) as Record<string, unknown>;
  } catch (e) {
    if (e instanceof TomlError) {
      const firstLine = e.message.split("\n")[0]!.replace(/^Invalid TOML document:\s*/, "");
      throw new BottleError("MANIFEST_PARSE", `invalid TOML: ${firstLine}`, {
        file,
        line: e.line,
        hint: "fix the TOML syntax at that line (quote strings, close brackets, one key per line)",
      });
    }
    throw e;
  }
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
  const issue = pickIssue(res.issues);
  const path = (issue.path ?? []).map((p) => p.key as string | number);
  const key = formatKey([...keyPrefix, ...path]);
  throw new BottleError("MANIFEST_INVALID", describeIssue(issue), {
    file,
    line: locateKey(source, path),
    key: key || undefined,
    hint: hintFor(issue, path),
  });
}

// Prefer the deepest issue: for unions valibot reports the union first, which says less.
function pickIssue(issues: readonly v.BaseIssue<unknown>[]): v.BaseIssue<unknown> {
  return [...issues].sort((a, b) => (b.path?.length ?? 0) - (a.path?.length ?? 0))[0]!;
}

export function formatKey(path: (string | number)[]): string {
  let out = "";
  for (const p of path) out += typeof p === "number" ? `[${p}]` : out ? `.${p}` : p;
  return out;
}

function describeIssue(issue: v.BaseIssue<unknown>): string {
  if (issue.type === "strict_object") return `unknown key ${issue.received}`;
  if (issue.received === "undefined" && issue.kind === "schema") return `missing required key (expected ${issue.expected})`;
  if (issue.kind === "schema") return `expected ${issue.expected}, got ${issue.received}`;
  return issue.message;
}

function hintFor(issue: v.BaseIssue<unknown>, path: (string | number)[]): string {
  if (issue.type === "strict_object") return "remove it or check its spelling against the manifest reference in README.md";
  if (issue.received === "undefined") return `add \`${String(path[path.length - 1])} = ...\``;
  if (issue.kind === "validation") return issue.message;
  return `change the value to a ${issue.expected}`;
}
