import { describe, expect, test } from "bun:test";
import { makeScrubber, scrubText, StreamScrub } from "../../../../src/bundle/proxy/dlp/scrub.ts";

const REAL = "sk-ant-api03-REALrealREALrealREALrealREALreal-0123456789";
const PH = "sk-ant-api03-" + REAL.slice(13).replace(/R/g, "P").replace(/e/g, "h").replace(/[0-9]/g, "7");
const s = makeScrubber([{ name: "BOT_BOTTLE_CRED_0", real: REAL, placeholder: PH }])!;
const b64 = (t: string) => Buffer.from(t).toString("base64");

describe("scrubText: every form of the real value becomes the same form of the placeholder", () => {
  test.each([
    ["raw", (t: string) => t],
    ["hex", (t: string) => Buffer.from(t).toString("hex")],
    ["HEX", (t: string) => Buffer.from(t).toString("hex").toUpperCase()],
    ["percent", (t: string) => encodeURIComponent(t)],
    ["base64 offset 0", (t: string) => b64(t)],
    ["base64 offset 1", (t: string) => b64("x" + t)],
    ["base64 offset 2", (t: string) => b64("xy" + t)],
    ["base64url offset 1", (t: string) => Buffer.from("\xff" + t, "latin1").toString("base64url")],
  ])("%s", (_n, enc) => {
    const names = new Set<string>();
    const out = scrubText(s, `<<${enc(REAL)}>>`, names);
    expect(out).not.toContain(enc(REAL).slice(4, -4));
    expect(out.length).toBe(`<<${enc(REAL)}>>`.length);
    expect(names).toEqual(new Set(["BOT_BOTTLE_CRED_0"]));
  });
  test("same-length placeholders keep every length", () => expect(s.sameLength).toBe(true));
  test("nothing to do leaves the text as is", () => expect(scrubText(s, "hello")).toBe("hello"));
});

describe("StreamScrub across chunk boundaries", () => {
  test.each([1, 2, 3, 7, 13, 64])("split every %d bytes", (n) => {
    const text = `data: ${REAL}\n\nid: 2 ${Buffer.from(REAL).toString("hex")}\n\n`;
    const st = new StreamScrub(s);
    const out: Buffer[] = [];
    for (let i = 0; i < text.length; i += n) out.push(st.push(Buffer.from(text.slice(i, i + n), "latin1")));
    out.push(st.end());
    const got = Buffer.concat(out).toString("latin1");
    expect(got).toBe(text.replace(REAL, PH).replace(Buffer.from(REAL).toString("hex"), Buffer.from(PH).toString("hex")));
  });
  test("an SSE event that ends in a newline is never held back", () => {
    const st = new StreamScrub(s);
    expect(st.push(Buffer.from("data: hello\n\n")).toString()).toBe("data: hello\n\n");
  });
  test("only a tail that could start a credential waits", () => {
    const st = new StreamScrub(s);
    expect(st.push(Buffer.from("abc sk-ant-ap")).toString()).toBe("abc ");
    expect(st.end().toString()).toBe("sk-ant-ap");
  });
});

test("routes sharing a real value: the first credential's placeholder wins", () => {
  const two = makeScrubber([
    { name: "A", real: REAL, placeholder: PH },
    { name: "B", real: REAL, placeholder: PH.replace("PH", "QQ") },
  ])!;
  expect(scrubText(two, REAL)).toBe(PH);
});
