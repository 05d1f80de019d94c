import { describe, expect, test } from "bun:test";
import {
  interpolate,
  looksSecret,
  parseEnvFlags,
  REDACTED,
  redactVars,
  resolveEnv,
  resolveOne,
  type Prompter,
  type ResolveContext,
} from "../../../src/env/resolve.ts";
import { rejected, thrown } from "../../helpers/thrown.ts";

const host = { HOME: "/home/op", USER: "op", GH_TOKEN: "ghp_realtoken", EMPTY: "", REGION: "eu" };
const ctx = (extra: Partial<ResolveContext> = {}): ResolveContext => ({ hostEnv: host, file: "bot-bottle.toml", keyPrefix: "bottles.dev.env", ...extra });

/** A prompter that records what it was asked. */
function recordingPrompter(answer: string) {
  const asked: { question: string; name: string; secret: boolean }[] = [];
  const prompter: Prompter = async (question, name, secret) => {
    asked.push({ question, name, secret });
    return answer;
  };
  return { prompter, asked };
}

describe("resolveOne: value forms", () => {
  test.each([
    ["GREETING", "hello", "hello", "literal"],
    ["PATHISH", "a:b:c", "a:b:c", "literal"],
    ["EMPTY_OK", "", "", "literal"],
    ["WHO", "${USER}", "op", "host"],
    ["WHERE", "${USER}@${REGION}:${HOME}", "op@eu:/home/op", "host"],
    ["SPACED", "${ USER }", "op", "host"],
    ["BLANK", "${EMPTY}", "", "host"],
    ["ESCAPED", "$${USER}", "${USER}", "literal"],
    ["MIXED", "$${USER} is ${USER}", "${USER} is op", "host"],
    ["DOLLAR", "costs $5 and $HOME", "costs $5 and $HOME", "literal"],
  ])("%s = %p resolves to %p (%s)", async (name, raw, value, source) => {
    const v = await resolveOne(name, raw, ctx());
    expect(v).toMatchObject({ name, value, source });
  });

  test("a table value resolves its `value` and honours an explicit secret flag both ways", async () => {
    expect(await resolveOne("PLAIN", { value: "x", secret: true }, ctx())).toMatchObject({ value: "x", secret: true });
    expect(await resolveOne("API_TOKEN", { value: "${GH_TOKEN}", secret: false }, ctx())).toMatchObject({ value: "ghp_realtoken", secret: false });
  });
});

describe("resolveOne: prompts", () => {
  test("?prompt asks the injected prompter with the question, name and secret flag", async () => {
    const { prompter, asked } = recordingPrompter("T-42");
    const v = await resolveOne("TICKET", "?Which ticket is this for", ctx({ prompter }));
    expect(v).toEqual({ name: "TICKET", value: "T-42", secret: true, source: "prompt" });
    expect(asked).toEqual([{ question: "Which ticket is this for", name: "TICKET", secret: true }]);
  });

  test("an empty question gets a default, and secret = false is passed to the prompter", async () => {
    const { prompter, asked } = recordingPrompter("x");
    await resolveOne("COLOR", { value: "?", secret: false }, ctx({ prompter }));
    expect(asked).toEqual([{ question: "Value for COLOR", name: "COLOR", secret: false }]);
  });

  test("no prompter → ENV_NEEDS_PROMPT naming the key and suggesting --env", async () => {
    const e = await rejected(() => resolveOne("TICKET", "?Which ticket", ctx()));
    expect(e.code).toBe("ENV_NEEDS_PROMPT");
    expect(e.exitCode).toBe(2);
    expect(e.key).toBe("bottles.dev.env.TICKET");
    expect(e.file).toBe("bot-bottle.toml");
    expect(e.message).toContain("Which ticket");
    expect(e.hint).toContain("--env TICKET=VALUE");
  });

  test("a route label replaces the name in messages and in the --env suggestion", async () => {
    const e = await rejected(() =>
      resolveOne("BOT_BOTTLE_CRED_0", "?API key", ctx({ label: "ANTHROPIC_API_KEY", keyPrefix: "bottles.dev.egress[0].credential" })),
    );
    expect(e.key).toBe("bottles.dev.egress[0].credential");
    expect(e.hint).toContain("--env ANTHROPIC_API_KEY=VALUE");
  });
});

describe("resolveOne: --env overrides", () => {
  test.each([
    ["TICKET", "?Which ticket", "T-1", true],
    ["WHO", "${NOT_SET_ANYWHERE}", "me", false],
    ["GREETING", "hello", "bye", false],
    ["DB_PASSWORD", "literal", "hunter2", true],
  ])("--env %s wins over %p without asking or reading the host", async (name, raw, value, secret) => {
    const prompter: Prompter = async () => {
      throw new Error("must not ask");
    };
    const v = await resolveOne(name, raw, ctx({ overrides: { [name]: value }, prompter }));
    expect(v).toEqual({ name, value, secret, source: "override" });
  });
});

