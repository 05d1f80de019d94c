// Images that tests build themselves, tagged by a hash of their recipe so a
// CI run builds each once and every test file (and the next run) reuses it.
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run } from "../../src/util/run.ts";
import { imageExists } from "./docker.ts";

/** The base every test image starts from: made locally by scripts/base-image.sh in CI. */
export function testBaseImage(): string {
  return process.env.BOT_BOTTLE_BASE_IMAGE || "debian:bookworm-slim";
}

/**
 * CA bundle trusted during builds (corporate TLS interception): the operator's
 * BOT_BOTTLE_BUILD_CA, else the host's system bundle when there is one.
 */
export function buildCaFile(): string | undefined {
  const named = process.env.BOT_BOTTLE_BUILD_CA;
  if (named) return named;
  const system = "/etc/ssl/certs/ca-certificates.crt";
  return existsSync(system) ? system : undefined;
}

/** Tools the escape probes run inside the agent. */
export function probeDockerfile(base = testBaseImage()): string {
  return [
    `FROM ${base}`,
    "COPY build-ca.crt /usr/local/share/build-ca.crt",
    `RUN printf 'Acquire::https::CaInfo "/usr/local/share/build-ca.crt";\\n' > /etc/apt/apt.conf.d/99build-ca \\`,
    " && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \\",
    "    ca-certificates curl netcat-openbsd procps >/dev/null \\",
    " && rm -rf /var/lib/apt/lists/* /etc/apt/apt.conf.d/99build-ca /usr/local/share/build-ca.crt",
    "RUN useradd -m -u 1000 -s /bin/bash node",
    'CMD ["sleep", "infinity"]',
    "",
  ].join("\n");
}

const built = new Map<string, Promise<string>>();

/** Build (once) an image from a Dockerfile text; returns its content-addressed tag. */
export function ensureImage(repo: string, dockerfile: string): Promise<string> {
  const tag = `${repo}:${createHash("sha256").update(dockerfile).digest("hex").slice(0, 12)}`;
  let p = built.get(tag);
  if (!p) {
    p = buildImage(tag, dockerfile);
    built.set(tag, p);
  }
  return p;
}

async function buildImage(tag: string, dockerfile: string): Promise<string> {
  if (await imageExists(tag)) return tag;
  const dir = mkdtempSync(join(tmpdir(), "bb-image-"));
  try {
    writeFileSync(join(dir, "Dockerfile"), dockerfile);
    const ca = buildCaFile();
    if (ca) copyFileSync(ca, join(dir, "build-ca.crt"));
    else writeFileSync(join(dir, "build-ca.crt"), "");
    const started = performance.now();
    const res = await run(["docker", "build", "-q", "-t", tag, dir], { timeoutMs: 600_000 });
    if (res.code !== 0) throw new Error(`docker build ${tag} failed: ${res.stderr.trim().split("\n").slice(-5).join(" | ")}`);
    console.log(`built ${tag} in ${Math.round(performance.now() - started)} ms`);
    return tag;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function ensureProbeImage(): Promise<string> {
  return ensureImage("bot-bottle-test/probe", probeDockerfile());
}
