// Subprocess entry for benchmarks: run the local HTTPS origin until SIGTERM
// and print {"port":…, "caFile":…} on stdout once it listens.
import { startTestUpstream } from "./upstream.ts";

const dir = process.argv[2];
if (!dir) throw new Error("usage: upstream-server.ts DIR");
const up = await startTestUpstream(dir, { record: false });
process.stdout.write(JSON.stringify({ port: up.port, caFile: up.caFile }) + "\n");
const stop = () => up.close().finally(() => process.exit(0));
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
// Stops by itself if the parent forgets it.
setTimeout(stop, 15 * 60_000).unref();
