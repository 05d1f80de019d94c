// Driver-agnostic bottle lifecycle: record → up → attach → stop or remove,
// with teardown in reverse order on exit, on SIGINT/SIGTERM/SIGHUP and on a
// failure midway, and the state row kept in step. Used by launch, run and
// resume on every backend.
import type { Database } from "bun:sqlite";
import { consola } from "consola";
import type { AttachOptions, BackendDriver } from "../backends/types.ts";
import type { BottlePlan } from "../plan/types.ts";
import { redactPlan } from "../plan/redact.ts";
import { addEvent, listEvents, recordBottle, setKeep, setStatus } from "../state/bottles.ts";
import { interruptChildren } from "../util/children.ts";
import { BottleError } from "../util/errors.ts";
import type { LaunchBase } from "../harvest/types.ts";
import { setLaunchBase } from "../state/harvests.ts";
import { claimOwner, releaseOwner } from "./owner.ts";
import { recordLifecycle } from "./audit-lifecycle.ts";
import { timed } from "../util/phases.ts";

import { EXIT, SIGNAL_EXIT } from "../util/exit-codes.ts";
import { NO_SESSION } from "../backends/session-holder.ts";
export { SIGNAL_EXIT };

/** Run `body` with signal handlers; `onSignal` gets the first signal, a second one exits at once. */
async function withSignals<T>(onSignal: (sig: string) => void, body: () => Promise<T>): Promise<T> {
  let seen = false;
  const handlers = Object.keys(SIGNAL_EXIT).map((sig) => {
    const h = () => {
      if (seen) {
        consola.warn(`${sig} again: exiting without waiting for cleanup (\`bot-bottle gc\` finishes it)`);
        process.exit(SIGNAL_EXIT[sig]);
      }
      seen = true;
      onSignal(sig);
    };
    process.on(sig as NodeJS.Signals, h);
    return [sig, h] as const;
  });
  try {
    return await body();
  } finally {
    for (const [sig, h] of handlers) process.off(sig as NodeJS.Signals, h);
  }
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let p: Promise<void> | undefined;
  return () => (p ??= fn());
}

/** The plan may change during up (another subnet): keep the stored copy in step. */
function savePlan(db: Database, plan: BottlePlan): void {
  db.query("UPDATE bottles SET plan_json = $plan WHERE identity = $identity").run({
    identity: plan.identity,
    plan: JSON.stringify(redactPlan(plan)),
  });
}

export interface LaunchOptions {
  /** The full plan (real credentials included: they go to the bundle only). */
  plan: BottlePlan;
  driver: BackendDriver;
  attach: AttachOptions;
  /** Leave the bottle stopped afterwards (for `resume`), instead of removing it. */
  keep: boolean;
  db: Database;
  /** Harvest steps (tests substitute them). */
  harvest?: HarvestHooks;
}

export interface HarvestHooks {
  base(plan: BottlePlan): Promise<LaunchBase>;
  harvest(db: Database, plan: BottlePlan, driver: BackendDriver): Promise<unknown>;
}

// Loaded when a bottle copies the cwd: a plain `run` never parses the harvest code (a tenth of the CLI's start from source).
const HARVEST: HarvestHooks = {
  base: async (plan) => (await import("./harvest-base.ts")).launchBase(plan),
  harvest: async (db, plan, driver) => (await import("./harvest-gate.ts")).harvestAndReport(db, plan, driver),
};

/** Events of this kind that `bot-bottle stop` wrote (it writes one before it stops anything). */
export const STOP_EVENT = "stop-requested";

const stopRequests = (db: Database, id: string) => listEvents(db, id, STOP_EVENT).length;

/** The first real error, with a note when cleaning up after it failed too (the note never replaces it). */
function withCleanupNote(e: unknown, cleanup: unknown): unknown {
  if (cleanup === undefined) return e;
  consola.debug(`cleanup: ${(cleanup as Error).message}`);
  const note = "leftovers remain: `bot-bottle gc` removes them once the engine answers";
  if (e instanceof BottleError) return new BottleError(e.code, e.message, { hint: e.hint ? `${e.hint}; ${note}` : note, exitCode: e.exitCode, file: e.file, line: e.line, key: e.key, cause: e });
  return e;
}

function stoppedByCli(id: string): number {
  consola.info(`stopped by \`bot-bottle stop\`: ${id} is kept — \`bot-bottle resume ${id}\` reopens it, \`bot-bottle rm ${id}\` removes it`);
  return EXIT.STOPPED;
}

/**
 * The operator's terminal hung up (SIGHUP) under an interactive session on a
 * backend that holds sessions: the agent keeps running and `attach` rejoins
 * it. Any other signal, or a non-interactive run, tears down as before.
 */
function canDetach(sig: string, attach: AttachOptions, driver: BackendDriver): boolean {
  return sig === "SIGHUP" && attach.interactive && typeof driver.rejoin === "function";
}

