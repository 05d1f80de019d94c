// Reading a bottle's chain on the host: the records, the key, the head.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { readJsonLines } from "../../util/jsonl.ts";
import { loadAuditKey } from "./key.ts";
import { isChainRecord, type ChainKind, type ChainRecord, type CheckpointData } from "./record.ts";
import { verifyChain, type VerifyResult } from "./verify.ts";
import { CHAIN_FILES } from "./writer.ts";

/** Every readable record of a bottle's chain, optionally of some kinds and since a time. */
export function readChain(dir: string, o: { kinds?: readonly ChainKind[]; since?: Date } = {}): ChainRecord[] {
  const all = readJsonLines(join(dir, CHAIN_FILES.chain), isChainRecord);
  return all.filter((r) => (!o.kinds || o.kinds.includes(r.kind)) && (!o.since || Date.parse(r.time) >= o.since.getTime()));
}

export function chainExists(dir: string): boolean {
  return existsSync(join(dir, CHAIN_FILES.chain));
}

export async function verifyBottleChain(dir: string): Promise<VerifyResult> {
  const key = await loadAuditKey(join(dir, CHAIN_FILES.key), false);
  const file = join(dir, CHAIN_FILES.chain);
  const text = existsSync(file) ? readFileSync(file, "utf8") : "";
  let head: CheckpointData | null = null;
  try {
    head = JSON.parse(readFileSync(join(dir, CHAIN_FILES.head), "utf8")) as CheckpointData;
  } catch {}
  return verifyChain({ text, publicX: key.publicX, identity: key.bottle, head });
}
