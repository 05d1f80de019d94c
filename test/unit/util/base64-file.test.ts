import { describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { decodeBase64File } from "../../../src/util/base64-file.ts";
import { tempDirs } from "../../helpers/tmp.ts";

const tmp = tempDirs("bb-b64-");

describe("decodeBase64File", () => {
  test("any size, any piece size: the same bytes as decoding it whole, in place", () => {
    const dir = tmp();
    for (const size of [0, 1, 2, 3, 4, 5, 1000, 65_537]) {
      const data = Buffer.from(Array.from({ length: size }, (_, i) => (i * 7919) % 256));
      for (const piece of [1, 3, 4, 5, 7, 4096]) {
        const f = join(dir, `x-${size}-${piece}`);
        writeFileSync(f, data.toString("base64"));
        decodeBase64File(f, f, piece);
        expect(readFileSync(f).equals(data)).toBe(true);
      }
    }
  });
  test("line breaks and a trailing newline are ignored", () => {
    const dir = tmp();
    const data = Buffer.from("hello, bottle — ünïcode bytes");
    const f = join(dir, "wrapped");
    writeFileSync(f, data.toString("base64").replace(/(.{8})/g, "$1\n") + "\n");
    decodeBase64File(f, join(dir, "out"), 5);
    expect(readFileSync(join(dir, "out")).equals(data)).toBe(true);
  });
  test("not base64, or cut off mid-group: an error, and the destination is untouched", () => {
    const dir = tmp();
    const out = join(dir, "out");
    writeFileSync(out, "kept");
    for (const bad of ["aGVsbG8*", "aGVsbG8gd29ybGQ"]) {
      const f = join(dir, "bad");
      writeFileSync(f, bad);
      expect(() => decodeBase64File(f, out, 4)).toThrow();
      expect(readFileSync(out, "utf8")).toBe("kept");
      expect(existsSync(`${out}.decoding`)).toBe(false);
    }
  });
});
