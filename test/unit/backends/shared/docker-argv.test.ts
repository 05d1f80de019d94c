import { describe, expect, test } from "bun:test";
import * as A from "../../../../src/backends/shared/docker-argv.ts";

const labels: A.Labels = { identity: "x-1", state: "abc", role: "agent" };
const L = ["--label", "bot-bottle.identity=x-1", "--label", "bot-bottle.state=abc", "--label", "bot-bottle.role=agent"];

describe("docker argv builders", () => {
  const cases: [string, string[], string[]][] = [
    ["info arch", A.infoArchArgv(), ["docker", "info", "--format", "{{.Architecture}}"]],
    [
      "internal network with subnet",
      A.networkCreateArgv({ name: "n-int", internal: true, subnet: "10.213.5.0/24", gateway: "10.213.5.1", noHostAddress: true, labels }),
      [
        "docker", "network", "create", "--driver", "bridge", "--internal", "--subnet", "10.213.5.0/24", "--gateway", "10.213.5.1",
        "--opt", "com.docker.network.bridge.inhibit_ipv4=true", ...L, "n-int",
      ],
    ],
    ["egress network", A.networkCreateArgv({ name: "n-eg", internal: false, labels }), ["docker", "network", "create", "--driver", "bridge", ...L, "n-eg"]],
    ["connect with ip", A.networkConnectArgv("net", "c", "10.0.0.2"), ["docker", "network", "connect", "--ip", "10.0.0.2", "net", "c"]],
    ["connect", A.networkConnectArgv("net", "c"), ["docker", "network", "connect", "net", "c"]],
    [
      "run detached: the create argv, started at once",
      A.runDetachedArgv({ name: "c", image: "img", labels, network: "n", cmd: ["sleep", "infinity"] }),
      ["docker", "run", "--detach", ...A.createArgv({ name: "c", image: "img", labels, network: "n", cmd: ["sleep", "infinity"] }).slice(2)],
    ],
    ["network rm", A.networkRmArgv(["a", "b"]), ["docker", "network", "rm", "a", "b"]],
    ["network ids", A.networkIdsArgv(), ["docker", "network", "ls", "--quiet", "--no-trunc"]],
    ["network subnets", A.networkSubnetsArgv(["i1", "i2"]), ["docker", "network", "inspect", "--format", "{{range .IPAM.Config}}{{.Subnet}} {{end}}", "i1", "i2"]],
    [
      "reap: containers, then networks, quietly",
      A.reapArgv(["a", "it's"], ["n"]),
      ["sh", "-c", "'docker' 'rm' '--force' '--volumes' 'a' 'it'\\''s' >/dev/null 2>&1; 'docker' 'network' 'rm' 'n' >/dev/null 2>&1"],
    ],
    [
      "network ls",
      A.networkLsArgv(["bot-bottle.identity", "bot-bottle.state=abc"]),
      ["docker", "network", "ls", "--filter", "label=bot-bottle.identity", "--filter", "label=bot-bottle.state=abc", "--format", '{{.Name}}\t{{.Label "bot-bottle.identity"}}'],
    ],
    [
      "ps",
      A.psArgv(["bot-bottle.identity=x-1"]),
      ["docker", "ps", "-a", "--no-trunc", "--filter", "label=bot-bottle.identity=x-1", "--format", '{{.Names}}\t{{.Label "bot-bottle.identity"}}\t{{.State}}'],
    ],
    ["start", A.startArgv(["a", "b"]), ["docker", "start", "a", "b"]],
    ["stop", A.stopArgv(["a"]), ["docker", "stop", "--time", "3", "a"]],
    ["rm", A.rmArgv(["a", "b"]), ["docker", "rm", "--force", "--volumes", "a", "b"]],
    [
      "exec interactive tty",
      A.execArgv({ container: "c", argv: ["bash", "-l"], user: "node", workdir: "/w", interactive: true, tty: true }),
      ["docker", "exec", "--interactive", "--tty", "--user", "node", "--workdir", "/w", "c", "bash", "-l"],
    ],
    ["exec plain", A.execArgv({ container: "c", argv: ["true"], env: { A: "1" } }), ["docker", "exec", "--env", "A=1", "c", "true"]],
    ["cp from stdin", A.cpArgv("-", "c", "/dest"), ["docker", "cp", "-", "c:/dest"]],
    ["inspect", A.inspectStateArgv(["a", "b"]), ["docker", "inspect", "--type", "container", "--format", "{{.Name}}\t{{.State.Status}}", "a", "b"]],
    ["logs", A.logsArgv("c", { tail: 5, follow: true }), ["docker", "logs", "--follow", "--tail", "5", "c"]],
    ["image id", A.imageIdArgv("img:1"), ["docker", "image", "inspect", "--format", "{{.Id}}", "img:1"]],
    [
      "image prune",
      A.imagePruneArgv("1h"),
      ["docker", "image", "prune", "--all", "--force", "--filter", "label=bot-bottle.image", "--filter", "until=1h"],
    ],
    [
      "build",
      A.buildArgv({ tag: "bot-bottle/shell:1", contextDir: "/ctx", labels: { "bot-bottle.image": "shell" } }),
      ["docker", "build", "--force-rm", "--tag", "bot-bottle/shell:1", "--label", "bot-bottle.image=shell", "/ctx"],
    ],
    ["image rm (never forced)", A.imageRmArgv(["abc123abc123"]), ["docker", "image", "rm", "abc123abc123"]],
    ["image tags", A.imageTagsArgv(["abc123abc123"]), ["docker", "image", "inspect", "--format", "{{.Id}}\t{{json .RepoTags}}", "abc123abc123"]],
    ["image sizes", A.imageSizeArgv(["abc123abc123"]), ["docker", "image", "inspect", "--format", "{{.Id}}\t{{.Size}}", "abc123abc123"]],
  ];
  for (const [name, got, want] of cases) test(name, () => expect(got).toEqual(want));
});

describe("createArgv", () => {
  test("least privilege, limits, env by value and by name", () => {
    const argv = A.createArgv({
      name: "c",
      image: "img",
      labels,
      network: "net",
      ip: "10.0.0.3",
      hostname: "h",
      env: { HTTPS_PROXY: "http://10.0.0.2:8888" },
      passEnv: ["SECRET"],
      volumes: ["/h:/c:ro"],
      user: "1000:1000",
      workdir: "/w",
      capAdd: ["CHOWN"],
      cpus: 1.5,
      memory: "2g",
      init: true,
      pidsLimit: 512,
      cmd: ["sleep", "infinity"],
    });
    expect(argv).toEqual([
      "docker", "create", "--name", "c", ...L, "--network", "net", "--ip", "10.0.0.3", "--hostname", "h",
      "--cap-drop", "ALL", "--cap-add", "CHOWN", "--security-opt", "no-new-privileges", "--init",
      "--pids-limit", "512", "--cpus", "1.5", "--memory", "2g", "--user", "1000:1000", "--workdir", "/w", "--volume", "/h:/c:ro",
      "--env", "HTTPS_PROXY=http://10.0.0.2:8888", "--env", "SECRET", "img", "sleep", "infinity",
    ]);
  });

  test("minimal spec has no optional flags and never --add-host", () => {
    const argv = A.createArgv({ name: "c", image: "img", labels, network: "net" });
    expect(argv).toEqual(["docker", "create", "--name", "c", ...L, "--network", "net", "--cap-drop", "ALL", "--security-opt", "no-new-privileges", "--pids-limit", String(A.DEFAULT_PIDS_LIMIT), "img"]);
    expect(argv).not.toContain("--add-host");
  });
});
