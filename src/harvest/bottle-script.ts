// Pure: the commands a harvest runs inside the bottle, as the agent user in
// its work folder. Their output is untrusted: the host checks every name and
// git checks every object (the bundle is fetched, never copied in as files).

/** Marker of the lines the export script writes on stderr for the host. */
export const META = "bot-bottle-harvest:";

/** git with the bottle's own steering turned off: no hooks, no fsmonitor, no reflog, no auto gc. */
const G =
  "git -c safe.directory='*' -c core.fsmonitor=false -c core.hooksPath=/dev/null -c gc.auto=0 -c maintenance.auto=false -c core.logAllRefUpdates=false";

/** The empty tree: the "parent" of the first commit in a repo that has none. */
export const EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";

/** Where the bottle keeps the last wip commit, so an unchanged re-harvest reuses it. */
export const BOTTLE_WIP_REF = "refs/bot-bottle/wip";

/**
 * sh script: snapshot uncommitted work as a commit (a throwaway index: the
 * bottle's own index and tree stay as they are), report what it found on
 * stderr, and write a git bundle of every branch (and the wip commit) to
 * stdout, leaving out what the host already has.
 * Arguments: $1 workdir, $2 launch tree ('-' if unknown), $3… commits the host has.
 * Exit 0 also for "nothing new" (reported as `empty`); 4 when there is no repository.
 */
export const GIT_EXPORT_SCRIPT = `set -u
set -f
cd "$1" || exit 3
launch_tree=$2
shift 2
g() { ${G} "$@"; }
g rev-parse --git-dir >/dev/null 2>&1 || { echo "${META} nogit" >&2; exit 4; }
# Each git call costs a process: ask for several answers at once.
head_sha=; head_tree=${EMPTY_TREE}
if hv=$(g rev-parse -q --verify 'HEAD^{commit}' 2>/dev/null); then head_sha=$hv; head_tree=$(g rev-parse "$hv^{tree}"); fi
head_ref=$(g symbolic-ref -q HEAD 2>/dev/null || true)
echo "${META} head \${head_sha:--} \${head_ref:--}" >&2
tmp=$(mktemp -d) || exit 5
trap 'rm -rf "$tmp"' EXIT
idx=$(g rev-parse --path-format=absolute --git-path index 2>/dev/null || g rev-parse --git-path index)
[ -f "$idx" ] && cp "$idx" "$tmp/index"
# A snapshot that fails (an unreadable file, a broken index) must not keep the branches from coming home.
if GIT_INDEX_FILE="$tmp/index" g add -A -- ':/' 2>"$tmp/adderr" && tree=$(GIT_INDEX_FILE="$tmp/index" g write-tree 2>>"$tmp/adderr"); then :; else
  echo "${META} wipfail $(head -c 300 "$tmp/adderr" | tr '\\n\\r' '  ')" >&2
  tree=$head_tree
fi
wip=
if [ "$tree" != "$head_tree" ] && [ "$tree" != "$launch_tree" ]; then
  prev=$(g rev-parse -q --verify ${BOTTLE_WIP_REF} 2>/dev/null || true)
  if [ -n "$prev" ] && [ "$(g log -1 --format='%T %P' "$prev" 2>/dev/null)" = "$tree $head_sha" ]; then
    wip=$prev
  else
    export GIT_AUTHOR_NAME=bot-bottle GIT_AUTHOR_EMAIL=bot-bottle@localhost GIT_COMMITTER_NAME=bot-bottle GIT_COMMITTER_EMAIL=bot-bottle@localhost
    if [ -n "$head_sha" ]; then wip=$(echo "bot-bottle: uncommitted work" | g commit-tree "$tree" -p "$head_sha") || exit 6
    else wip=$(echo "bot-bottle: uncommitted work" | g commit-tree "$tree") || exit 6; fi
    g update-ref ${BOTTLE_WIP_REF} "$wip" || exit 6
  fi
  n=$(g diff-tree -r --name-only --no-commit-id "$head_tree" "$tree" | wc -l)
  echo "${META} wip $wip $n" >&2
else
  g update-ref -d ${BOTTLE_WIP_REF} 2>/dev/null
fi
refs=
for r in $(g for-each-ref --format='%(objectname):%(refname)' refs/heads/); do
  echo "${META} branch $r" >&2
  refs="$refs \${r#*:}"
done
[ -n "$wip" ] && refs="$refs ${BOTTLE_WIP_REF}"
[ -z "$refs" ] && { echo "${META} empty" >&2; exit 0; }
# Leave out what the host has: the bases that exist here, checked in one call.
nots=
if [ $# -gt 0 ]; then
  for b in $(printf '%s\\n' "$@" | g cat-file --batch-check='%(objecttype):%(objectname)' 2>/dev/null); do
    case $b in commit:*) nots="$nots ^\${b#commit:}" ;; esac
  done
fi
# The bundle only crosses to the host: fast zlib beats small (the host's next gc repacks it anyway).
g -c pack.compression=1 bundle create -q - $refs $nots 2>"$tmp/err"
rc=$?
if [ $rc -ne 0 ]; then
  grep -q 'empty bundle' "$tmp/err" && { echo "${META} empty" >&2; exit 0; }
  cat "$tmp/err" >&2
  exit 7
fi
echo "${META} bundle" >&2
`;