describe("resolveOne: unset host variables", () => {
  test("unset ${VAR} → ENV_UNSET with the key, the variable and a hint", async () => {
    const e = await rejected(() => resolveOne("TOKEN", "prefix-${NOPE_NOT_SET}", ctx()));
    expect(e.code).toBe("ENV_UNSET");
    expect(e.exitCode).toBe(2);
    expect(e.key).toBe("bottles.dev.env.TOKEN");
    expect(e.message).toContain("${NOPE_NOT_SET}");
    expect(e.hint).toContain("export NOPE_NOT_SET=");
    expect(e.hint).toContain("--env TOKEN=VALUE");
  });

  test.each(["${}", "${1BAD}", "${A-B}"])("malformed reference %p is reported, not passed through", async (raw) => {
    const e = await rejected(() => resolveOne("X", raw, ctx()));
    expect(e.code).toBe("ENV_UNSET");
  });
});

describe("secret marking", () => {
  test.each([
    ["literal under a secret-looking name stays visible (it is in the manifest anyway)", "API_KEY", "abc", false],
    ["host var copied under a secret-looking name", "API_KEY", "${USER}", true],
    ["secret-looking host var under a plain name", "GITHUB", "${GH_TOKEN}", true],
    ["plain host var under a plain name", "WHO", "${USER}", false],
    ["escaped reference is a literal", "MY_TOKEN_DOC", "$${GH_TOKEN}", false],
  ])("%s", async (_why, name, raw, secret) => {
    expect((await resolveOne(name, raw, ctx())).secret).toBe(secret);
  });

  test.each([
    ["ANTHROPIC_API_KEY", true],
    ["GITHUB_TOKEN", true],
    ["db_password", true],
    ["AWS_SECRET_ACCESS_KEY", true],
    ["SESSION_COOKIE", true],
    ["SSH_PRIVATE", true],
    ["apiKey", true],
    ["GITHUBTOKEN", true],
    ["npm_config__authToken", true],
    ["HOME", false],
    ["EDITOR", false],
    ["REGION", false],
    // Words that merely contain a secret-ish substring.
    ["GIT_AUTHOR_NAME", false],
    ["KEYBOARD_LAYOUT", false],
    ["COMPASS_HEADING", false],
    ["PASSPORT_COUNTRY", false],
    ["MONKEY", false],
  ])("looksSecret(%p) is %p", (name, want) => {
    expect(looksSecret(name)).toBe(want);
  });
});

describe("resolveEnv", () => {
  test("resolves every entry in manifest order", async () => {
    const vars = await resolveEnv({ B: "2", A: "${USER}", C: { value: "3", secret: true } }, ctx());
    expect(vars.map((v) => [v.name, v.value, v.source])).toEqual([
      ["B", "2", "literal"],
      ["A", "op", "host"],
      ["C", "3", "literal"],
    ]);
  });

  test("stops at the first entry it cannot resolve", async () => {
    const e = await rejected(() => resolveEnv({ OK: "1", BAD: "${NOPE_NOT_SET}", ASK: "?q" }, ctx()));
    expect(e.key).toBe("bottles.dev.env.BAD");
  });
});

describe("interpolate", () => {
  test("reports which host variables were used", () => {
    const never = (n: string): never => {
      throw new Error(n);
    };
    expect(interpolate("${USER}-${REGION}-${USER}", host, never)).toEqual({ value: "op-eu-op", usedHost: new Set(["USER", "REGION"]) });
    expect(interpolate("plain $${X}", host, never)).toEqual({ value: "plain ${X}", usedHost: null });
  });
});

describe("redactVars", () => {
  test("replaces only secret values", () => {
    const out = redactVars([
      { name: "A", value: "visible", secret: false, source: "literal" },
      { name: "B", value: "hidden", secret: true, source: "host" },
    ]);
    expect(out.map((v) => v.value)).toEqual(["visible", REDACTED]);
    expect(JSON.stringify(out)).not.toContain("hidden");
  });
});

describe("parseEnvFlags", () => {
  test.each([
    [[], {}],
    [["A=1"], { A: "1" }],
    [["A=1", "B=x=y"], { A: "1", B: "x=y" }],
    [["A="], { A: "" }],
    [["A=1", "A=2"], { A: "2" }],
    [["URL=https://x.test/?a=b"], { URL: "https://x.test/?a=b" }],
  ])("%p → %p", (flags, want) => {
    expect(parseEnvFlags(flags)).toEqual(want);
  });

  test.each(["NOVALUE", "=value", "", "1A=x", "A B=x", "-e=x"])("rejects %p as a usage error with the expected form", (flag) => {
    const e = thrown(() => parseEnvFlags([flag]));
    expect(e.code).toBe("USAGE");
    expect(e.hint).toContain("--env NAME=VALUE");
  });
});
