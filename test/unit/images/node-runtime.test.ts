// Agents that need a newer Node than Debian's get the official build from the
// npm registry, installed before the agent's own npm packages.
import { expect, test } from "bun:test";
import { agentDockerfile } from "../../../src/images/dockerfiles.ts";
import { providerSpec } from "../../../src/providers/index.ts";

const gemini = agentDockerfile("debian:bookworm-slim", providerSpec("gemini").recipe);

test("gemini's image installs node-linux-<arch>@22 first, checks its version, then the CLI", () => {
  const nodeAt = gemini.indexOf('npm install -g --no-fund --no-audit "node-linux-$node_arch@22"');
  const cliAt = gemini.indexOf("npm install -g --no-fund --no-audit @google/gemini-cli");
  expect(nodeAt).toBeGreaterThan(0);
  expect(cliAt).toBeGreaterThan(nodeAt);
  expect(gemini).toContain("amd64) node_arch=x64;; arm64) node_arch=arm64;;");
  expect(gemini).toContain(`test "$(/usr/local/bin/node -p 'process.versions.node.split(".")[0]')" = 22`);
});

test("an unknown architecture fails the build with a message instead of a half-made image", () => {
  expect(gemini).toContain('*) echo "no Node build for $(dpkg --print-architecture)" >&2; exit 1;;');
});

test.each(["claude", "codex", "opencode", "shell"] as const)("%s keeps Debian's Node", (p) => {
  expect(agentDockerfile("debian:bookworm-slim", providerSpec(p).recipe)).not.toContain("node-linux-");
});

test("opencode installs the opencode-ai package (its postinstall picks the native binary)", () => {
  expect(agentDockerfile("debian:bookworm-slim", providerSpec("opencode").recipe)).toContain("npm install -g --no-fund --no-audit opencode-ai");
});
