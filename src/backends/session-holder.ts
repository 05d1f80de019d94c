// An interactive agent session that outlives its terminal. The agent runs
// under dtach inside the bottle: the `docker exec` client (or the operator's
// SSH connection) may drop, the agent keeps running, and `bot-bottle attach`
// rejoins it. dtach is in the images bot-bottle builds; a ready-made image
// without it still runs sessions, they just cannot be rejoined.
//
// The session's exit code is written next to its socket, so whoever is
// attached last (launch, resume or attach) reports the agent's own code.

/** Where the session's socket and exit code live (writable by the agent user, gone with the container). */
export const SESSION_DIR = "/tmp/bot-bottle-session";

// -E: no detach key (every key goes to the agent); -z: no suspend key; -r winch: redraw by resize.
const DTACH_FLAGS = "-E -z -r winch";

/** Pure: argv that starts (or, if one is running, joins) the session running `cmd`. */
export function sessionArgv(cmd: string[]): string[] {
  const script = [
    `d=${SESSION_DIR}`,
    'if ! command -v dtach >/dev/null 2>&1; then exec "$@"; fi',
    'mkdir -p "$d" && chmod 700 "$d"',
    // A live session has no exit file yet; an ended one's is stale.
    'rm -f "$d/exit"',
    `dtach -A "$d/sock" ${DTACH_FLAGS} sh -c '"$@"; echo $? > ${SESSION_DIR}/exit' bot-bottle-agent "$@"`,
    'if [ -f "$d/exit" ]; then exit "$(cat "$d/exit")"; fi',
    "exit 0",
  ].join("\n");
  return ["sh", "-c", script, "bot-bottle-session", ...cmd];
}

/** Exit code of `rejoinArgv` when there is no session to join (nothing ever ran, or no dtach). */
export const NO_SESSION = 3;

/** Pure: argv that rejoins the running session; exits with the agent's code once it ends. */
export function rejoinArgv(): string[] {
  const script = [
    `d=${SESSION_DIR}`,
    `if ! command -v dtach >/dev/null 2>&1; then echo "no dtach in this bottle's image: its sessions cannot be rejoined" >&2; exit ${NO_SESSION}; fi`,
    `if [ ! -S "$d/sock" ] && [ ! -f "$d/exit" ]; then exit ${NO_SESSION}; fi`,
    `[ -S "$d/sock" ] && dtach -a "$d/sock" ${DTACH_FLAGS}`,
    'if [ -f "$d/exit" ]; then exit "$(cat "$d/exit")"; fi',
    "exit 0",
  ].join("\n");
  return ["sh", "-c", script];
}

/**
 * Pure: run `cmd` through the bottle's sh, so a command that is not found
 * exits 127 and one that cannot be invoked 126, as documented (docker exec
 * itself answers 126 for both).
 */
export function viaShell(cmd: string[]): string[] {
  return ["sh", "-c", 'exec "$@"', "bot-bottle", ...cmd];
}
