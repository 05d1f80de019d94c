import { describe, expect, test } from "bun:test";
import { planGc } from "../../../src/lifecycle/gc.ts";
import type { BottleRow, BottleStatus } from "../../../src/state/bottles.ts";

function row(identity: string, status: BottleStatus, keep = false): BottleRow {
  return { identity, status, keep, bottle: "b", agent: "a", backend: "docker", cwd: "/", copy_cwd: false, started_at: "t", stopped_at: null, plan: {} as never };
}

describe("planGc", () => {
  test("orphaned resources (no row) are removed", () => {
    expect(planGc({ withResources: ["ghost-1"], rows: [], ownerAlive: () => false })).toEqual({ removeResources: ["ghost-1"], deleteRows: [], unknown: [] });
  });

  test("a crashed run (creating/running, owner dead) loses resources and row", () => {
    const rows = [row("crash-1", "running"), row("crash-2", "creating")];
    expect(planGc({ withResources: ["crash-1", "crash-2"], rows, ownerAlive: () => false })).toEqual({
      removeResources: ["crash-1", "crash-2"],
      deleteRows: ["crash-1", "crash-2"],
      unknown: [],
    });
  });

  test("a bottle in use by a live process is left alone, even mid-creation", () => {
    const rows = [row("busy-1", "creating"), row("busy-2", "running")];
    expect(planGc({ withResources: ["busy-1", "busy-2"], rows, ownerAlive: () => true })).toEqual({ removeResources: [], deleteRows: [], unknown: [] });
  });

  test("kept bottles (stopped or running) stay", () => {
    const rows = [row("kept-1", "stopped", true), row("kept-2", "running", true)];
    expect(planGc({ withResources: ["kept-1", "kept-2"], rows, ownerAlive: () => false })).toEqual({ removeResources: [], deleteRows: [], unknown: [] });
  });

  test("a kept bottle whose containers vanished is forgotten", () => {
    expect(planGc({ withResources: [], rows: [row("kept-3", "stopped", true)], ownerAlive: () => false })).toEqual({
      removeResources: [],
      deleteRows: ["kept-3"],
      unknown: [],
    });
  });

  test("finished rows without resources are forgotten; leftovers of a failed one are removed", () => {
    const rows = [row("done-1", "removed"), row("fail-1", "failed"), row("fail-2", "failed")];
    expect(planGc({ withResources: ["fail-2"], rows, ownerAlive: () => false })).toEqual({
      removeResources: ["fail-2"],
      deleteRows: ["done-1", "fail-1", "fail-2"],
      unknown: [],
    });
  });

  test("a backend that cannot be asked is unknown: its rows and resources stay, whatever their status", () => {
    const rows = [row("kept-4", "running", true), row("crash-3", "creating"), row("done-2", "removed"), { ...row("vm-1", "stopped", true), backend: "smolmachines" }];
    expect(planGc({ withResources: ["crash-3", "vm-1"], rows, ownerAlive: () => false, unknownBackends: ["docker"] })).toEqual({
      removeResources: [],
      deleteRows: [],
      unknown: ["crash-3", "done-2", "kept-4"],
    });
  });

  test("only the unreachable backend's bottles are spared", () => {
    const rows = [row("kept-5", "stopped", true), { ...row("vm-2", "stopped", true), backend: "smolmachines" }];
    expect(planGc({ withResources: [], rows, ownerAlive: () => false, unknownBackends: ["smolmachines"] })).toEqual({
      removeResources: [],
      deleteRows: ["kept-5"],
      unknown: ["vm-2"],
    });
  });
});
