import { describe, expect, test } from "bun:test";
import { cacheDir, configDir, stateDir } from "../../../src/util/paths.ts";
import { bottleDir } from "../../../src/state/bottle-files.ts";
import { dbPath } from "../../../src/state/db.ts";

describe("XDG paths", () => {
  test.each([
    ["state from XDG_STATE_HOME", () => stateDir({ HOME: "/h", XDG_STATE_HOME: "/x/state" }), "/x/state/bot-bottle"],
    ["state default under HOME", () => stateDir({ HOME: "/h" }), "/h/.local/state/bot-bottle"],
    ["config from XDG_CONFIG_HOME", () => configDir({ HOME: "/h", XDG_CONFIG_HOME: "/x/cfg" }), "/x/cfg/bot-bottle"],
    ["config default under HOME", () => configDir({ HOME: "/h" }), "/h/.config/bot-bottle"],
    ["cache from XDG_CACHE_HOME", () => cacheDir({ HOME: "/h", XDG_CACHE_HOME: "/x/cache" }), "/x/cache/bot-bottle"],
    ["cache default under HOME", () => cacheDir({ HOME: "/h" }), "/h/.cache/bot-bottle"],
    // The XDG spec: relative paths are invalid and must be ignored.
    ["relative XDG_STATE_HOME is ignored", () => stateDir({ HOME: "/h", XDG_STATE_HOME: "rel/state" }), "/h/.local/state/bot-bottle"],
    ["empty XDG_CONFIG_HOME is ignored", () => configDir({ HOME: "/h", XDG_CONFIG_HOME: "" }), "/h/.config/bot-bottle"],
    ["per-bottle dir under state", () => bottleDir("dev-abc123", { HOME: "/h", XDG_STATE_HOME: "/s" }), "/s/bot-bottle/bottles/dev-abc123"],
    ["state database under state", () => dbPath({ HOME: "/h", XDG_STATE_HOME: "/s" }), "/s/bot-bottle/state.db"],
  ])("%s", (_why, get, want) => {
    expect(get()).toBe(want);
  });
});
