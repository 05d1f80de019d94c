// Fake crane. No registry image can be pulled here and crane is not packaged
// for Debian/npm, so tests use this stand-in for both shapes bot-bottle uses:
//   crane registry serve --address HOST:PORT   a tiny registry (GET /v2/,
//       PUT/GET /v2/<repo>/manifests/<tag>) that lives until SIGTERM, at most
//       FAKE_CRANE_MAX_SECONDS (default 900)
//   crane push TAR REF   reads the `docker save` tarball's manifest.json and
//       uploads a manifest naming the image id (not the layers: the fake
//       smolvm starts its stand-in containers from that id); prints REF@digest
//   crane version
// Every call is appended to $FAKE_SMOLVM_STATE/crane-calls.jsonl.
import { appendFileSync, existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { createHash } from "node:crypto";

function record(argv: string[]): void {
  const dir = process.env.FAKE_SMOLVM_STATE;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  appendFileSync(join(dir, "crane-calls.jsonl"), JSON.stringify({ at: Date.now(), argv, pid: process.pid }) + "\n");
}

const die = (msg: string, code = 1): never => {
  process.stderr.write(`Error: ${msg}\n`);
  process.exit(code);
};

const stamp = () => new Date().toISOString().replace("T", " ").slice(0, 19).replaceAll("-", "/");

async function serve(args: string[]): Promise<void> {
  const i = args.findIndex((a) => a === "--address" || a.startsWith("--address="));
  const addr = i < 0 ? "127.0.0.1:0" : args[i]!.includes("=") ? args[i]!.split("=")[1]! : args[i + 1] ?? die("flag needs an argument: --address");
  const [host, port] = [addr.slice(0, addr.lastIndexOf(":")) || "0.0.0.0", Number(addr.slice(addr.lastIndexOf(":") + 1))];
  const manifests = new Map<string, string>();
  const server = Bun.serve({
    hostname: host,
    port,
    async fetch(req) {
      const url = new URL(req.url);
      if (url.pathname === "/v2/" || url.pathname === "/v2") return Response.json({});
      const m = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(url.pathname);
      if (!m) return Response.json({ errors: [{ code: "UNSUPPORTED" }] }, { status: 404 });
      const key = `${m[1]}:${m[2]}`;
      if (req.method === "PUT") {
        const body = await req.text();
        manifests.set(key, body);
        const digest = "sha256:" + createHash("sha256").update(body).digest("hex");
        return new Response(null, { status: 201, headers: { "Docker-Content-Digest": digest } });
      }
      const body = manifests.get(key);
      if (!body) return Response.json({ errors: [{ code: "MANIFEST_UNKNOWN", message: "manifest unknown" }] }, { status: 404 });
      return new Response(body, { headers: { "content-type": "application/vnd.oci.image.manifest.v1+json" } });
    },
  });
  process.stderr.write(`${stamp()} serving on port ${server.port}\n`);
  const max = Number(process.env.FAKE_CRANE_MAX_SECONDS ?? 900) * 1000;
  await new Promise<void>((resolve) => {
    const t = setTimeout(resolve, max);
    for (const sig of ["SIGTERM", "SIGINT"] as const) process.on(sig, () => (clearTimeout(t), resolve()));
  });
  server.stop(true);
}

async function push(args: string[]): Promise<void> {
  const [tar, ref] = args.filter((a) => !a.startsWith("-"));
  if (!tar || !ref) die("accepts 2 arg(s), received " + args.filter((a) => !a.startsWith("-")).length);
  if (!existsSync(tar!)) die(`loading ${tar} as tarball: open ${tar}: no such file or directory`);
  const m = /^((?:localhost|127\.0\.0\.1):(\d+))\/(.+):([^:/]+)$/.exec(ref!);
  if (!m) die(`the fake crane pushes only to localhost registries: ${ref}`);
  const p = Bun.spawnSync(["tar", "-xOf", tar!, "manifest.json"]);
  if (p.exitCode !== 0) die(`loading ${tar} as tarball: file manifest.json not found in tar`);
  const entries = JSON.parse(p.stdout.toString()) as { Config: string; Layers: string[] }[];
  const cfg = entries[0]?.Config ?? die("empty docker save manifest");
  const imageId = "sha256:" + cfg.replace(/^blobs\/sha256\//, "").replace(/\.json$/, "");
  const body = JSON.stringify({ schemaVersion: 2, fake: true, imageId, layers: entries[0]!.Layers.length, size: Bun.file(tar!).size });
  let res: Response;
  try {
    res = await fetch(`http://127.0.0.1:${m![2]}/v2/${m![3]}/manifests/${m![4]}`, { method: "PUT", body, signal: AbortSignal.timeout(10_000) });
  } catch (e) {
    return die(`Get "http://${m![1]}/v2/": dial tcp 127.0.0.1:${m![2]}: connect: connection refused`);
  }
  if (res.status !== 201) die(`PUT manifest: unexpected status ${res.status}`);
  process.stderr.write(`${stamp()} pushed blob: ${imageId}\n`);
  console.log(`${m![1]}/${m![3]}@${res.headers.get("Docker-Content-Digest")}`);
}

const argv = process.argv.slice(2);
record(argv);
if (argv[0] === "version") console.log("v0.20.2-fake");
else if (argv[0] === "push") await push(argv.slice(1));
else if (argv[0] === "registry" && argv[1] === "serve") await serve(argv.slice(2));
else die(`unknown command "${argv.join(" ")}" for "crane"`);
