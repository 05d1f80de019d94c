// What every backend offers the lifecycle commands. `launch`, `run`, `resume`,
// `stop`, `rm`, `exec`, `logs`, `gc` route to a driver by the backend recorded
// in state, so a bottle is always handled by the backend that made it.
import type { BottlePlan } from "../plan/types.ts";

export type LiveStatus = "running" | "stopped" | "partial" | "missing";

// How the agent is attached is the provider's business (it picks the command); defined there.
import type { AttachOptions } from "../providers/types.ts";
export type { AttachOptions };

export interface CollectOptions {
  out: string;
  /** Bytes for the command's stdin. */
  input?: Uint8Array;
  /** Aborting it stops the command (the host's disk is filling up). */
  signal?: AbortSignal;
}

export interface BackendDriver {
  readonly name: "docker" | "smolmachines";
  /** Build/prepare images, networks, the bundle and the agent; provision. Tears down what it made on failure. */
  up(plan: BottlePlan, secrets: Record<string, string>): Promise<void>;
  /** Run the agent (attached or not); returns the agent's exit code. */
  attach(plan: BottlePlan, opts: AttachOptions): Promise<number>;
  /**
   * Rejoin the interactive session of a running bottle (its terminal dropped);
   * returns the agent's exit code once the session ends, or NO_SESSION.
   * Absent on a backend that cannot hold a session.
   */
  rejoin?(plan: BottlePlan): Promise<number>;
  /** Run a command in the agent; returns its exit code. */
  exec(plan: BottlePlan, argv: string[], opts: { tty: boolean }): Promise<number>;
  /** Start a stopped (kept) bottle again. */
  start(plan: BottlePlan): Promise<void>;
  /** Stop without removing. */
  stop(plan: BottlePlan): Promise<void>;
  /** Remove everything the bottle made (containers, machines, networks). Idempotent. */
  remove(plan: BottlePlan): Promise<void>;
  /**
   * Optional: remove() in a process that outlives this one, for a finished
   * bottle whose data is already on the host. Failures leave labelled
   * resources that `gc` collects.
   */
  removeLater?(plan: BottlePlan): void;
  status(plan: BottlePlan): Promise<LiveStatus>;
  /**
   * Run `argv` as the agent user with stdout written (as bytes) to the host
   * file `out`, for harvests. Works on a stopped bottle: its agent is started
   * for the call and stopped again. Null when the agent is gone for good.
   */
  collect(plan: BottlePlan, argv: string[], o: CollectOptions): Promise<{ code: number; stderr: string } | null>;
  /** Optional: status of many bottles in one query (`ls` with hundreds of bottles), by identity. */
  statuses?(plans: BottlePlan[]): Promise<Map<string, LiveStatus>>;
  /** Identities of bottles this backend still has resources for (for gc of orphans). */
  listIdentities(): Promise<string[]>;
}