/** argv for the export: `sh -c SCRIPT sh WORKDIR TREE BASES…`. */
export function gitExportArgv(workdir: string, launchTree: string | null, bases: string[]): string[] {
  return ["sh", "-c", GIT_EXPORT_SCRIPT, "sh", workdir, launchTree ?? "-", ...bases];
}

/** Every regular file under the workdir (node_modules left out, as at copy-in) with its sha256. */
export function filesListArgv(workdir: string): string[] {
  return [
    "sh",
    "-c",
    'cd "$1" || exit 3; find . -name node_modules -prune -o -type f -print0 | xargs -0 -r sha256sum --',
    "sh",
    workdir,
  ];
}

/** A tar of the NUL-separated paths on stdin, relative to the workdir. */
export function filesTarArgv(workdir: string): string[] {
  return ["sh", "-c", 'cd "$1" || exit 3; exec tar -c --null --no-recursion -T -', "sh", workdir];
}

export interface ExportMeta {
  head: string | null;
  headRef: string | null;
  wip: { sha: string; files: number } | null;
  /** Uncommitted work could not be snapshotted (git's reason, from the bottle: untrusted text). */
  wipError: string | null;
  branches: { sha: string; ref: string }[];
  empty: boolean;
  bundle: boolean;
  nogit: boolean;
}

const SHA = /^[0-9a-f]{40}([0-9a-f]{24})?$/;

/** Parse the META lines of the export's stderr; anything malformed is dropped. */
export function parseExportMeta(stderr: string): ExportMeta {
  const m: ExportMeta = { head: null, headRef: null, wip: null, wipError: null, branches: [], empty: false, bundle: false, nogit: false };
  for (const line of stderr.split("\n")) {
    if (!line.startsWith(META + " ")) continue;
    const [kind, a, b] = line.slice(META.length + 1).split(" ");
    if (kind === "head") {
      m.head = a && SHA.test(a) ? a : null;
      m.headRef = b && b !== "-" ? b : null;
    } else if (kind === "wip" && a && SHA.test(a)) m.wip = { sha: a, files: Number(b) || 0 };
    else if (kind === "branch" && a) {
      const i = a.indexOf(":");
      const sha = a.slice(0, i);
      if (SHA.test(sha)) m.branches.push({ sha, ref: a.slice(i + 1) });
    } else if (kind === "wipfail") m.wipError = line.slice(META.length + 1 + "wipfail".length).trim() || "unknown error";
    else if (kind === "empty") m.empty = true;
    else if (kind === "bundle") m.bundle = true;
    else if (kind === "nogit") m.nogit = true;
  }
  return m;
}

/** The export's own error lines (everything but META lines), for messages. */
export function exportErrors(stderr: string): string {
  return stderr
    .split("\n")
    .filter((l) => l.trim() && !l.startsWith(META))
    .slice(-5)
    .join(" | ");
}
