// Stream a host tar (skills, the cwd copy) into a container without holding
// it in memory: `tar -c … | docker cp - CONTAINER:DEST`.
import { BottleError } from "../../util/errors.ts";
import { cpArgv } from "../shared/docker-argv.ts";

export async function pipeTarInto(tarArgv: string[], container: string, dest: string): Promise<void> {
  const tar = Bun.spawn(tarArgv, { stdout: "pipe", stderr: "pipe" });
  const cp = Bun.spawn(cpArgv("-", container, dest), { stdin: tar.stdout, stdout: "pipe", stderr: "pipe" });
  const [tarCode, cpCode, tarErr, cpErr] = await Promise.all([
    tar.exited,
    cp.exited,
    new Response(tar.stderr).text(),
    new Response(cp.stderr).text(),
  ]);
  if (tarCode !== 0 || cpCode !== 0) {
    throw new BottleError("DOCKER", `copying into ${container}:${dest} failed: ${(tarErr + " " + cpErr).trim()}`, {
      hint: "is `tar` installed on the host?",
    });
  }
}
