// Pure builders for every git command the gate runs, and the environment that
// carries the host-held credential. The credential never lands in a URL, in a
// repository's config file or on a command line: an HTTPS token reaches git
// through a credential helper that reads a variable of the bundle's own
// environment; an SSH key through GIT_SSH_COMMAND.
import { join } from "node:path";
import type { GitGateRepoConfig } from "../config.ts";

/** Refs the mirror copies from the real remote (not refs/pull/* and the like). */
export const MIRROR_REFSPECS = ["+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"];

export function mirrorDir(dir: string, repo: string): string {
  return join(dir, `${repo}.git`);
}

export function gitDaemonArgv(opts: { dir: string; host: string; port: number; accessHook: string }): string[] {
  return [
    "git",
    "daemon",
    "--reuseaddr",
    // One line per connection and request: the bundle's log of fetches; "Ready to rumble" marks readiness.
    "--verbose",
    "--export-all",
    "--informative-errors",
    // A connection that never sends its request is dropped instead of holding a slot.
    "--init-timeout=30",
    "--enable=receive-pack",
    `--base-path=${opts.dir}`,
    `--listen=${opts.host}`,
    `--port=${opts.port}`,
    `--access-hook=${opts.accessHook}`,
    opts.dir,
  ];
}

export function initMirrorArgv(path: string): string[] {
  return ["git", "init", "--quiet", "--bare", path];
}

export function fetchMirrorArgv(path: string, url: string): string[] {
  return ["git", "-C", path, "fetch", "--quiet", "--prune", "--no-write-fetch-head", url, ...MIRROR_REFSPECS];
}

/** Prints `ref: refs/heads/main\tHEAD` first: the remote's default branch. */
export function lsRemoteHeadArgv(path: string, url: string): string[] {
  return ["git", "-C", path, "ls-remote", "--symref", url, "HEAD"];
}

export function parseSymrefHead(lsRemoteOut: string): string | null {
  const m = /^ref: (refs\/heads\/[^\t\s]+)\tHEAD$/m.exec(lsRemoteOut);
  return m ? m[1]! : null;
}

export function setHeadArgv(path: string, ref: string): string[] {
  return ["git", "-C", path, "symbolic-ref", "HEAD", ref];
}

export function isAncestorArgv(path: string, oldSha: string, newSha: string): string[] {
  return ["git", "-C", path, "merge-base", "--is-ancestor", oldSha, newSha];
}

export function forwardPushArgv(path: string, url: string, refspecs: string[]): string[] {
  return ["git", "-C", path, "push", "--porcelain", url, ...refspecs];
}

function hasUserInfo(url: string): boolean {
  return /^[a-z+]+:\/\/[^/@]+@/i.test(url);
}

/**
 * Environment for git commands that talk to the real remote. `env` is the
 * bundle's environment (where tokenEnv lives); only the variable's NAME goes
 * into git's config, so the token stays out of argv and config files.
 */
export function remoteGitEnv(repo: GitGateRepoConfig, env: Record<string, string | undefined>, knownHosts: string): Record<string, string | undefined> {
  const config: [string, string][] = [];
  if (repo.tokenEnv && env[repo.tokenEnv] !== undefined) {
    // Many hosts take any user name with a token (GitHub documents x-access-token).
    const user = hasUserInfo(repo.url) ? "" : "echo username=x-access-token; ";
    // The empty helper first clears helpers from system/global config (no credential store).
    config.push(["credential.helper", ""]);
    config.push(["credential.helper", `!f() { test "$1" = get || exit 0; ${user}echo "password=$${repo.tokenEnv}"; }; f`]);
  }
  const out: Record<string, string | undefined> = {
    GIT_TERMINAL_PROMPT: "0",
    GIT_CONFIG_COUNT: String(config.length),
  };
  config.forEach(([k, v], i) => {
    out[`GIT_CONFIG_KEY_${i}`] = k;
    out[`GIT_CONFIG_VALUE_${i}`] = v;
  });
  if (repo.tokenEnv) out[repo.tokenEnv] = env[repo.tokenEnv];
  if (repo.sshKeyFile) {
    out.GIT_SSH_COMMAND = sshCommand(repo.sshKeyFile, knownHosts);
  }
  return out;
}

const shq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** Trust on first use, remembered in the gate's own known_hosts (the bundle has no ~/.ssh). */
export function sshCommand(keyFile: string, knownHosts: string): string {
  return [
    "ssh",
    "-i",
    shq(keyFile),
    "-o IdentitiesOnly=yes",
    "-o BatchMode=yes",
    "-o StrictHostKeyChecking=accept-new",
    `-o UserKnownHostsFile=${shq(knownHosts)}`,
  ].join(" ");
}

/** The URL the agent's clone uses for a gated repo. */
export function gateUrl(host: string, port: number, repo: string): string {
  return `git://${host}:${port}/${repo}.git`;
}
