// `bot-bottle bundle …`: the daemons that run inside the bundle sidecar.
import { defineCommand } from "citty";

export default defineCommand({
  meta: { name: "bundle", description: "Bundle daemons (run inside the bundle sidecar)", hidden: false },
  subCommands: {},
});
