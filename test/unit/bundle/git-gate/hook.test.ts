import { describe, expect, test } from "bun:test";
import { hookResponse, hookScript, parseHookRequest, PROTOCOL_HEADER } from "../../../../src/bundle/git-gate/hook.ts";

const T = "tok123";
const A = "a".repeat(40);
const B = "b".repeat(40);
const req = (...lines: string[]) => [`${PROTOCOL_HEADER} ${T}`, ...lines, "end", ""].join("\n");

describe("parseHookRequest", () => {
  test.each([
    ["access", req("access upload-pack origin.git"), { mode: "access", service: "upload-pack", repo: "origin" }],
    ["access without .git", req("access receive-pack origin"), { mode: "access", service: "receive-pack", repo: "origin" }],
    [
      "pre-receive",
      req("pre-receive origin.git", "env GIT_OBJECT_DIRECTORY /g/o.git/objects/tmp_1 x", `update ${A} ${B} refs/heads/x`),
      { mode: "pre-receive", repo: "origin", env: { GIT_OBJECT_DIRECTORY: "/g/o.git/objects/tmp_1 x" }, updates: [{ old: A, new: B, ref: "refs/heads/x" }] },
    ],
    ["wrong token", req("access upload-pack origin.git").replace(T, "other"), null],
    ["no end", `${PROTOCOL_HEADER} ${T}\naccess upload-pack origin.git\n`, null],
    ["unknown env is refused", req("pre-receive o.git", "env LD_PRELOAD /x.so"), null],
    ["bad sha", req("pre-receive o.git", `update zz ${B} refs/heads/x`), null],
    ["unknown mode", req("shell rm -rf"), null],
  ] as const)("%s", (_n, text, want) => expect(parseHookRequest(text, T)).toEqual(want as never));
});

test("hookResponse: message lines then the exit status, newlines flattened", () => {
  expect(hookResponse(["a", "b\nc"], false)).toBe("a\nb c\nexit 1\n");
  expect(hookResponse([], true)).toBe("exit 0\n");
});

test("the hook script is bash, carries the port and token, and is valid syntax", () => {
  const s = hookScript(40123, T);
  expect(s.startsWith("#!/usr/bin/env bash\n")).toBe(true);
  expect(s).toContain("/dev/tcp/127.0.0.1/40123");
  expect(s).toContain(`echo "${PROTOCOL_HEADER} ${T}"`);
  const check = Bun.spawnSync(["bash", "-n"], { stdin: new TextEncoder().encode(s) });
  expect(check.exitCode).toBe(0);
});
