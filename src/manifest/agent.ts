// Pure: an agent markdown file → front matter + system prompt.
// Front matter is TOML between `+++` lines (Hugo style), optional.
import { BottleError } from "../util/errors.ts";
import { agentFrontMatter, type AgentFrontMatter } from "./schema.ts";
import { parseTomlText, validate } from "./parse.ts";

export interface AgentDoc {
  meta: AgentFrontMatter;
  prompt: string;
  /** The front matter's TOML (its line 1 is the file's line 2), to locate keys in later errors. */
  frontMatter?: string;
}

export function parseAgentDoc(text: string, file: string): AgentDoc {
  const src = text.replace(/^\uFEFF/, "").replace(/\r\n/g, "\n");
  if (!src.startsWith("+++\n") && src.trim() !== "+++") {
    return { meta: {}, prompt: src.trim() };
  }
  const end = src.indexOf("\n+++", 3);
  if (end === -1) {
    throw new BottleError("MANIFEST_PARSE", "front matter opened with `+++` is never closed", {
      file,
      line: 1,
      hint: "add a line containing only `+++` after the front matter",
    });
  }
  const fm = src.slice(4, end + 1);
  const afterFence = src.indexOf("\n", end + 1);
  const body = afterFence === -1 ? "" : src.slice(afterFence + 1);
  let data: Record<string, unknown>;
  try {
    data = parseTomlText(fm, file);
  } catch (e) {
    // Line numbers are relative to the front matter; the file has one fence line before it.
    if (e instanceof BottleError && e.line !== undefined) {
      throw new BottleError(e.code, e.message, { file, line: e.line + 1, hint: e.hint });
    }
    throw e;
  }
  let meta: AgentFrontMatter;
  try {
    meta = validate(agentFrontMatter, data, fm, file);
  } catch (e) {
    if (e instanceof BottleError && e.line !== undefined) {
      throw new BottleError(e.code, e.message, { file, line: e.line + 1, key: e.key, hint: e.hint });
    }
    throw e;
  }
  return { meta, prompt: body.trim(), frontMatter: fm };
}
