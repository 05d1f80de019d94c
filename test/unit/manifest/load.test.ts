import { describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { findManifest, getBottle, loadBuiltin, loadFromSource, loadManifest, MANIFEST_FILE } from "../../../src/manifest/load.ts";
import { EXAMPLE_AGENT, EXAMPLE_MANIFEST } from "../../../src/manifest/example.ts";
import { DEFAULT_MANIFEST_NAME } from "../../../src/manifest/default.ts";
import { BAD_MANIFESTS } from "../../fixtures/manifests/cases.ts";
import { thrown } from "../../helpers/thrown.ts";
import { tempDirs } from "../../helpers/tmp.ts";

const tempDir = tempDirs("bb-manifest-");

const FIXTURES = join(import.meta.dir, "../../fixtures/manifests");

describe("valid manifests", () => {
  test("the example `init` writes validates, with its agent", () => {
    const dir = tempDir();
    mkdirSync(join(dir, "agents"));
    writeFileSync(join(dir, MANIFEST_FILE), EXAMPLE_MANIFEST);
    writeFileSync(join(dir, "agents", "dev.md"), EXAMPLE_AGENT);
    const m = loadManifest({ cwd: dir });
    expect(m.file).toBe(join(dir, MANIFEST_FILE));
    expect(Object.keys(m.bottles)).toEqual(["dev"]);
    expect(m.bottles.dev).toMatchObject({ agent: "dev", provider: "claude", copy_cwd: true, allow: ["registry.npmjs.org", "*.github.com"] });
    expect(m.bottles.dev!.egress).toEqual([{ host: "api.anthropic.com", kind: "anthropic-api-key", credential: "${ANTHROPIC_API_KEY}" }]);
    expect(m.agents.dev!.prompt).toStartWith("You are a careful software engineer");
    expect(m.agents.dev!.meta.description).toBe("A careful developer");
  });

  test("the built-in default validates and needs no files", () => {
    const m = loadBuiltin();
    expect(m.builtin).toBe(true);
    expect(m.file).toBe(DEFAULT_MANIFEST_NAME);
    expect(Object.keys(m.bottles).sort()).toEqual(["claude", "codex", "demo", "gemini", "opencode"]);
    expect(Object.keys(m.agents).sort()).toEqual(["coder", "demo"]);
    expect(m.bottles.demo).toMatchObject({ provider: "shell", allow: ["example.com"] });
    // The agents that do tasks on the operator's repo copy it in, so their work is harvested home.
    expect(m.bottles.claude!.copy_cwd).toBe(true);
    expect(m.bottles.codex!.copy_cwd).toBe(true);
    expect(m.agents.coder!.prompt).toContain("Commit your work");
  });

  test("the fixture using most of the schema validates; skills resolve to folders", () => {
    const m = loadManifest({ cwd: FIXTURES, path: "valid.toml" });
    expect(m.bottles.dev!.env).toEqual({ GREETING: "hello", TOKEN: { value: "${HOME}", secret: true } });
    expect(m.bottles.dev!.cpus).toBe(1.5);
    expect(m.agents.dev!.skills).toEqual([{ name: "review", dir: join(FIXTURES, "skills", "review") }]);
  });

  test("agents_dir and skills_dir are relative to the manifest", () => {
    const src = 'agents_dir = "people"\nskills_dir = "tools"\n[bottles.a]\nagent = "x"\n';
    const asked: string[] = [];
    loadFromSource(src, "/m/bot-bottle.toml", "/m", (p) => (asked.push(p), "prompt"));
    expect(asked).toEqual(["/m/people/x.md"]);
  });

  test("an agent used by two bottles is read once", () => {
    const asked: string[] = [];
    loadFromSource('[bottles.a]\nagent = "x"\n[bottles.b]\nagent = "x"\n', "/m/f.toml", "/m", (p) => (asked.push(p), ""));
    expect(asked).toHaveLength(1);
  });
});

describe("malformed manifests: code, file, line, key", () => {
  test.each(BAD_MANIFESTS.map((c) => [c.manifest, c] as const))("%s", (_name, c) => {
    const e = thrown(() => loadManifest({ cwd: FIXTURES, path: c.manifest }));
    expect(e.code).toBe(c.code);
    expect(e.exitCode).toBe(2);
    expect(e.file).toBe(join(FIXTURES, c.file));
    expect(e.line).toBe(c.line);
    expect(e.key).toBe(c.key);
    expect(`${e.message} ${e.hint}`).toContain(c.mentions);
    expect(e.hint).toBeTruthy();
    expect(e.oneLine()).not.toContain("\n");
  });
});

describe("schema details", () => {
  const load = (toml: string) => loadFromSource(toml, "f.toml", "/m", () => "");
  test.each([
    ['[bottles.a]\nagent = "x"\nprovider = "gpt"\n', "bottles.a.provider", 3],
    ['[bottles.a]\nagent = "x"\nbackend = "vm"\n', "bottles.a.backend", 3],
    ['[bottles.a]\nagent = "x"\ncpus = 0\n', "bottles.a.cpus", 3],
    ['[bottles.a]\nagent = "X Y"\n', "bottles.a.agent", 2],
    ['[bottles.A]\nagent = "x"\n', "bottles.A", 1],
    ['[bottles.a]\nagent = "x"\n[bottles.a.env]\n"1BAD" = "v"\n', "bottles.a.env.1BAD", 4],
    ['[bottles.a]\nagent = "x"\nenv = { K = { value = "v", secert = true } }\n', "bottles.a.env.K.secert", 3],
    ['[bottles.a]\nagent = "x"\n[[bottles.a.egress]]\nhost = "a.test"\nkind = "basic"\n', "bottles.a.egress[0].kind", 5],
    ['[bottles.a]\nagent = "x"\n[[bottles.a.egress]]\nhost = "a.test"\nupstream = "not a url"\n', "bottles.a.egress[0].upstream", 5],
    ['[bottles.a]\nagent = "x"\n[[bottles.a.git]]\nname = "o"\n', "bottles.a.git[0].url", 3],
    ["version = 2\n[bottles.a]\nagent = \"x\"\n", "version", 1],
    ['[bottles.a]\n', "bottles.a.agent", 1],
  ])("%p → %s on line %i", (toml, key, line) => {
    const e = thrown(() => load(toml));
    expect(e.code).toBe("MANIFEST_INVALID");
    expect(e.key).toBe(key);
    expect(e.line).toBe(line);
  });

  test.each(["*", "example.com", "*.example.com", "a-b.c-d.test", "localhost:8080", "10.0.0.5"])("host pattern %p is accepted", (host) => {
    expect(() => load(`[bottles.a]\nagent = "x"\nallow = ["${host}"]\n`)).not.toThrow();
  });

  test.each(["Example.com", "https://example.com", "*.*.com", "exa mple.com", "-a.com", "a.com/path", "**.com"])("host pattern %p is rejected", (host) => {
    expect(thrown(() => load(`[bottles.a]\nagent = "x"\nallow = ["${host}"]\n`)).key).toBe("bottles.a.allow[0]");
  });

  test.each([["4g", true], ["512m", true], ["1.5G", true], ["100k", true], ["4GB", false], ["4", false], ["g", false], ["-1g", false]] as const)(
    "memory %p valid: %p",
    (memory, ok) => {
      const run = () => load(`[bottles.a]\nagent = "x"\nmemory = "${memory}"\n`);
      if (ok) expect(run).not.toThrow();
      else expect(thrown(run).key).toBe("bottles.a.memory");
    },
  );
});

describe("finding the manifest", () => {
  test("--manifest may name a folder holding bot-bottle.toml", () => {
    expect(findManifest({ cwd: "/", path: FIXTURES })).toBe(join(FIXTURES, MANIFEST_FILE));
    // This folder has none: say so, and how to make one.
    const e = thrown(() => loadManifest({ cwd: "/", path: FIXTURES }));
    expect(e.code).toBe("MANIFEST_NOT_FOUND");
    expect(e.hint).toContain("bot-bottle init");
  });

  test("no bot-bottle.toml in cwd means the built-in default", () => {
    const dir = tempDir();
    expect(findManifest({ cwd: dir })).toBeNull();
    expect(loadManifest({ cwd: dir }).builtin).toBe(true);
  });

  test("a --manifest that does not exist is MANIFEST_NOT_FOUND with a hint", () => {
    const e = thrown(() => loadManifest({ cwd: FIXTURES, path: "nope.toml" }));
    expect(e.code).toBe("MANIFEST_NOT_FOUND");
    expect(e.hint).toContain("bot-bottle init");
  });

  test("getBottle names the bottles there are", () => {
    const e = thrown(() => getBottle(loadBuiltin(), "nope"));
    expect(e.code).toBe("BOTTLE_NOT_FOUND");
    expect(e.hint).toContain("demo");
  });
});
