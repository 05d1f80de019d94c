// `bundle proxy --config FILE` as a process: starts from a JSON config, takes
// real credentials from its environment only, serves, and exits cleanly on
// SIGTERM (docker stop) with the audit log flushed.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ProxyConfig } from "../../src/bundle/config.ts";
import { readAudit } from "../../src/bundle/proxy/audit.ts";
import { startTestUpstream, type TestUpstream } from "../../scripts/bench/lib/upstream.ts";
import { freePort } from "../../src/util/ports.ts";
import { missingPrograms, skipWhen } from "../helpers/skip.ts";

const ENTRY = join(import.meta.dir, "../../scripts/bench/lib/proxy-entry.ts");
let dir: string;
let up: TestUpstream;

/** The agent side of these tests is curl, as in a real bottle. */
const NO_CURL = skipWhen("proxy integration tests", missingPrograms(["curl"]));

describe.skipIf(NO_CURL)("bundle proxy CLI", () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "bb-proxy-cli-"));
    up = await startTestUpstream(dir);
  });
  afterAll(async () => {
    await up?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test("serves from a bundle config, injects the credential from env, exits 0 on SIGTERM", async () => {
    const port = freePort();
    const cfg: ProxyConfig = {
      listen: `127.0.0.1:${port}`,
      allow: ["api.test"],
      dlp: true,
      routes: [
        {
          host: "api.test",
          upstream: up.url,
          credential: { kind: "bearer", header: "authorization", prefix: "Bearer ", env: "TOKEN", placeholder: "placeholder-token-0123456789abcdef", bundleEnv: "BOT_BOTTLE_CRED_0", query: false },
        },
      ],
      secretEnv: [],
      caDir: join(dir, "ca"),
      auditLog: join(dir, "audit.jsonl"),
      blockPrivate: true,
      allowPrivate: ["localhost"],
    };
    const file = join(dir, "bundle.json");
    writeFileSync(file, JSON.stringify({ identity: "dev-abc123", proxy: cfg }));
    const proc = Bun.spawn([process.execPath, ENTRY, "--config", file], {
      env: { ...process.env, BOT_BOTTLE_CRED_0: "the-real-token-value", BOT_BOTTLE_UPSTREAM_CA_FILE: up.caFile },
      stdout: "pipe",
      stderr: "pipe",
    });
    try {
      let body = "";
      for (let i = 0; i < 100 && !body; i++) {
        const c = Bun.spawn(["curl", "-sS", "--max-time", "5", "--cacert", join(dir, "ca", "ca.crt"), "-x", `http://127.0.0.1:${port}`, "-H", "Authorization: Bearer placeholder-token-0123456789abcdef", "https://api.test/echo"], { stderr: "ignore" });
        body = await new Response(c.stdout).text();
        if (!body) await Bun.sleep(100);
      }
      // The origin got the real token; its echo reaches the agent scrubbed back to the placeholder.
      expect(up.seen.at(-1)!.headers.authorization).toBe("Bearer the-real-token-value");
      expect(JSON.parse(body).headers.authorization).toBe("Bearer placeholder-token-0123456789abcdef");
    } finally {
      proc.kill("SIGTERM");
    }
    expect(await proc.exited).toBe(0);
    const recs = readAudit(join(dir, "audit.jsonl"));
    expect(recs.at(-1)).toMatchObject({ decision: "allow", host: "api.test", route: "api.test", status: 200, scrubbed: ["BOT_BOTTLE_CRED_0"] });
  });

  test("a missing route credential in the environment fails at start with a clear message", async () => {
    const file = join(dir, "bad.json");
    writeFileSync(
      file,
      JSON.stringify({
        listen: "127.0.0.1:0",
        allow: [],
        dlp: true,
        routes: [{ host: "api.test", credential: { kind: "bearer", header: "authorization", prefix: "Bearer ", env: "T", placeholder: "p", bundleEnv: "BOT_BOTTLE_CRED_9", query: false } }],
        secretEnv: [],
        caDir: join(dir, "ca2"),
        auditLog: join(dir, "a2.jsonl"),
        blockPrivate: true,
      }),
    );
    const proc = Bun.spawn([process.execPath, ENTRY, "--config", file], { stdout: "pipe", stderr: "pipe", env: { PATH: process.env.PATH ?? "" } });
    const [code, err] = await Promise.all([proc.exited, new Response(proc.stderr).text()]);
    expect(code).not.toBe(0);
    expect(err).toContain("BOT_BOTTLE_CRED_9");
  });
});
