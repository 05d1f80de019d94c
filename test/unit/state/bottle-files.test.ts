import { describe, expect, test } from "bun:test";
import { BUNDLE_FILES, bottleDir, bottleFiles } from "../../../src/state/bottle-files.ts";
import { BUNDLE_STATE_DIR } from "../../../src/bundle/config.ts";
import { bundleConfigFor } from "../../../src/backends/shared/bundle-folder.ts";
import { READY_FILE } from "../../../src/bundle/serve.ts";
import { testPlan } from "../../helpers/plan.ts";

const ENV = { HOME: "/h", XDG_STATE_HOME: "/s" };

describe("bottleFiles", () => {
  test("every file of a bottle lies under its folder", () => {
    const f = bottleFiles("dev-abc123", ENV);
    expect(f.dir).toBe(bottleDir("dev-abc123", ENV));
    expect(f).toEqual({
      dir: "/s/bot-bottle/bottles/dev-abc123",
      bundle: "/s/bot-bottle/bottles/dev-abc123/bundle",
      config: "/s/bot-bottle/bottles/dev-abc123/bundle/config.json",
      caCert: "/s/bot-bottle/bottles/dev-abc123/bundle/ca/ca.crt",
      audit: "/s/bot-bottle/bottles/dev-abc123/bundle/audit-chain.jsonl",
      gitLog: "/s/bot-bottle/bottles/dev-abc123/bundle/audit-chain.jsonl",
      policy: "/s/bot-bottle/bottles/dev-abc123/bundle/policy.json",
      supervise: "/s/bot-bottle/bottles/dev-abc123/bundle/supervise",
      ready: "/s/bot-bottle/bottles/dev-abc123/bundle/ready.json",
      transcript: "/s/bot-bottle/bottles/dev-abc123/agent.log",
      scratch: "/s/bot-bottle/bottles/dev-abc123/scratch",
      harvest: "/s/bot-bottle/bottles/dev-abc123/harvest",
    });
  });

  test("the bundle names the same files inside its mount", async () => {
    const cfg = bundleConfigFor(await testPlan(), { listenHost: "0.0.0.0" });
    expect(cfg.proxy.auditLog).toBe(`${BUNDLE_STATE_DIR}/${BUNDLE_FILES.audit}`);
    expect(cfg.proxy.caDir).toBe(`${BUNDLE_STATE_DIR}/${BUNDLE_FILES.caDir}`);
    expect(READY_FILE).toBe(BUNDLE_FILES.ready);
  });
});