/** Leave a session running: kept (gc and the launcher leave it), owner released. */
function detach(db: Database, id: string): void {
  setKeep(db, id, true);
  addEvent(db, id, "detached", { pid: process.pid });
  releaseOwner(db, id);
  consola.warn(`terminal hung up: ${id} keeps running — \`bot-bottle attach ${id}\` rejoins it`);
}

/** Bring a new bottle up, attach, tear down. Returns the agent's exit code (or 128+signal, or EXIT.STOPPED). */
export async function launchBottle(o: LaunchOptions): Promise<number> {
  const { plan, driver, db } = o;
  const hv = o.harvest ?? HARVEST;
  const id = plan.identity;
  recordBottle(db, plan, o.keep);
  claimOwner(db, id);
  const stopsBefore = stopRequests(db, id);
  let signalled: string | undefined;
  let attaching = false;
  let failed = false;
  let detached = false;
  let upFailed = false;
  // The agent's work comes home before anything is torn down; when it cannot, the bottle stays (stopped).
  const bringHome = async () => {
    if (!plan.copyCwd || upFailed) return;
    try {
      await timed("harvest", () => hv.harvest(db, plan, driver));
    } catch (e) {
      await driver.stop(plan).catch((err) => consola.warn(`stopping ${id}: ${(err as Error).message}`));
      setKeep(db, id, true);
      setStatus(db, id, "stopped");
      throw e;
    }
  };
  const down = once(() => timed("teardown", async () => {
    await recordLifecycle(id, o.keep && !failed ? "stopping" : "removing");
    try {
      // `bot-bottle stop` keeps the bottle whatever --keep said: `rm` is the only thing that removes.
      if (stopRequests(db, id) > stopsBefore) return;
      await bringHome();
      if (o.keep && !failed) {
        await driver.stop(plan);
        setStatus(db, id, "stopped");
      } else {
        try {
          await driver.remove(plan);
        } finally {
          // Never left in `creating`: even when the engine cannot be asked, the row says what happened.
          setStatus(db, id, failed ? "failed" : "removed");
        }
      }
    } finally {
      releaseOwner(db, id);
    }
  }));
  return withSignals(
    (sig) => {
      signalled = sig;
      addEvent(db, id, "signal", { signal: sig });
      void recordLifecycle(id, "signal", { signal: sig });
      if (attaching && canDetach(sig, o.attach, driver)) {
        detached = true;
        return detach(db, id);
      }
      consola.warn(`${sig}: tearing down ${id}`);
      // Mid-attach: removing the containers ends the agent. Mid-up: end the step in flight (a build can take minutes), then tear down.
      if (attaching) void down().catch((e) => consola.error(`teardown: ${(e as Error).message}`));
      else interruptChildren("SIGINT");
    },
    async () => {
      const secrets = Object.fromEntries(plan.bundleEnv.map((v) => [v.name, v.value]));
      const before = plan.network.cidr;
      try {
        // Recorded as the copy is taken: what `diff` compares against and an export leaves out.
        if (plan.copyCwd) setLaunchBase(db, id, await hv.base(plan));
        await timed("up", () => driver.up(plan, secrets));
      } catch (e) {
        failed = !signalled;
        upFailed = true;
        addEvent(db, id, signalled ? "interrupted" : "failed", { message: (e as Error).message });
        await recordLifecycle(id, signalled ? "interrupted" : "failed", { message: (e as Error).message });
        let cleanup: unknown;
        await down().catch((err) => (cleanup = err ?? new Error("cleanup failed")));
        // Interrupted: the step failed because we ended it; the signal is the answer.
        if (signalled) {
          if (cleanup) consola.warn(`teardown: ${(cleanup as Error).message}`);
          return SIGNAL_EXIT[signalled]!;
        }
        throw withCleanupNote(e, cleanup);
      }
      if (plan.network.cidr !== before) savePlan(db, plan);
      if (signalled) {
        await down();
        return SIGNAL_EXIT[signalled]!;
      }
      setStatus(db, id, "running");
      await recordLifecycle(id, "up", { backend: plan.backend, bottle: plan.bottle, allow: plan.allow, onDeny: plan.policy?.onDeny ?? "block" });
      attaching = true;
      let code: number;
      try {
        code = await timed("attach", () => driver.attach(plan, o.attach));
      } catch (e) {
        failed = !o.keep;
        let cleanup: unknown;
        await down().catch((err) => (cleanup = err ?? new Error("cleanup failed")));
        throw withCleanupNote(e, cleanup);
      }
      if (detached) return SIGNAL_EXIT[signalled!]!;
      addEvent(db, id, "exit", { code });
      await recordLifecycle(id, "agent-exited", { code });
      if (!o.keep && !signalled && stopRequests(db, id) === stopsBefore && driver.removeLater) {
        // Once the work is home nothing is left to lose: the containers go in the background (`gc` finishes a failed removal).
        try {
          await bringHome();
        } catch (e) {
          releaseOwner(db, id);
          throw e;
        }
        await recordLifecycle(id, "removing");
        await timed("teardown", async () => driver.removeLater!(plan));
        setStatus(db, id, "removed");
        releaseOwner(db, id);
      } else await down();
      if (signalled) return SIGNAL_EXIT[signalled]!;
      if (stopRequests(db, id) > stopsBefore) return stoppedByCli(id);
      if (o.keep) consola.info(`kept ${id}: \`bot-bottle resume ${id}\` to reopen, \`bot-bottle rm ${id}\` to remove`);
      return code;
    },
  );
}

