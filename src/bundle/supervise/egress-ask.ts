// Ask-to-allow, the bundle's half: a request to a host outside the allowlist
// is held while the operator is asked (a supervise request of kind "egress");
// every request to the same host:port that arrives meanwhile joins the same
// question (its count and lastSeen go up) and gets the same answer. Bounded:
// after timeoutSeconds the daemon answers "timeout" itself, which denies.
import { newRequestId, writeRequest, ensureSuperviseDirs, type Decision, type SuperviseRequest } from "./protocol.ts";
import { waitForAnswer } from "./approvals.ts";

export interface EgressAskInput {
  host: string;
  port: number;
  method: string;
  /** Path with query values redacted (what the audit log shows). */
  path: string;
  /** The allowlist entry that would let it pass. */
  entry: string;
}

export interface EgressOutcome {
  id: string;
  decision: Decision;
  note: string;
  /** Forward the held request(s)? */
  allowed: boolean;
}

export interface EgressAskOptions {
  dir: string;
  timeoutSeconds: number;
  /** "deny": nobody will answer (an unattended run): deny at once, still recorded for the operator. */
  unattended?: "deny";
  /** Called when a question is asked and when it is answered (the audit chain). */
  record?: (data: Record<string, unknown>) => void;
  pollMs?: number;
  signal?: AbortSignal;
}

const ALLOWING: ReadonlySet<Decision> = new Set(["allow-once", "allow", "allow-save"]);
/** Open questions per bottle: an agent trying host after host must not bury the operator's inbox. */
export const MAX_OPEN_QUESTIONS = 16;

export class EgressAsker {
  private open = new Map<string, { req: SuperviseRequest; result: Promise<EgressOutcome> }>();

  constructor(private readonly o: EgressAskOptions) {
    ensureSuperviseDirs(o.dir);
  }

  /** Questions waiting for an answer now (for tests and the bundle's log). */
  get pending(): number {
    return this.open.size;
  }

  ask(q: EgressAskInput, now: Date = new Date()): Promise<EgressOutcome> {
    const key = `${q.host}:${q.port}`;
    const open = this.open.get(key);
    if (open) {
      open.req.egress!.count++;
      open.req.egress!.lastSeen = now.toISOString();
      // Best effort: the count is for people; the question is the same.
      try {
        writeRequest(this.o.dir, open.req);
      } catch {}
      return open.result;
    }
    if (this.open.size >= MAX_OPEN_QUESTIONS) {
      this.o.record?.({ event: "refused", host: q.host, port: q.port, reason: `${MAX_OPEN_QUESTIONS} questions already open` });
      return Promise.resolve({ id: "", decision: "cancelled", note: `too many questions are open (${MAX_OPEN_QUESTIONS}); try again after the operator answers`, allowed: false });
    }
    const timeoutMs = this.o.timeoutSeconds * 1000;
    const at = now.toISOString();
    const req: SuperviseRequest = {
      id: newRequestId(),
      kind: "egress",
      action: `${q.method} ${q.entry}${q.method === "CONNECT" ? "" : q.path}`,
      reason: `${q.host} is not in the allowlist`,
      at,
      expiresAt: new Date(now.getTime() + (this.o.unattended ? 0 : timeoutMs)).toISOString(),
      egress: { host: q.host, port: q.port, method: q.method, path: q.path, entry: q.entry, count: 1, firstSeen: at, lastSeen: at },
    };
    writeRequest(this.o.dir, req);
    this.o.record?.({ event: "asked", id: req.id, host: q.host, port: q.port, method: q.method, path: q.path, entry: q.entry });
    const result = (async (): Promise<EgressOutcome> => {
      const answer = this.o.unattended
        ? await waitForAnswer(this.o.dir, req.id, 0, { timeoutSeconds: 0, pollMs: this.o.pollMs })
        : await waitForAnswer(this.o.dir, req.id, timeoutMs, { timeoutSeconds: this.o.timeoutSeconds, pollMs: this.o.pollMs, signal: this.o.signal });
      this.open.delete(key);
      const outcome: EgressOutcome = { id: req.id, decision: answer.decision, note: answer.note, allowed: ALLOWING.has(answer.decision) };
      this.o.record?.({ event: "answered", id: req.id, host: q.host, port: q.port, decision: answer.decision, by: answer.by, note: answer.note, count: req.egress!.count });
      return outcome;
    })();
    this.open.set(key, { req, result });
    return result;
  }
}
