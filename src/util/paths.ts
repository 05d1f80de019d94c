// XDG locations. Everything the CLI writes lives under these, never in the cwd.
import { homedir } from "node:os";
import { join } from "node:path";

function xdg(varName: string, fallback: string, env: Record<string, string | undefined>): string {
  const v = env[varName];
  return v && v.startsWith("/") ? v : join(env.HOME || homedir(), fallback);
}

export function stateDir(env: Record<string, string | undefined> = process.env): string {
  return join(xdg("XDG_STATE_HOME", ".local/state", env), "bot-bottle");
}

export function configDir(env: Record<string, string | undefined> = process.env): string {
  return join(xdg("XDG_CONFIG_HOME", ".config", env), "bot-bottle");
}

export function cacheDir(env: Record<string, string | undefined> = process.env): string {
  return join(xdg("XDG_CACHE_HOME", ".cache", env), "bot-bottle");
}
