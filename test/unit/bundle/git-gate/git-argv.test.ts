import { describe, expect, test } from "bun:test";
import {
  fetchMirrorArgv,
  forwardPushArgv,
  gateUrl,
  gitDaemonArgv,
  mirrorDir,
  parseSymrefHead,
  remoteGitEnv,
  sshCommand,
} from "../../../../src/bundle/git-gate/git-argv.ts";
import type { GitGateRepoConfig } from "../../../../src/bundle/config.ts";

const repo = (over: Partial<GitGateRepoConfig> = {}): GitGateRepoConfig => ({
  name: "origin",
  url: "https://github.com/o/p.git",
  push: ["bot-bottle/x/*"],
  allowForce: false,
  allowDelete: false,
  ...over,
});

describe("argv builders", () => {
  test("git daemon serves the mirror folder with receive-pack and the access hook", () => {
    expect(gitDaemonArgv({ dir: "/g", host: "0.0.0.0", port: 9418, accessHook: "/g/.gate-hook" })).toEqual([
      "git", "daemon", "--reuseaddr", "--verbose", "--export-all", "--informative-errors", "--init-timeout=30", "--enable=receive-pack",
      "--base-path=/g", "--listen=0.0.0.0", "--port=9418", "--access-hook=/g/.gate-hook", "/g",
    ]);
  });

  test("the mirror fetches branches and tags only, pruning, without FETCH_HEAD", () => {
    expect(fetchMirrorArgv("/g/origin.git", "https://h/p.git")).toEqual([
      "git", "-C", "/g/origin.git", "fetch", "--quiet", "--prune", "--no-write-fetch-head", "https://h/p.git",
      "+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*",
    ]);
  });

  test("forward push targets the URL (no remote-tracking refs in the mirror)", () => {
    expect(forwardPushArgv("/g/o.git", "https://h/p.git", ["a:refs/heads/x"])).toEqual([
      "git", "-C", "/g/o.git", "push", "--porcelain", "https://h/p.git", "a:refs/heads/x",
    ]);
  });

  test("paths and URLs", () => {
    expect(mirrorDir("/g", "origin")).toBe("/g/origin.git");
    expect(gateUrl("10.1.2.2", 9418, "origin")).toBe("git://10.1.2.2:9418/origin.git");
  });

  test.each([
    ["ref: refs/heads/main\tHEAD\nabc\tHEAD\n", "refs/heads/main"],
    ["ref: refs/heads/dev/x\tHEAD\n", "refs/heads/dev/x"],
    ["abc\tHEAD\n", null],
    ["", null],
  ])("parseSymrefHead(%j) → %s", (out, want) => expect(parseSymrefHead(out)).toBe(want));
});

describe("remoteGitEnv: credentials by reference, never by value in config", () => {
  const TOKEN = "ghp_secretsecretsecret";

  test("a token becomes a credential helper that reads the variable by name", () => {
    const env = remoteGitEnv(repo({ tokenEnv: "BOT_BOTTLE_GIT_TOKEN_0" }), { BOT_BOTTLE_GIT_TOKEN_0: TOKEN }, "/g/kh");
    expect(env.GIT_TERMINAL_PROMPT).toBe("0");
    expect(env.GIT_CONFIG_COUNT).toBe("2");
    expect(env.GIT_CONFIG_KEY_0).toBe("credential.helper");
    expect(env.GIT_CONFIG_VALUE_0).toBe("");
    expect(env.GIT_CONFIG_VALUE_1).toContain("$BOT_BOTTLE_GIT_TOKEN_0");
    expect(env.GIT_CONFIG_VALUE_1).toContain("username=x-access-token");
    expect(env.BOT_BOTTLE_GIT_TOKEN_0).toBe(TOKEN);
    const configText = Object.entries(env).filter(([k]) => k.startsWith("GIT_")).map(([, v]) => v).join("\n");
    expect(configText).not.toContain(TOKEN);
  });

  test("a user name in the URL is kept (no x-access-token)", () => {
    const env = remoteGitEnv(repo({ url: "https://oauth2@gitlab.com/o/p.git", tokenEnv: "T" }), { T: TOKEN }, "/g/kh");
    expect(env.GIT_CONFIG_VALUE_1).not.toContain("username=");
  });

  test("no token, no helper", () => {
    const env = remoteGitEnv(repo({ tokenEnv: "T" }), {}, "/g/kh");
    expect(env.GIT_CONFIG_COUNT).toBe("0");
    expect(env.GIT_SSH_COMMAND).toBeUndefined();
  });

  test("an SSH key goes through GIT_SSH_COMMAND with the gate's known_hosts", () => {
    const env = remoteGitEnv(repo({ url: "git@github.com:o/p.git", sshKeyFile: "/run/keys/id" }), {}, "/g/.known_hosts");
    expect(env.GIT_SSH_COMMAND).toBe(sshCommand("/run/keys/id", "/g/.known_hosts"));
    expect(env.GIT_SSH_COMMAND).toContain("-i '/run/keys/id'");
    expect(env.GIT_SSH_COMMAND).toContain("IdentitiesOnly=yes");
    expect(env.GIT_SSH_COMMAND).toContain("BatchMode=yes");
  });

  test("shell quoting of odd key paths", () => {
    expect(sshCommand("/k/it's", "/kh")).toContain(`-i '/k/it'\\''s'`);
  });
});
