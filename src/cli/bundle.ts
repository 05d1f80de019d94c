// `bot-bottle bundle …`: the daemons that run inside the bundle sidecar.
// `serve` runs them all from one config (the container's entrypoint); the
// others run one daemon each, for debugging and benchmarks.
import { defineCommand } from "citty";

export default defineCommand({
  meta: { name: "bundle", description: "Bundle daemons (run inside the bundle sidecar)" },
  subCommands: {
    serve: () => import("./bundle-serve.ts").then((m) => m.default),
    proxy: () => import("./bundle-proxy.ts").then((m) => m.default),
    "git-gate": () => import("./bundle-git-gate.ts").then((m) => m.default),
    supervise: () => import("./bundle-supervise.ts").then((m) => m.default),
  },
});
