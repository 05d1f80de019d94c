import { describe, expect, test } from "bun:test";
import { parseMachineList } from "../../../../src/backends/smolmachines/smolvm-ls.ts";

// The object machine_status_json() builds in smolvm 0.8.2's vm_common.rs.
const REAL = JSON.stringify([
  {
    name: "bot-bottle-claude-ab12cd", state: "running", cpus: 4, memory_mib: 8192, pid: 4242, mounts: 0, ports: 0,
    created_at: 1763900000, storage_gb: null, overlay_gb: null, image: "localhost:5000/bot-bottle/agent:k", entrypoint: [], cmd: [],
    ephemeral: false, gpu: false, gpu_vram_mib: null, restart_policy: "never", restart_max_retries: 0, restart_count: 0,
    health_cmd: null, health_interval_secs: null, health_timeout_secs: null, health_retries: null, health_startup_grace_secs: null, network: true,
  },
  { name: "other", state: "stopped", pid: null },
]);

describe("parseMachineList", () => {
  test("real output", () => {
    const ms = parseMachineList(REAL);
    expect(ms.map((m) => [m.name, m.state])).toEqual([["bot-bottle-claude-ab12cd", "running"], ["other", "stopped"]]);
    expect(ms[0]!.restart_policy).toBe("never"); // unknown fields pass through
  });
  test("no machines prints []", () => expect(parseMachineList("[]\n")).toEqual([]));
  test.each(["created", "running", "stopped", "failed", "unreachable"])("state %s", (state) =>
    expect(parseMachineList(JSON.stringify([{ name: "m", state }]))[0]!.state).toBe(state as any),
  );
  test.each([
    ["No machines found\n", "not JSON"],
    ['{"name":"m"}', "top level"],
    ['[{"state":"running"}]', "0.name"],
    ['[{"name":"m","state":"paused"}]', "0.state"],
  ])("rejects %p", (out, where) => expect(() => parseMachineList(out)).toThrow(where));
});
