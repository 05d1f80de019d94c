// `smolvm pack create --image REF -o OUT` for the fake: pulls the manifest the
// fake crane pushed to a localhost registry and writes OUT (a launcher) and
// OUT.smolmachine (the artifact: JSON naming the image id).
import { chmodSync, writeFileSync } from "node:fs";
import { parse, str } from "./clap.ts";
import { fail } from "./errors.ts";
import { PACK_CREATE } from "./specs.ts";

export async function packCreate(args: string[]): Promise<void> {
  const p = parse(args, PACK_CREATE);
  const image = str(p, "image") ?? fail("config operation failed: pack create: no image specified. Provide IMAGE argument or set 'image' in Smolfile");
  const out = str(p, "output")!;
  console.log("Starting agent VM...");
  const m = /^(?:localhost|127\.0\.0\.1):(\d+)\/(.+):([^:/]+)$/.exec(image);
  if (!m) fail(`agent operation failed: pull image: the fake smolvm pulls only from localhost registries: ${image}`);
  let manifest: any;
  try {
    const res = await fetch(`http://127.0.0.1:${m![1]}/v2/${m![2]}/manifests/${m![3]}`, { signal: AbortSignal.timeout(10_000) });
    if (res.status !== 200) throw new Error(`MANIFEST_UNKNOWN: manifest unknown (HTTP ${res.status})`);
    manifest = await res.json();
  } catch (e) {
    fail(`agent operation failed: pull image: ${(e as Error).message}`);
  }
  console.log(`Image: ${image} (${manifest.layers} layers, ${manifest.size} bytes)`);
  const delay = Number(process.env.FAKE_SMOLVM_PACK_DELAY_MS ?? 0);
  if (delay > 0) await Bun.sleep(Math.min(delay, 60_000));
  const sidecar = `${out}.smolmachine`;
  const body = JSON.stringify({ format: "fake-smolmachine/1", image, imageId: manifest.imageId, layers: manifest.layers, cpus: Number(str(p, "cpus") ?? 4), mem: Number(str(p, "mem") ?? 8192), workdir: null });
  if (process.env.FAKE_SMOLVM_PACK_FAIL === "1") {
    writeFileSync(sidecar, body.slice(0, Math.floor(body.length / 2)));
    fail("agent operation failed: export layer: write failed: No space left on device (os error 28)");
  }
  writeFileSync(out, "#!/bin/sh\necho 'fake packed launcher'\n");
  chmodSync(out, 0o755);
  writeFileSync(sidecar, body);
  console.log(`Packed: ${out} (stub: 1KB, total: 1KB)`);
  console.log(`Assets: ${sidecar} (${Math.ceil(body.length / 1024)}KB compressed)`);
  console.log(`\nRun with: ${out}`);
  console.log("Note: Keep the .smolmachine file alongside the binary");
  console.log("Options: --help for usage");
}

