// Pure: how a bottle looks from smolvm's side — the machine's name, the guest
// environment (given to create AND re-sent on every exec, so no exec depends
// on whether this smolvm merges the machine's stored env into it), and the
// argv that drops from root to the agent user.
import { AGENT_HOME, AGENT_USER } from "../../plan/bottle-paths.ts";
import type { BottlePlan } from "../../plan/types.ts";
import { REDACTED } from "../../env/resolve.ts";
import { memoryToMiB, type CreateOptions, type ExecOptions } from "./smolvm-argv.ts";

export const MACHINE_PREFIX = "bot-bottle-";

/**
 * Identity → machine name. smolvm forbids "--" in names while identities may
 * hold it; each run of k hyphens becomes "-" + k-1 underscores (identities
 * have no '_'), which keeps the map one-to-one and reversible.
 */
export function machineName(identity: string): string {
  return MACHINE_PREFIX + identity.replace(/-{2,}/g, (run) => "-" + "_".repeat(run.length - 1));
}

export function identityOfMachine(name: string): string | null {
  if (!name.startsWith(MACHINE_PREFIX)) return null;
  return name.slice(MACHINE_PREFIX.length).replace(/-_+/g, (run) => "-".repeat(run.length));
}

/** Names that steer smolvm itself: a secret by that name travels as a literal instead. */
const TOOL_ENV = /^(SMOLVM_|RUST_LOG$|PATH$|HOME$|TMPDIR$)/;

export interface GuestEnv {
  env: Record<string, string>;
  /** Secret names: `-e NAME`, value through smolvm's environment. */
  passEnv: string[];
  values: Record<string, string>;
}

/**
 * A plan read back from state (resume, exec) has its secrets redacted: those
 * are left out, and the guest still has them from `machine create` (0.8.2's
 * exec merges the machine's create-time env under the call's own -e).
 */
export function guestEnv(plan: BottlePlan): GuestEnv {
  const out: GuestEnv = { env: {}, passEnv: [], values: {} };
  for (const v of plan.env) {
    if (v.secret && v.value === REDACTED) continue;
    if (v.secret && !TOOL_ENV.test(v.name)) {
      out.passEnv.push(v.name);
      out.values[v.name] = v.value;
    } else out.env[v.name] = v.value;
  }
  out.passEnv.sort();
  return out;
}

/** What `docker exec -u node` sets and smolvm's exec (root) does not. */
export const AGENT_USER_ENV = { HOME: AGENT_HOME, USER: AGENT_USER, LOGNAME: AGENT_USER } as const;

/** smolvm exec has no --user: root drops to the agent user with setpriv (util-linux, in every Debian). */
export function asAgentUser(argv: string[]): string[] {
  return ["setpriv", `--reuid=${AGENT_USER}`, `--regid=${AGENT_USER}`, "--init-groups", "--", ...argv];
}

export function createOptions(plan: BottlePlan, artifact: string): CreateOptions {
  const g = guestEnv(plan);
  return {
    name: machineName(plan.identity),
    from: artifact,
    // TSI: without --net the guest has no network at all, not even to the bundle.
    net: true,
    allowCidr: [`${plan.network.bundleIp}/32`],
    env: g.env,
    passEnv: g.passEnv,
    cpus: plan.resources.cpus,
    memMiB: plan.resources.memory ? memoryToMiB(plan.resources.memory) : undefined,
    workdir: plan.workdir,
  };
}

/** Every exec carries the guest env and the workdir (create's -w is ignored by --from in 0.8.x). */
export function execOptions(plan: BottlePlan, command: string[], o: { asAgent: boolean; interactive?: boolean; tty?: boolean; workdir?: string }): ExecOptions {
  const g = guestEnv(plan);
  return {
    name: machineName(plan.identity),
    command: o.asAgent ? asAgentUser(command) : command,
    env: o.asAgent ? { ...g.env, ...AGENT_USER_ENV } : g.env,
    passEnv: g.passEnv,
    workdir: o.workdir ?? plan.workdir,
    interactive: o.interactive,
    tty: o.tty,
  };
}
