// Pure (apart from WebCrypto): check a chain's text. Reports every break with
// the 1-based line where it shows: a modified line (the next record names
// another hash for it), a dropped, inserted or reordered one (seq out of
// order), a cut line, a checkpoint whose signature fails, and a tail cut
// after the last signed head (the head file names a record the file lacks).
import { GENESIS, recordHash } from "./canonical.ts";
import { verifyText } from "./key.ts";
import { checkpointText, isChainRecord, type ChainRecord, type CheckpointData } from "./record.ts";

export interface ChainProblem {
  /** 1-based line in the file (0: the file as a whole). */
  line: number;
  message: string;
}

export interface VerifyResult {
  ok: boolean;
  records: number;
  checkpoints: number;
  /** Records after the last valid checkpoint (not yet signed). */
  unsigned: number;
  problems: ChainProblem[];
}

export interface VerifyInput {
  text: string;
  /** Public key (JWK x) and bottle identity from the key file. */
  publicX: string;
  identity: string;
  /** The head file's checkpoint, if any. */
  head?: CheckpointData | null;
}

export function parseChain(text: string): { line: number; record: ChainRecord | null; raw: string }[] {
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  return lines.map((raw, i) => {
    let record: ChainRecord | null = null;
    try {
      const v = JSON.parse(raw) as unknown;
      if (isChainRecord(v)) record = v;
    } catch {}
    return { line: i + 1, record, raw };
  });
}

export async function verifyChain(inp: VerifyInput): Promise<VerifyResult> {
  const problems: ChainProblem[] = [];
  const hashes = new Map<number, string>();
  let expectSeq = 0;
  let prevHash = GENESIS;
  let prevLine = 0;
  let records = 0;
  let checkpoints = 0;
  let signedUpTo = -1;
  let lastSeq = -1;
  let lastLine = 0;
  const rows = parseChain(inp.text);
  const cut = !inp.text.endsWith("\n") && inp.text.length > 0;
  for (const { line, record, raw } of rows) {
    if (!record) {
      problems.push({ line, message: cut && line === rows.length ? "the last line is cut short (a torn or truncated write)" : `not a chain record: ${raw.slice(0, 60)}` });
      continue;
    }
    records++;
    if (record.seq !== expectSeq) {
      problems.push({
        line,
        message:
          record.seq > expectSeq
            ? `record #${record.seq} where #${expectSeq} was expected: ${record.seq - expectSeq} record(s) missing before this line (dropped or reordered)`
            : `record #${record.seq} where #${expectSeq} was expected: a record repeated or moved here (reordered)`,
      });
    } else if (record.prev !== prevHash && prevLine > 0) {
      problems.push({ line: prevLine, message: `line ${prevLine} was modified: line ${line} names another hash for it` });
    } else if (record.prev !== prevHash) {
      problems.push({ line, message: "the first record does not start the chain" });
    }
    const h = recordHash(record);
    hashes.set(record.seq, h);
    if (record.kind === "checkpoint") {
      const cp = record.data as unknown as CheckpointData;
      const good =
        typeof cp.sig === "string" &&
        cp.identity === inp.identity &&
        hashes.get(cp.upTo) === cp.head &&
        (await verifyText(inp.publicX, checkpointText(inp.identity, cp.upTo, cp.head), cp.sig));
      if (good) {
        checkpoints++;
        signedUpTo = Math.max(signedUpTo, cp.upTo);
      } else {
        problems.push({ line, message: `checkpoint over record #${cp.upTo} does not verify (signature or head hash wrong)` });
      }
    }
    expectSeq = record.seq + 1;
    prevHash = h;
    prevLine = line;
    lastSeq = record.seq;
    lastLine = line;
  }
  if (inp.head) {
    const hd = inp.head;
    const sigOk = await verifyText(inp.publicX, checkpointText(inp.identity, hd.upTo, hd.head), hd.sig);
    if (!sigOk) problems.push({ line: 0, message: "the head file's signature does not verify" });
    else if (hd.upTo > lastSeq) {
      problems.push({
        line: lastLine + 1,
        message: `the log ends at line ${lastLine} (record #${lastSeq}) but the signed head covers record #${hd.upTo}: the tail was truncated`,
      });
    } else if (hashes.get(hd.upTo) !== hd.head) {
      problems.push({ line: 0, message: `record #${hd.upTo} does not match the signed head` });
    }
  }
  problems.sort((a, b) => a.line - b.line);
  return { ok: problems.length === 0, records, checkpoints, unsigned: lastSeq - signedUpTo, problems };
}
