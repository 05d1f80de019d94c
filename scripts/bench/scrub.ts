// DLP and response-scrub benchmark, each against a baseline measured in the
// same run:
//  1. DLP cost per KB (in process): scanBody over 1 MiB bodies (plain JSON
//     prose, JSON with a 256 KiB base64 blob, dense identifiers) vs. a single
//     indexOf pass over the same bytes (the floor of any scan).
//  2. Response scrubbing (through the real proxy on loopback, TLS intercepted):
//     1 MiB GETs and a long SSE stream from a credential route's host (every
//     byte through the scrubber) vs. the same origin through a second proxy
//     that has no credential route (nothing to scrub).
//
//   bun scripts/bench/scrub.ts [--seconds 5] [--json]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { ProxyConfig } from "../../src/bundle/config.ts";
import { startProxy, UPSTREAM_CA_ENV } from "../../src/bundle/proxy/server.ts";
import { SECRET_PATTERNS } from "../../src/bundle/proxy/dlp/patterns.ts";
import { scanBody, type ScanPolicy } from "../../src/bundle/proxy/dlp/scan.ts";
import { open, request, type Target } from "./lib/http-client.ts";
import { startTestUpstream } from "./lib/upstream.ts";

const { values: opts } = parseArgs({ options: { seconds: { type: "string", default: "5" }, json: { type: "boolean", default: false } } });
const SECONDS = Math.min(Math.max(Number(opts.seconds), 1), 60);
const log = (s: string) => process.stderr.write(s + "\n");

/** Run fn repeatedly for `seconds`, return the median ms per call. */
function timeIt(fn: () => void, seconds = SECONDS / 2): number {
  for (let i = 0; i < 3; i++) fn();
  const samples: number[] = [];
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end || samples.length < 5) {
    const t = performance.now();
    fn();
    samples.push(performance.now() - t);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)]!;
}

const MiB = 1024 * 1024;
function bodies(): Record<string, Buffer> {
  const prose = JSON.stringify({ messages: Array.from({ length: 2000 }, (_, i) => ({ role: "user", content: `please fix test ${i} in src/main.ts, the output was: expected 3 got 4 at line ${i}` })) });
  const blob = Buffer.from(crypto.getRandomValues(new Uint8Array(192 * 1024))).toString("base64");
  const withImage = JSON.stringify({ image: blob, text: prose.slice(0, MiB - blob.length - 64) });
  const ids = Array.from({ length: 40_000 }, (_, i) => `getElementById_${i.toString(16).padStart(8, "0")} sha=${(i * 2654435761).toString(16)}`).join("\n");
  const fit = (s: string) => Buffer.from(s.padEnd(MiB, " ").slice(0, MiB));
  return { "JSON prose": fit(prose), "JSON + base64 blob": fit(withImage), "identifiers and hashes": fit(ids) };
}

function dlpPerKb() {
  const policy: ScanPolicy = {
    patterns: SECRET_PATTERNS,
    secrets: [{ name: "OPERATOR_SECRET", value: "correct-horse-battery-staple-42" }],
    foreignPlaceholders: [{ name: "api.openai.com", value: "sk-proj-PLACEHOLDERforOPENAIxxxxxxxxxxxxxxxx" }],
    ownPlaceholders: [],
  };
  const rows = [];
  for (const [name, body] of Object.entries(bodies())) {
    const base = timeIt(() => void body.indexOf("correct-horse-battery-staple-42"));
    const ms = timeIt(() => {
      if (scanBody(body, "b", policy)) throw new Error(`false positive in ${name}`);
    });
    rows.push({ body: name, usPerKb: (ms * 1000) / 1024, baselineUsPerKb: (base * 1000) / 1024, ratio: ms / base });
  }
  return rows;
}

async function scrubCost() {
  const dir = mkdtempSync(join(tmpdir(), "bb-bench-scrub-"));
  const up = await startTestUpstream(dir, { record: false });
  const REAL = "sk-ant-api03-REALrealREALrealREALrealREALrealREAL-0123456789";
  const config = (routes: ProxyConfig["routes"], name: string): ProxyConfig => ({
    listen: "127.0.0.1:0",
    allow: [`localhost:${up.port}`, "api.test"],
    dlp: true,
    routes,
    secretEnv: [],
    caDir: join(dir, name),
    auditLog: join(dir, `${name}.jsonl`),
    blockPrivate: true,
    allowPrivate: ["localhost", "127.0.0.1"],
  });
  const route = {
    host: "api.test",
    upstream: up.url,
    credential: { kind: "anthropic-api-key" as const, header: "x-api-key", prefix: "", env: "ANTHROPIC_API_KEY", placeholder: "sk-ant-api03-PLACEHOLDERxxPLACEHOLDERxxPLACEHOLDER-9876543210", bundleEnv: "C0", query: false },
  };
  const proxy = await startProxy(config([route], "ca"), { [UPSTREAM_CA_ENV]: up.caFile, C0: REAL });
  const bare = await startProxy(config([], "ca-bare"), { [UPSTREAM_CA_ENV]: up.caFile });
  const ca = await Bun.file(join(dir, "ca", "ca.crt")).text();
  const bareCa = await Bun.file(join(dir, "ca-bare", "ca.crt")).text();
  const plain: Target = { host: "localhost", port: up.port, proxy: { host: "127.0.0.1", port: bare.address.port }, ca: [bareCa] };
  const routed: Target = { host: "api.test", port: 443, proxy: { host: "127.0.0.1", port: proxy.address.port }, ca: [ca] };
  const rows = [];
  try {
    for (const [what, path] of [
      ["1 MiB GET", "/bytes?n=1048576"],
      ["SSE, 100 events", "/sse?n=100&gap=0"],
    ] as const) {
      const measure = async (t: Target) => {
        const c = await open(t);
        const samples: number[] = [];
        const end = performance.now() + (SECONDS / 2) * 1000;
        while (performance.now() < end || samples.length < 5) {
          const s = performance.now();
          const r = await request(c, t, "GET", path);
          if (r.status !== 200) throw new Error(`${what}: status ${r.status}`);
          samples.push(performance.now() - s);
        }
        c.sock.destroy();
        samples.sort((a, b) => a - b);
        return samples[Math.floor(samples.length / 2)]!;
      };
      await measure(plain); // warm-up of both paths
      await measure(routed);
      const base = await measure(plain);
      const scrubbed = await measure(routed);
      rows.push({ response: what, plainMs: base, scrubbedMs: scrubbed, ratio: scrubbed / base });
    }
  } finally {
    await proxy.close();
    await bare.close();
    await up.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

const dlp = dlpPerKb();
log("DLP scan of 1 MiB request bodies (µs per KB; baseline: one indexOf over the same bytes)");
for (const r of dlp) log(`  ${r.body.padEnd(24)} ${r.usPerKb.toFixed(2).padStart(7)} µs/KB   baseline ${r.baselineUsPerKb.toFixed(3)} µs/KB   ×${r.ratio.toFixed(1)}`);
const scrub = await scrubCost();
log("Response scrubbing through the proxy (median ms per response; baseline: same origin through a proxy with nothing to scrub)");
for (const r of scrub) log(`  ${r.response.padEnd(24)} ${r.scrubbedMs.toFixed(2).padStart(7)} ms   baseline ${r.plainMs.toFixed(2)} ms   ×${r.ratio.toFixed(2)}`);
if (opts.json) console.log(JSON.stringify({ dlp, scrub }, null, 2));
