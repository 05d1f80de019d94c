// The gate's bare mirrors of the operator's remotes: created at start,
// refreshed from the real remote (serialised per repo), and the forward of
// accepted pushes. Every git command goes through a Runner.
import { chmodSync, existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { GitGateConfig, GitGateRepoConfig } from "../config.ts";
import { BottleError } from "../../util/errors.ts";
import type { Runner } from "../../util/run.ts";
import {
  fetchMirrorArgv,
  forwardPushArgv,
  initMirrorArgv,
  isAncestorArgv,
  lsRemoteHeadArgv,
  mirrorDir,
  parseSymrefHead,
  remoteGitEnv,
  setHeadArgv,
} from "./git-argv.ts";

/** Remote operations are bounded so a hung remote cannot hold a push forever. */
export const REMOTE_TIMEOUT_MS = 120_000;

export class Mirrors {
  private chains = new Map<string, Promise<unknown>>();
  /** A refresh queued but not started yet: later requests join it (it will still see their remote state). */
  private queuedRefresh = new Map<string, Promise<string | null>>();

  constructor(
    private cfg: GitGateConfig,
    private env: Record<string, string | undefined>,
    private runner: Runner,
  ) {}

  repo(name: string): GitGateRepoConfig | undefined {
    return this.cfg.repos.find((r) => r.name === name);
  }

  path(name: string): string {
    return mirrorDir(this.cfg.dir, name);
  }

  private remoteEnv(repo: GitGateRepoConfig) {
    return remoteGitEnv(repo, this.env, join(this.cfg.dir, ".known_hosts"));
  }

  /** Serialise work on one mirror: git's ref locks would otherwise make concurrent fetches fail. */
  private serial<T>(name: string, work: () => Promise<T>): Promise<T> {
    const prev = this.chains.get(name) ?? Promise.resolve();
    const next = prev.then(work, work);
    this.chains.set(name, next.catch(() => undefined));
    return next;
  }

  /** Create the bare mirror (if new), install the pre-receive hook, fetch once. */
  async prepare(repo: GitGateRepoConfig, hook: string): Promise<void> {
    const path = this.path(repo.name);
    if (!existsSync(join(path, "HEAD"))) {
      const res = await this.runner(initMirrorArgv(path));
      if (res.code !== 0) throw new BottleError("GIT_GATE", `cannot create the mirror of ${repo.name}: ${res.stderr.trim()}`);
    }
    const hookPath = join(path, "hooks", "pre-receive");
    writeFileSync(hookPath, hook);
    chmodSync(hookPath, 0o755);
    const err = await this.refresh(repo.name);
    if (err) throw new BottleError("GIT_GATE", `cannot fetch ${repo.name} from its remote: ${err}`, {
      hint: "check the remote's URL and credential (token or SSH key) in the manifest",
    });
    // The mirror's HEAD follows the remote's default branch, so a clone checks it out.
    const ls = await this.runner(lsRemoteHeadArgv(path, repo.url), { env: this.remoteEnv(repo), timeoutMs: REMOTE_TIMEOUT_MS });
    const head = ls.code === 0 ? parseSymrefHead(ls.stdout) : null;
    if (head) await this.runner(setHeadArgv(path, head));
  }

  /** Fetch from the real remote; returns the error text, or null on success. */
  refresh(name: string): Promise<string | null> {
    const repo = this.repo(name);
    if (!repo) return Promise.resolve(`no repository named ${name}`);
    const queued = this.queuedRefresh.get(name);
    if (queued) return queued;
    const next = this.serial(name, async () => {
      this.queuedRefresh.delete(name);
      const res = await this.runner(fetchMirrorArgv(this.path(name), repo.url), {
        env: this.remoteEnv(repo),
        timeoutMs: REMOTE_TIMEOUT_MS,
      });
      return res.code === 0 ? null : lastLines(res.stderr || res.stdout || `git fetch exited ${res.code}`);
    });
    this.queuedRefresh.set(name, next);
    return next;
  }

  /** Is old an ancestor of new? Looks into the push's quarantine too. */
  async isAncestor(name: string, oldSha: string, newSha: string, quarantine: Record<string, string>): Promise<boolean> {
    const res = await this.runner(isAncestorArgv(this.path(name), oldSha, newSha), { env: quarantine });
    return res.code === 0;
  }

  /** Push refspecs to the real remote; returns the error text, or null on success. */
  async forward(name: string, refspecs: string[], quarantine: Record<string, string>): Promise<string | null> {
    const repo = this.repo(name);
    if (!repo) return `no repository named ${name}`;
    return this.serial(name, async () => {
      const res = await this.runner(forwardPushArgv(this.path(name), repo.url, refspecs), {
        env: { ...this.remoteEnv(repo), ...quarantine },
        timeoutMs: REMOTE_TIMEOUT_MS,
      });
      return res.code === 0 ? null : lastLines(res.stderr || res.stdout || `git push exited ${res.code}`);
    });
  }
}

function lastLines(text: string): string {
  return text.trim().split("\n").slice(-4).join(" | ");
}
