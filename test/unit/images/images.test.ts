import { describe, expect, test } from "bun:test";
import { agentDockerfile, bundleDockerfile, BUILD_CA_FILE } from "../../../src/images/dockerfiles.ts";
import { imageTag, type ImageInputs } from "../../../src/images/tag.ts";
import { agentRecipe, bundleRecipe } from "../../../src/images/build.ts";
import { providerSpec } from "../../../src/providers/index.ts";
import { DEFAULTS } from "../../../src/config/config.ts";

describe("agentDockerfile", () => {
  const claude = agentDockerfile("debian:bookworm-slim", providerSpec("claude").recipe);
  const shell = agentDockerfile("my/base:1", providerSpec("shell").recipe);

  test("starts from the configured base", () => {
    expect(claude.split("\n")[0]).toBe("FROM debian:bookworm-slim");
    expect(shell.split("\n")[0]).toBe("FROM my/base:1");
  });
  test("common packages and the provider's own", () => {
    expect(claude).toContain("apt-get install -y --no-install-recommends bash ca-certificates curl dtach git nodejs npm");
    expect(shell).toContain("apt-get install -y --no-install-recommends bash ca-certificates curl dtach git &&");
  });
  test("npm installs with the build CA added for that step", () => {
    expect(claude).toContain("npm install -g --no-fund --no-audit @anthropic-ai/claude-code");
    expect(claude).toContain(`export NODE_EXTRA_CA_CERTS=/tmp/${BUILD_CA_FILE}`);
    expect(shell).not.toContain("npm install");
  });
  test("build CA trusted in the system store only when non-empty", () => {
    expect(claude).toContain(`if [ -s /tmp/${BUILD_CA_FILE} ]; then cp /tmp/${BUILD_CA_FILE} /usr/local/share/ca-certificates/`);
    expect(claude).toContain("update-ca-certificates");
  });
  test("user node uid 1000, /etc/bot-bottle, workdir, idle PID 1", () => {
    expect(shell).toContain("useradd --create-home --uid 1000 --user-group --shell /bin/bash node");
    expect(shell).toContain("mkdir -p /etc/bot-bottle /home/node/work");
    expect(shell).toContain("WORKDIR /home/node/work");
    expect(shell.trim().split("\n").at(-1)).toBe('CMD ["sleep", "infinity"]');
  });
  test("scripts are copied into /usr/local/bin (mode from the context: no BuildKit needed)", () => {
    expect(shell).toContain("COPY bot-bottle-demo /usr/local/bin/bot-bottle-demo");
    expect(shell).not.toContain("--chmod");
  });
});

describe("bundleDockerfile", () => {
  const df = bundleDockerfile("corp/debian:12");
  test("base, git, CA, binary, entrypoint", () => {
    expect(df.split("\n")[0]).toBe("FROM corp/debian:12");
    expect(df).toContain("apt-get install -y --no-install-recommends ca-certificates git");
    expect(df).toContain("COPY bot-bottle /usr/local/bin/bot-bottle");
    expect(df).toContain('ENTRYPOINT ["/usr/local/bin/bot-bottle", "bundle", "serve", "--config", "/var/lib/bot-bottle/config.json"]');
    expect(df).toContain("NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt");
  });
  test("the bundle runs with Bun's small-memory mode (many bottles per host)", () => {
    expect(df).toMatch(/^ENV .*BUN_OPTIONS=--smol/m);
  });
});

describe("imageTag", () => {
  const base: ImageInputs = { kind: "shell", dockerfile: "FROM x\n", baseImageId: "sha256:aaa", files: { "build-ca.crt": "h1", s: "h2" } };
  test("stable and shaped like bot-bottle/KIND:HASH16", () => {
    expect(imageTag(base)).toMatch(/^bot-bottle\/shell:[0-9a-f]{16}$/);
    expect(imageTag(base)).toBe(imageTag({ ...base, files: { s: "h2", "build-ca.crt": "h1" } }));
  });
  test.each([
    ["dockerfile", { dockerfile: "FROM y\n" }],
    ["base image id", { baseImageId: "sha256:bbb" }],
    ["build CA", { files: { "build-ca.crt": "h9", s: "h2" } }],
    ["binary/script", { files: { "build-ca.crt": "h1", s: "h3" } }],
    ["kind", { kind: "claude" }],
  ])("changes with the %s", (_n, change) => {
    expect(imageTag({ ...base, ...change })).not.toBe(imageTag(base));
  });
});

describe("recipes", () => {
  test("agent recipe: empty build CA when none is configured, demo script executable", () => {
    const r = agentRecipe("shell", "debian:bookworm-slim", DEFAULTS);
    expect(r.files[BUILD_CA_FILE]).toEqual({ content: "", mode: 0o644 });
    expect((r.files["bot-bottle-demo"] as { mode: number }).mode).toBe(0o755);
    expect(r.kind).toBe("shell");
  });
  test("a missing build CA file is a clear error", () => {
    expect(() => agentRecipe("shell", "b", { ...DEFAULTS, buildCa: "/nonexistent/ca.pem" })).toThrow(/build CA/);
  });
  test("bundle recipe links the binary and keys it by its hash", () => {
    const r = bundleRecipe(DEFAULTS, { path: "/bin/bb", sha256: "abc", source: "env" });
    expect(r.files["bot-bottle"]).toEqual({ linkFrom: "/bin/bb", sha256: "abc", mode: 0o755 });
    expect(r.baseImage).toBe(DEFAULTS.bundleBaseImage);
  });
});
