// Pure: the one byte form of a record that its hash and signature cover.
// Keys sorted at every depth, no whitespace, undefined members dropped (as
// JSON.stringify does): the same value always hashes the same, whoever wrote it.
import { createHash } from "node:crypto";

export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  // Plain loops: this runs for every record the proxy writes.
  if (Array.isArray(value)) {
    let out = "[";
    for (let i = 0; i < value.length; i++) {
      if (i) out += ",";
      const v = value[i];
      out += v === undefined ? "null" : canonicalJson(v);
    }
    return out + "]";
  }
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).sort();
  let out = "{";
  let first = true;
  for (const k of keys) {
    const v = obj[k];
    if (v === undefined) continue;
    out += (first ? "" : ",") + JSON.stringify(k) + ":" + canonicalJson(v);
    first = false;
  }
  return out + "}";
}

export function sha256Hex(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/** The hash the next record names as `prev`. */
export function recordHash(record: unknown): string {
  return sha256Hex(canonicalJson(record));
}

/** `prev` of the first record of a stream. */
export const GENESIS = "0".repeat(64);
