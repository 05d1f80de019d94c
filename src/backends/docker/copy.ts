// Stream a host tar (skills, the cwd copy) into a container without holding
// it in memory: `tar -c … | docker cp - CONTAINER:DEST`.
import { BottleError } from "../../util/errors.ts";
import { runPipe } from "../../util/run.ts";
import { cpArgv } from "../shared/docker-argv.ts";

export async function pipeTarInto(tarArgv: string[], container: string, dest: string): Promise<void> {
  const {
    codes: [tarCode, cpCode],
    stderr: [tarErr, cpErr],
  } = await runPipe(tarArgv, cpArgv("-", container, dest));
  if (tarCode !== 0 || cpCode !== 0) {
    throw new BottleError("DOCKER", `copying into ${container}:${dest} failed: ${(tarErr + " " + cpErr).trim()}`, {
      hint: "is `tar` installed on the host?",
    });
  }
}
