import { describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DEFAULTS, loadConfig, mergeConfig } from "../../../src/config/config.ts";
import { thrown } from "../../helpers/thrown.ts";
import { tempDirs } from "../../helpers/tmp.ts";

const tempDir = tempDirs("bb-config-");

describe("mergeConfig: defaults ← file ← env", () => {
  test("nothing set: the public defaults", () => {
    expect(mergeConfig({}, {})).toEqual({ ...DEFAULTS, buildCa: undefined });
  });

  test.each([
    ["base image from file", { base_image: "mirror/debian:12" }, {}, "baseImage", "mirror/debian:12"],
    ["base image: env beats file", { base_image: "mirror/debian:12" }, { BOT_BOTTLE_BASE_IMAGE: "local:base" }, "baseImage", "local:base"],
    ["bundle base image follows the base image", { base_image: "mirror/debian:12" }, {}, "bundleBaseImage", "mirror/debian:12"],
    ["bundle base image follows the env base image", {}, { BOT_BOTTLE_BASE_IMAGE: "local:base" }, "bundleBaseImage", "local:base"],
    ["bundle base image: own file value beats env base image", { bundle_base_image: "b:1" }, { BOT_BOTTLE_BASE_IMAGE: "local:base" }, "bundleBaseImage", "b:1"],
    ["bundle base image: own env beats all", { bundle_base_image: "b:1" }, { BOT_BOTTLE_BUNDLE_BASE_IMAGE: "b:env" }, "bundleBaseImage", "b:env"],
    ["backend from file", { backend: "smolmachines" }, {}, "backend", "smolmachines"],
    ["backend: env beats file", { backend: "smolmachines" }, { BOT_BOTTLE_BACKEND: "docker" }, "backend", "docker"],
    ["empty env value is ignored", { backend: "smolmachines" }, { BOT_BOTTLE_BACKEND: "" }, "backend", "smolmachines"],
    ["subnet pool by default", {}, {}, "subnetPool", "10.213.0.0/16"],
    ["subnet pool: env beats file", { subnet_pool: "10.50.0.0/16" }, { BOT_BOTTLE_SUBNET_POOL: "172.30.0.0/15" }, "subnetPool", "172.30.0.0/15"],
    ["subnet pool: the older base names its /16", { subnet_base: "10.1" }, { BOT_BOTTLE_SUBNET_BASE: "172.30" }, "subnetPool", "172.30.0.0/16"],
    ["subnet pool beats the older base", { subnet_pool: "10.50.0.0/16", subnet_base: "10.1" }, {}, "subnetPool", "10.50.0.0/16"],
    ["build CA from env", {}, { BOT_BOTTLE_BUILD_CA: "/etc/ssl/corp.pem" }, "buildCa", "/etc/ssl/corp.pem"],
    ["registry image from file", { registry_image: "mirror/registry:2" }, {}, "registryImage", "mirror/registry:2"],
  ] as const)("%s", (_why, file, env, field, want) => {
    expect(mergeConfig(file, env)[field]).toBe(want);
  });

  test.each([
    [{}, { BOT_BOTTLE_BACKEND: "podman" }, "BOT_BOTTLE_BACKEND"],
    [{}, { BOT_BOTTLE_SUBNET_BASE: "10.300" }, "10.300"],
    [{}, { BOT_BOTTLE_SUBNET_BASE: "10.0.0" }, "10.0.0"],
    [{}, { BOT_BOTTLE_SUBNET_POOL: "8.8.0.0/16" }, "not a private range"],
    [{ subnet_pool: "10.213.0.0/30" }, {}, "smaller than one bottle"],
  ])("invalid %j / %j is a CONFIG error", (file, env, mentions) => {
    const e = thrown(() => mergeConfig(file, env));
    expect(e.code).toBe("CONFIG");
    expect(e.exitCode).toBe(2);
    expect(e.message).toContain(mentions);
  });
});

describe("loadConfig", () => {
  const withConfig = (toml: string | null) => {
    const home = tempDir();
    if (toml !== null) {
      mkdirSync(join(home, "bot-bottle"), { recursive: true });
      writeFileSync(join(home, "bot-bottle", "config.toml"), toml);
    }
    return { XDG_CONFIG_HOME: home, HOME: home };
  };

  test("no file: defaults and no file recorded", () => {
    expect(loadConfig(withConfig(null))).toMatchObject({ ...DEFAULTS, file: undefined });
  });

  test("reads $XDG_CONFIG_HOME/bot-bottle/config.toml, env still wins", () => {
    const env = withConfig('base_image = "corp/debian:12"\nbackend = "smolmachines"\n');
    const c = loadConfig(env);
    expect(c).toMatchObject({ baseImage: "corp/debian:12", backend: "smolmachines", file: join(env.XDG_CONFIG_HOME, "bot-bottle", "config.toml") });
    expect(loadConfig({ ...env, BOT_BOTTLE_BACKEND: "docker" }).backend).toBe("docker");
  });

  test.each([
    ['base_image = "x"\nbase_imgae = "y"\n', 2, "base_imgae"],
    ['backend = "vm"\n', 1, "backend"],
    ['subnet_base = "10"\n', 1, "subnet_base"],
  ])("a bad config file is a located CONFIG error: %p", (toml, line, key) => {
    const e = thrown(() => loadConfig(withConfig(toml)));
    expect(e.code).toBe("CONFIG");
    expect(e.line).toBe(line);
    expect(e.key).toBe(key);
    expect(e.file).toEndWith("config.toml");
  });
});
