import { expect, test } from "bun:test";
import { parseListen } from "../../../../src/bundle/git-gate/listen.ts";
import { freePort } from "../../../../src/util/ports.ts";

test.each([
  ["0.0.0.0:9418", { host: "0.0.0.0", port: 9418 }],
  ["127.0.0.1:0", { host: "127.0.0.1", port: 0 }],
  ["[::]:9100", { host: "::", port: 9100 }],
  ["bundle:8888", { host: "bundle", port: 8888 }],
])("parseListen(%s)", (s, want) => expect(parseListen(s)).toEqual(want));

test.each(["9418", "host:", "host:99999", ":80", "a b:1"])("parseListen(%s) throws", (s) => {
  expect(() => parseListen(s)).toThrow("bad listen address");
});

test("freePort gives a bindable port", () => {
  const port = freePort("127.0.0.1");
  expect(port).toBeGreaterThan(0);
  const s = Bun.listen({ hostname: "127.0.0.1", port, socket: { data() {} } });
  s.stop(true);
});
