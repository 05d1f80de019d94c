// The git gate against an HTTPS-style remote that demands a token: a local
// `git http-backend` behind Bun.serve with Basic auth. The token lives only
// in the gate's environment; the agent's clone, the URLs and every file the
// gate writes must stay free of it.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startGitGate } from "../../src/bundle/git-gate/server.ts";
import type { Daemon } from "../../src/bundle/config.ts";

const TOKEN = "ghp_" + "T0kenThatMustNeverLeakAnywhere0123456789";
const GIT_ENV = {
  GIT_AUTHOR_NAME: "agent",
  GIT_AUTHOR_EMAIL: "agent@bottle",
  GIT_COMMITTER_NAME: "agent",
  GIT_COMMITTER_EMAIL: "agent@bottle",
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_GLOBAL: "/dev/null",
};
const execPath = Bun.which("git") ? Bun.spawnSync(["git", "--exec-path"]).stdout.toString().trim() : "";
const usable = !!execPath && existsSync(join(execPath, "git-daemon")) && existsSync(join(execPath, "git-http-backend"));
if (!usable) console.warn("skipping git gate HTTP test: git with git-daemon and git-http-backend is not installed");

async function git(cwd: string, ...args: string[]): Promise<{ code: number; out: string }> {
  const p = Bun.spawn(["git", ...args], { cwd, env: { ...process.env, ...GIT_ENV }, stdout: "pipe", stderr: "pipe" });
  const [o, e, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  return { code, out: o + e };
}

/** Smart-HTTP git server: `git http-backend` as CGI, 401 unless the Basic password is TOKEN. */
function startHttpRemote(projectRoot: string, seen: { url: string; auth: string | null }[]) {
  return Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      const url = new URL(req.url);
      const auth = req.headers.get("authorization");
      seen.push({ url: req.url, auth });
      const password = auth?.startsWith("Basic ") ? atob(auth.slice(6)).split(":").slice(1).join(":") : "";
      if (password !== TOKEN) return new Response("auth required\n", { status: 401, headers: { "WWW-Authenticate": 'Basic realm="test"' } });
      const proc = Bun.spawn(["git", "http-backend"], {
        env: {
          PATH: process.env.PATH,
          GIT_PROJECT_ROOT: projectRoot,
          GIT_HTTP_EXPORT_ALL: "1",
          REMOTE_USER: "agent",
          REQUEST_METHOD: req.method,
          PATH_INFO: url.pathname,
          QUERY_STRING: url.search.slice(1),
          CONTENT_TYPE: req.headers.get("content-type") ?? "",
          HTTP_CONTENT_ENCODING: req.headers.get("content-encoding") ?? "",
          GIT_CONFIG_COUNT: "1",
          GIT_CONFIG_KEY_0: "http.receivepack",
          GIT_CONFIG_VALUE_0: "true",
        },
        stdin: new Uint8Array(await req.arrayBuffer()),
        stdout: "pipe",
        stderr: "ignore",
      });
      const out = Buffer.from(await new Response(proc.stdout).arrayBuffer());
      await proc.exited;
      const split = out.indexOf("\r\n\r\n");
      const headers = new Headers();
      let status = 200;
      for (const line of out.subarray(0, split).toString().split("\r\n")) {
        const [k, ...v] = line.split(":");
        if (!k) continue;
        if (k.toLowerCase() === "status") status = parseInt(v.join(":").trim(), 10);
        else headers.append(k, v.join(":").trim());
      }
      return new Response(out.subarray(split + 4), { status, headers });
    },
  });
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true })
    .map((f) => join(dir, String(f)))
    .filter((f) => statSync(f).isFile());
}

describe.skipIf(!usable)("git gate (HTTPS-style remote with a token)", () => {
  let root: string;
  let gate: Daemon;
  let server: ReturnType<typeof startHttpRemote>;
  const seen: { url: string; auth: string | null }[] = [];

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), "bb-gate-http-"));
    const seed = join(root, "seed");
    await git(root, "init", "-q", "--bare", "-b", "main", join(root, "served", "project.git"));
    await git(root, "init", "-q", "-b", "main", seed);
    await Bun.write(join(seed, "README"), "hello\n");
    await git(seed, "add", "README");
    await git(seed, "commit", "-qm", "seed");
    await git(seed, "push", "-q", join(root, "served", "project.git"), "main");
    server = startHttpRemote(join(root, "served"), seen);
    gate = await startGitGate(
      {
        listen: "127.0.0.1:0",
        dir: join(root, "gate"),
        auditLog: join(root, "git-gate.jsonl"),
        repos: [
          {
            name: "origin",
            url: `http://127.0.0.1:${server.port}/project.git`,
            tokenEnv: "BOT_BOTTLE_GIT_TOKEN_0",
            push: ["bot-bottle/dev-x/*"],
            allowForce: false,
            allowDelete: false,
          },
        ],
      },
      { BOT_BOTTLE_GIT_TOKEN_0: TOKEN },
      { log: () => {} },
    );
  });

  afterAll(async () => {
    await gate?.close();
    server?.stop(true);
    if (root) rmSync(root, { recursive: true, force: true });
  });

  test("clone, commit and push through the gate reach the token-protected remote", async () => {
    const clone = join(root, "clone");
    expect((await git(root, "clone", "-q", `git://127.0.0.1:${gate.address.port}/origin.git`, clone)).code).toBe(0);
    await Bun.write(join(clone, "work.txt"), "work\n");
    await git(clone, "add", "work.txt");
    await git(clone, "commit", "-qm", "work");
    const p = await git(clone, "push", "origin", "HEAD:bot-bottle/dev-x/one");
    expect(p.code).toBe(0);
    const there = await git(root, "--git-dir", join(root, "served", "project.git"), "rev-parse", "refs/heads/bot-bottle/dev-x/one");
    expect(there.out.trim()).toBe((await git(clone, "rev-parse", "HEAD")).out.trim());
    // The remote saw authenticated requests, all with the token as a header, never in a URL.
    expect(seen.some((s) => s.auth !== null)).toBe(true);
    expect(seen.every((s) => !s.url.includes(TOKEN))).toBe(true);
  });

  test("the token is in no file of the gate or of the agent's clone", () => {
    const files = [...filesUnder(join(root, "gate")), ...filesUnder(join(root, "clone", ".git")), join(root, "git-gate.jsonl")];
    expect(files.length).toBeGreaterThan(10);
    const leaking = files.filter((f) => readFileSync(f).includes(TOKEN));
    expect(leaking).toEqual([]);
  });

  test("a gate without the token cannot start: the error says to check the credential", async () => {
    const err = await startGitGate(
      {
        listen: "127.0.0.1:0",
        dir: join(root, "gate-no-token"),
        auditLog: join(root, "no-token.jsonl"),
        repos: [{ name: "origin", url: `http://127.0.0.1:${server.port}/project.git`, tokenEnv: "UNSET_TOKEN", push: [], allowForce: false, allowDelete: false }],
      },
      {},
      { log: () => {} },
    ).catch((e: Error & { hint?: string }) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toContain("cannot fetch origin");
    expect((err as { hint?: string }).hint).toContain("credential");
  });
});
