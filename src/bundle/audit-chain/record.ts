// The audit chain's record: one JSON line per event of a bottle. Each names
// the sha-256 of the canonical JSON of the record before it (`prev`), so an
// edited, dropped or reordered line breaks the chain at its position; a
// checkpoint record carries an Ed25519 signature over the head so far.
import { canonicalJson } from "./canonical.ts";

export const CHAIN_KINDS = ["egress", "dlp", "push", "approval", "ask", "policy", "lifecycle", "checkpoint"] as const;
export type ChainKind = (typeof CHAIN_KINDS)[number];

/** Who wrote it: the bundle's daemons, or the host CLI. */
export type ChainSource = "proxy" | "git-gate" | "supervise" | "bundle" | "host";

export interface ChainRecord {
  /** 0-based position in the stream. */
  seq: number;
  time: string;
  kind: ChainKind;
  source: ChainSource;
  /** The event itself (an egress decision, a push, an answer…). */
  data: Record<string, unknown>;
  /** sha-256 (hex) of the canonical JSON of record seq-1; GENESIS for seq 0. */
  prev: string;
}

export interface CheckpointData {
  /** seq of the last record the signature covers. */
  upTo: number;
  /** recordHash of that record. */
  head: string;
  keyId: string;
  /** base64url Ed25519 signature over checkpointText(identity, upTo, head). */
  sig: string;
  identity: string;
}

/** What a checkpoint signs. */
export function checkpointText(identity: string, upTo: number, head: string): string {
  return canonicalJson({ identity, upTo, head, what: "bot-bottle audit checkpoint" });
}

export function isChainRecord(v: unknown): v is ChainRecord {
  const r = v as ChainRecord | null;
  return (
    !!r &&
    typeof r === "object" &&
    Number.isInteger(r.seq) &&
    typeof r.time === "string" &&
    typeof r.kind === "string" &&
    typeof r.source === "string" &&
    !!r.data &&
    typeof r.data === "object" &&
    typeof r.prev === "string"
  );
}
