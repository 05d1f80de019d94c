import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readBundleSection } from "../../../src/bundle/daemon-cli.ts";

const dir = mkdtempSync(join(tmpdir(), "bb-daemon-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("reads one section of the bundle config; says which is missing; rejects bad JSON", () => {
  const file = join(dir, "config.json");
  const supervise = { listen: "0.0.0.0:9100", dir: "/var/lib/bot-bottle/supervise", timeoutSeconds: 600 };
  writeFileSync(file, JSON.stringify({ identity: "x", proxy: {}, supervise }));
  expect(readBundleSection(file, "supervise")).toEqual(supervise);
  expect(() => readBundleSection(file, "gitGate")).toThrow('has no "gitGate" section');
  writeFileSync(join(dir, "bad.json"), "{");
  expect(() => readBundleSection(join(dir, "bad.json"), "supervise")).toThrow("cannot read the bundle config");
  expect(() => readBundleSection(join(dir, "missing.json"), "supervise")).toThrow("cannot read the bundle config");
});
