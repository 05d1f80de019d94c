// The hook git runs, and the line protocol it speaks with the gate daemon.
//
// One bash script serves as git daemon's --access-hook (called with the
// service and repository path as arguments: the daemon refreshes the mirror
// before the request is served) and as each mirror's pre-receive hook (no
// arguments, the ref updates on stdin: the daemon applies the policy and
// forwards to the real remote before git accepts anything). It talks to the
// daemon over loopback TCP with bash's /dev/tcp, so the bundle needs no HTTP
// client and no second copy of bot-bottle; a per-start token keeps other
// loopback clients out.

/**
 * Environment of the pre-receive hook the daemon needs to see the pushed
 * (quarantined) objects. Not GIT_QUARANTINE_PATH: git's local transport would
 * pass it on to a file:// remote, whose receive-pack then refuses ref updates.
 */
export const QUARANTINE_ENV = ["GIT_OBJECT_DIRECTORY", "GIT_ALTERNATE_OBJECT_DIRECTORIES"] as const;

export const PROTOCOL_HEADER = "bot-bottle-git-gate 1";
/** Bounds a request: a push of many refs is still far below this. */
export const MAX_REQUEST_BYTES = 1 << 20;

export function hookScript(port: number, token: string): string {
  return `#!/usr/bin/env bash
# bot-bottle git gate hook: generated at every gate start, do not edit.
set -u
if ! exec 3<>/dev/tcp/127.0.0.1/${port}; then
  echo "bot-bottle git gate: policy service unreachable" >&2
  exit 1
fi
{
  echo "${PROTOCOL_HEADER} ${token}"
  if [ "$#" -gt 0 ]; then
    echo "access $1 \${2##*/}"
  else
    echo "pre-receive \${PWD##*/}"
${QUARANTINE_ENV.map((v) => `    [ -n "\${${v}:-}" ] && echo "env ${v} \${${v}}"`).join("\n")}
    while read -r old new ref; do echo "update $old $new $ref"; done
  fi
  echo "end"
} >&3
status=1
while IFS= read -r line <&3; do
  case "$line" in
    "exit "*) status="\${line#exit }" ;;
    *) printf '%s\\n' "$line" ;;
  esac
done
exit "$status"
`;
}

export type HookRequest =
  | { mode: "access"; service: string; repo: string }
  | { mode: "pre-receive"; repo: string; env: Record<string, string>; updates: { old: string; new: string; ref: string }[] };

/** Parse what the hook sent; null when it is not a well-formed request carrying the token. */
export function parseHookRequest(text: string, token: string): HookRequest | null {
  const lines = text.split("\n");
  if (lines[0] !== `${PROTOCOL_HEADER} ${token}`) return null;
  const endAt = lines.indexOf("end");
  if (endAt < 0) return null;
  const [mode, a, b] = (lines[1] ?? "").split(" ");
  const repoOf = (dirName: string | undefined) => (dirName ?? "").replace(/\.git$/, "");
  if (mode === "access" && a && b) return { mode, service: a, repo: repoOf(b) };
  if (mode !== "pre-receive" || !a) return null;
  const env: Record<string, string> = {};
  const updates: { old: string; new: string; ref: string }[] = [];
  for (const line of lines.slice(2, endAt)) {
    const [kind, k, ...rest] = line.split(" ");
    if (kind === "env" && k && (QUARANTINE_ENV as readonly string[]).includes(k)) env[k] = rest.join(" ");
    else if (kind === "update" && k && rest.length === 2 && /^[0-9a-f]{40,64}$/.test(k) && /^[0-9a-f]{40,64}$/.test(rest[0]!)) {
      updates.push({ old: k, new: rest[0]!, ref: rest[1]! });
    } else return null;
  }
  return { mode, repo: repoOf(a), env, updates };
}

/** What the daemon sends back: message lines the client sees (as `remote:`), then the hook's exit status. */
export function hookResponse(lines: string[], ok: boolean): string {
  return lines.map((l) => l.replace(/[\r\n]/g, " ") + "\n").join("") + `exit ${ok ? 0 : 1}\n`;
}
