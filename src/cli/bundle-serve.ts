// `bot-bottle bundle serve --config FILE`: runs until SIGTERM/SIGINT (docker
// stop), then closes the daemons so audit logs are flushed.
import { defineCommand } from "citty";
import { consola } from "consola";
import { readBundleConfig } from "../bundle/config-file.ts";
import { clearReady, startBundle, writeReady } from "../bundle/serve.ts";

export default defineCommand({
  meta: { name: "serve", description: "Start the bundle daemons (proxy, git gate, supervise) from a config file" },
  args: {
    config: { type: "string", required: true, description: "Bundle config (JSON, written by the host)", valueHint: "FILE" },
  },
  async run({ args }) {
    const cfg = readBundleConfig(args.config);
    clearReady(args.config);
    const bundle = await startBundle(cfg);
    // Ready first: the host waits on this file, and the first log line loads the formatter (~15 ms).
    writeReady(args.config, bundle);
    for (const [name, d] of Object.entries(bundle.daemons)) consola.info(`bundle ${cfg.identity}: ${name} listening on ${d.address.host}:${d.address.port}`);
    await new Promise<void>((resolve) => {
      const stop = (sig: string) => {
        consola.info(`bundle ${cfg.identity}: ${sig}, closing`);
        clearReady(args.config);
        bundle.close().finally(resolve);
      };
      process.once("SIGTERM", () => stop("SIGTERM"));
      process.once("SIGINT", () => stop("SIGINT"));
    });
  },
});
