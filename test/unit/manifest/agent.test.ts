import { describe, expect, test } from "bun:test";
import { parseAgentDoc } from "../../../src/manifest/agent.ts";
import { thrown } from "../../helpers/thrown.ts";

describe("parseAgentDoc", () => {
  test.each([
    ["no front matter: the whole file is the prompt", "  Just a prompt.\n\n", {}, "Just a prompt."],
    ["front matter and body", '+++\ndescription = "d"\nmodel = "m"\n+++\nBody line 1\nBody line 2\n', { description: "d", model: "m" }, "Body line 1\nBody line 2"],
    ["empty front matter", "+++\n+++\nBody", {}, "Body"],
    ["front matter only", '+++\nprovider = "codex"\n+++', { provider: "codex" }, ""],
    ["CRLF line endings", '+++\r\ndescription = "d"\r\n+++\r\nBody\r\n', { description: "d" }, "Body"],
    ["byte-order mark", '\uFEFF+++\nname = "n"\n+++\nBody', { name: "n" }, "Body"],
    ["+++ later in the body is just text", "Intro\n+++\nnot front matter", {}, "Intro\n+++\nnot front matter"],
    ["skills list", '+++\nskills = ["review", "test-writing"]\n+++\n', { skills: ["review", "test-writing"] }, ""],
  ] as [string, string, Record<string, unknown>, string][])("%s", (_why, text, meta, prompt) => {
    const doc = parseAgentDoc(text, "agents/a.md");
    expect(doc.meta as Record<string, unknown>).toEqual(meta);
    expect(doc.prompt).toBe(prompt);
  });

  test.each([
    ["unclosed fence", '+++\ndescription = "d"\nBody', "MANIFEST_PARSE", 1, undefined],
    ["bad TOML on file line 3", '+++\ndescription = "d"\nmodel = unquoted\n+++\n', "MANIFEST_PARSE", 3, undefined],
    ["unknown key on file line 4", '+++\n# comment\n\ncolour = "red"\n+++\n', "MANIFEST_INVALID", 4, "colour"],
    ["wrong provider on file line 2", '+++\nprovider = "gpt"\n+++\n', "MANIFEST_INVALID", 2, "provider"],
    ["bad skill name on file line 3", '+++\ndescription = "d"\nskills = ["ok", "Not OK"]\n+++\n', "MANIFEST_INVALID", 3, "skills[1]"],
  ] as [string, string, string, number, string | undefined][])("%s: error located in the agent file", (_why, text, code, line, key) => {
    const e = thrown(() => parseAgentDoc(text, "agents/a.md"));
    expect(e.code as string).toBe(code);
    expect(e.file).toBe("agents/a.md");
    expect(e.line).toBe(line);
    expect(e.key).toBe(key);
    expect(e.hint).toBeTruthy();
  });
});
