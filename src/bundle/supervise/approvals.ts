// The daemon's half of the file protocol: ask, then wait for the operator's
// answer (polled: file watches do not cross the VM/bind-mount boundary
// reliably), answering "timeout" or "cancelled" itself when nobody does.
import {
  answerText,
  ensureSuperviseDirs,
  newRequestId,
  readAnswer,
  writeAnswer,
  writeRequest,
  type SuperviseAnswer,
  type SuperviseRequest,
} from "./protocol.ts";
import { addStanding, findStanding } from "./standing.ts";

export const POLL_MS = 200;

export interface AskOptions {
  timeoutSeconds: number;
  signal?: AbortSignal;
  /** Called every `heartbeatMs` while waiting (MCP progress notifications keep clients from timing out). */
  onHeartbeat?: (elapsedMs: number) => void;
  heartbeatMs?: number;
  pollMs?: number;
  now?: () => Date;
  /** What a timeout answers: "timeout" (treated as denied, the default) or "approve" (configured by the operator). */
  timeoutDecision?: "timeout" | "approve";
}

export interface AskResult {
  request: SuperviseRequest;
  answer: SuperviseAnswer;
  text: string;
}

export async function askApproval(dir: string, action: string, reason: string, opts: AskOptions): Promise<AskResult> {
  ensureSuperviseDirs(dir);
  const now = opts.now ?? (() => new Date());
  const start = now();
  const timeoutMs = opts.timeoutSeconds * 1000;
  const request: SuperviseRequest = {
    id: newRequestId(),
    kind: "approval",
    action,
    reason,
    at: start.toISOString(),
    expiresAt: new Date(start.getTime() + timeoutMs).toISOString(),
  };
  writeRequest(dir, request);
  // An earlier "approve always" covers it: answered at once, by the daemon, saying which rule.
  const standing = findStanding(dir, action);
  if (standing) {
    const own: SuperviseAnswer = { id: request.id, decision: "approve", note: `approved by the standing rule "${standing.pattern}"`, at: now().toISOString(), by: "daemon" };
    const answer = writeAnswer(dir, own) ? own : (readAnswer(dir, request.id) ?? own);
    return { request, answer, text: answerText(answer, opts.timeoutSeconds) };
  }
  const answer = await waitForAnswer(dir, request.id, timeoutMs, opts);
  if (answer.decision === "approve-always") {
    addStanding(dir, { pattern: answer.pattern || action, from: request.id, at: answer.at, note: answer.note });
  }
  return { request, answer, text: answerText(answer, opts.timeoutSeconds) };
}

export async function waitForAnswer(dir: string, id: string, timeoutMs: number, opts: AskOptions): Promise<SuperviseAnswer> {
  const started = Date.now();
  const pollMs = opts.pollMs ?? POLL_MS;
  let lastBeat = started;
  for (;;) {
    const answer = readAnswer(dir, id);
    if (answer) return answer;
    const elapsed = Date.now() - started;
    const closing: SuperviseAnswer["decision"] | null = opts.signal?.aborted ? "cancelled" : elapsed >= timeoutMs ? "timeout" : null;
    if (closing) {
      const byDefault = closing === "timeout" && opts.timeoutDecision === "approve";
      const own: SuperviseAnswer = {
        id,
        decision: byDefault ? "approve" : closing,
        note: byDefault ? `no answer within ${Math.round(timeoutMs / 1000)} seconds: approved by the bottle's configured default` : "",
        at: new Date().toISOString(),
        by: "daemon",
      };
      // An operator's answer that lands at the same moment wins.
      return writeAnswer(dir, own) ? own : (readAnswer(dir, id) ?? own);
    }
    if (opts.onHeartbeat && opts.heartbeatMs && Date.now() - lastBeat >= opts.heartbeatMs) {
      lastBeat = Date.now();
      opts.onHeartbeat(elapsed);
    }
    await sleepOrAbort(Math.min(pollMs, Math.max(1, timeoutMs - elapsed)), opts.signal);
  }
}

function sleepOrAbort(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(t);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}

/** A notification: recorded for the operator, no answer expected. */
export function notify(dir: string, message: string, now: Date = new Date()): SuperviseRequest {
  ensureSuperviseDirs(dir);
  const request: SuperviseRequest = { id: newRequestId(), kind: "notify", action: message, reason: "", at: now.toISOString() };
  writeRequest(dir, request);
  return request;
}