export interface ResumeOptions {
  /** The stored (redacted) plan: the containers already hold their env. */
  plan: BottlePlan;
  driver: BackendDriver;
  db: Database;
  /** Undefined: only start it (for `exec`), leave it running. */
  attach?: AttachOptions;
  harvest?: HarvestHooks;
}

/** Start a kept bottle and (optionally) attach; stops it again after an attach. */
export async function resumeBottle(o: ResumeOptions): Promise<number> {
  const { plan, driver, db } = o;
  const id = plan.identity;
  const live = await driver.status(plan);
  if (live === "missing") {
    throw new BottleError("BOTTLE_NOT_FOUND", `${id} has no containers left to resume`, { hint: `\`bot-bottle rm ${id}\` forgets it` });
  }
  if (live !== "running") {
    consola.start(`starting ${id}`);
    await driver.start(plan);
  }
  setKeep(db, id, true);
  setStatus(db, id, "running");
  await recordLifecycle(id, "resumed", { attach: !!o.attach });
  if (!o.attach) return 0;
  const attach = o.attach;
  claimOwner(db, id);
  const stopsBefore = stopRequests(db, id);
  const down = once(async () => {
    await recordLifecycle(id, "stopping");
    try {
      // `bot-bottle stop` already stopped it and wrote the status.
      if (stopRequests(db, id) > stopsBefore) return;
      let harvestError: unknown;
      if (plan.copyCwd) await (o.harvest ?? HARVEST).harvest(db, plan, driver).catch((e) => (harvestError = e));
      await driver.stop(plan);
      setStatus(db, id, "stopped");
      if (harvestError) throw harvestError;
    } finally {
      releaseOwner(db, id);
    }
  });
  let signalled: string | undefined;
  let detached = false;
  return withSignals(
    (sig) => {
      signalled = sig;
      if (canDetach(sig, attach, driver)) {
        detached = true;
        return detach(db, id);
      }
      void down().catch((e) => consola.error(`stop: ${(e as Error).message}`));
    },
    async () => {
      let code: number;
      try {
        code = await driver.attach(plan, attach);
      } finally {
        if (!detached) await down();
      }
      if (detached) return SIGNAL_EXIT[signalled!]!;
      addEvent(db, id, "exit", { code });
      if (signalled) return SIGNAL_EXIT[signalled]!;
      if (stopRequests(db, id) > stopsBefore) return stoppedByCli(id);
      return code;
    },
  );
}

export interface RejoinOptions {
  plan: BottlePlan;
  driver: BackendDriver;
  db: Database;
}

/**
 * `attach`: rejoin the session of a running bottle whose terminal dropped.
 * When the session ends here, the bottle is stopped and kept (like `resume`);
 * when this terminal drops too, the agent keeps running. Returns the agent's code.
 */
export async function rejoinBottle(o: RejoinOptions): Promise<number> {
  const { plan, driver, db } = o;
  const id = plan.identity;
  if (!driver.rejoin) {
    throw new BottleError("BACKEND", `the ${driver.name} backend cannot rejoin a session`, { hint: `\`bot-bottle exec ${id} -t -- bash\` opens a shell in it` });
  }
  const live = await driver.status(plan);
  if (live !== "running") {
    throw new BottleError("USAGE", `${id} is not running (${live})`, { hint: `\`bot-bottle resume ${id}\` starts it with a new session` });
  }
  claimOwner(db, id);
  let signalled: string | undefined;
  return withSignals(
    (sig) => {
      // Whatever ends this terminal leaves the agent running.
      signalled = sig;
    },
    async () => {
      let code: number;
      try {
        code = await driver.rejoin!(plan);
      } finally {
        releaseOwner(db, id);
      }
      if (signalled) return SIGNAL_EXIT[signalled]!;
      if (code === NO_SESSION) {
        throw new BottleError("USAGE", `${id} has no session to rejoin`, { hint: `\`bot-bottle exec ${id} -t -- bash\` opens a shell in it` });
      }
      addEvent(db, id, "exit", { code });
      await driver.stop(plan);
      setStatus(db, id, "stopped");
      consola.info(`session ended; ${id} is stopped and kept — \`bot-bottle resume ${id}\` reopens it, \`bot-bottle rm ${id}\` removes it`);
      return code;
    },
  );
}
