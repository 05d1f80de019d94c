// `init --from NAME`: a manifest that starts from a built-in bottle and
// validates as it is; the CLI writes it and its agent, and refuses unknown names.
import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { defaultBottleNames, starterFromDefault } from "../../../src/manifest/from-default.ts";
import { loadFromSource } from "../../../src/manifest/load.ts";
import { BottleError } from "../../../src/util/errors.ts";
import { tempDirs } from "../../helpers/tmp.ts";

const tempDir = tempDirs("bb-init-from-");
const MAIN = join(import.meta.dir, "../../../src/main.ts");

describe("starterFromDefault", () => {
  test("every default bottle gives a manifest that loads with its own agent", () => {
    expect(defaultBottleNames()).toEqual(expect.arrayContaining(["demo", "claude", "codex", "gemini", "opencode"]));
    for (const name of defaultBottleNames()) {
      const s = starterFromDefault(name);
      const m = loadFromSource(s.manifest, "/p/bot-bottle.toml", "/p", (_p, agent) => s.agents[agent] ?? null);
      expect(Object.keys(m.bottles)).toEqual([name]);
    }
  });

  test("the gemini starter keeps its route with the credential still a ${HOST_VAR}", () => {
    const s = starterFromDefault("gemini");
    expect(s.manifest).toContain('provider = "gemini"');
    expect(s.manifest).toContain('[[bottles.gemini.egress]]\nhost = "generativelanguage.googleapis.com"\nkind = "gemini-api-key"\ncredential = "${GEMINI_API_KEY}"');
    expect(Object.keys(s.agents)).toEqual(["coder"]);
  });

  test("an unknown bottle is a usage error naming the choices", () => {
    try {
      starterFromDefault("nope");
      throw new Error("expected an error");
    } catch (e) {
      expect((e as BottleError).code).toBe("USAGE");
      expect((e as BottleError).hint).toContain("opencode");
    }
  });
});

test("bot-bottle init --from opencode writes the manifest and agents/coder.md", async () => {
  const dir = tempDir();
  const p = Bun.spawn([process.execPath, MAIN, "init", dir, "--from", "opencode"], { stdout: "pipe", stderr: "pipe" });
  expect(await p.exited).toBe(0);
  expect(readFileSync(join(dir, "bot-bottle.toml"), "utf8")).toContain('provider = "opencode"');
  expect(existsSync(join(dir, "agents", "coder.md"))).toBe(true);
  const bad = Bun.spawn([process.execPath, MAIN, "init", tempDir(), "--from", "nope"], { stdout: "pipe", stderr: "pipe" });
  expect(await bad.exited).toBe(2);
  expect(await new Response(bad.stderr).text()).toContain("no bottle");
});
