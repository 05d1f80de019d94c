// What differs between agent programs: how their image is made, how they are
// started for a task or a session, and where their per-agent files go.
import type { AgentFile, BottlePlan } from "../plan/types.ts";
import type { Provider } from "../manifest/schema.ts";

/** A file written into the agent; defined in plan/ because the bundle's supervise config writes them too. */
export type { AgentFile };

export interface ImageRecipe {
  /** Debian packages on top of the common set (ca-certificates, git, curl). */
  apt: string[];
  /** Global npm packages (needs nodejs + npm in `apt`). */
  npm: string[];
  /**
   * Node.js major version from the npm registry's official builds
   * (`node-linux-<arch>`), for agents that need a newer Node than the base
   * image's Debian (bookworm ships 18). Installed into /usr/local/bin, ahead
   * of Debian's on PATH.
   */
  node?: number;
  /** Extra executables put in /usr/local/bin: name → script text. */
  scripts?: Record<string, string>;
}

export interface ProviderSpec {
  name: Provider;
  recipe: ImageRecipe;
  /** Non-interactive run of one task (`run -p TASK`). */
  taskCommand(plan: BottlePlan, task: string): string[];
  /** Interactive session (`launch`, `resume`). */
  sessionCommand(plan: BottlePlan): string[];
  /** `run` without -p and without `-- cmd`; undefined when the provider needs a task. */
  defaultRunCommand(plan: BottlePlan): string[] | undefined;
  /** Where skills go inside the agent; undefined when the provider has no skills. */
  skillsDir?: string;
  /** Provider-specific files (e.g. codex's AGENTS.md). */
  files(plan: BottlePlan): AgentFile[];
}

export interface AttachOptions {
  /** Interactive TTY (launch/resume) or not (run). */
  interactive: boolean;
  /** Non-interactive task for the agent (`run -p`). */
  prompt?: string;
  /** Explicit command instead of the provider's default (`run … -- cmd`). */
  command?: string[];
}
