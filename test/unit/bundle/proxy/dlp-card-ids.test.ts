// Card numbers are matched as whole tokens only: Claude Code sends many
// random hex ids (device, session, prompt, tool use ids) in every request, and
// a digit run inside one that passed Luhn blocked real agent traffic.
import { describe, expect, test } from "bun:test";
import { firstPattern } from "../../../../src/bundle/proxy/dlp/scan.ts";
import { SECRET_PATTERNS } from "../../../../src/bundle/proxy/dlp/patterns.ts";

const card = (text: string) => firstPattern(text, SECRET_PATTERNS)?.id === "card-number";

describe("card numbers inside ids are not cards", () => {
  test.each([
    ['"tool_use_id":"toolu_4111111111111111ab"'],
    ['"device_id":"4111111111111111f3c9"'],
    ['cc_prev_req=req_fake4111111111111111'],
    ['"session_id":"a4111111111111111"'],
    // A v4 UUID's last segments: never a 13–19 digit run that starts a card brand.
    ['"id":"8a3b1c2d-1234-4567-8901-234567890123"'],
  ])("%p", (text) => expect(card(text)).toBe(false));
});

describe("cards as tokens still are", () => {
  test.each([
    ["4111111111111111"],
    ['{"number":"4111111111111111"}'],
    ["cc=4111-1111-1111-1111;"],
    ["pay with 4111 1111 1111 1111."],
  ])("%p", (text) => expect(card(text)).toBe(true));
});
