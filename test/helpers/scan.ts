// Scans inside a container for a secret: the pattern goes on stdin, so it
// never enters the container's argv or env where the scan itself would find it.

export async function runGrep(container: string, user: string, pattern: string, argv: string[]): Promise<string> {
  const proc = Bun.spawn(["docker", "exec", "-i", "--user", user, container, ...argv], {
    stdin: new Blob([pattern + "\n"]),
    stdout: "pipe",
    stderr: "pipe",
    timeout: 170_000,
  });
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  // grep: 0 found, 1 not found, 2 some file unreadable (with -s, still a valid answer).
  if (code > 2) throw new Error(`scan in ${container} failed (exit ${code}): ${err}`);
  return out;
}

/** Files under / (minus /proc, /sys, /dev) that contain the pattern. */
export const grepFiles = (container: string, pattern: string, user: string) =>
  runGrep(container, user, pattern, ["grep", "-rlsF", "--exclude-dir=proc", "--exclude-dir=sys", "--exclude-dir=dev", "-f", "/dev/stdin", "/"]);

/** Lines of every process's env and command line that contain the pattern. */
export const grepProcesses = (container: string, pattern: string) =>
  runGrep(container, "root", pattern, [
    "sh",
    "-c",
    // fd 3 keeps the pattern (our stdin) apart from the data grep reads from the pipe.
    'exec 3<&0; cat /proc/[0-9]*/environ /proc/[0-9]*/cmdline 2>/dev/null | tr "\\0" "\\n" | grep -F -f /dev/fd/3 || true',
  ]);
