// Pure: a small unified diff of two texts that differ in one region (what a
// minimal edit makes), for showing a change before it is written.
export function lineDiff(before: string, after: string, name: string, context = 2): string {
  const a = before.split("\n");
  const b = after.split("\n");
  let pre = 0;
  while (pre < a.length && pre < b.length && a[pre] === b[pre]) pre++;
  let suf = 0;
  while (suf < a.length - pre && suf < b.length - pre && a[a.length - 1 - suf] === b[b.length - 1 - suf]) suf++;
  if (pre === a.length && pre === b.length) return "";
  const from = Math.max(0, pre - context);
  const aEnd = a.length - suf;
  const bEnd = b.length - suf;
  const ctxEnd = Math.min(a.length, aEnd + context);
  const out = [`--- ${name}`, `+++ ${name}`, `@@ -${from + 1},${ctxEnd - from} +${from + 1},${ctxEnd - from + (bEnd - aEnd)} @@`];
  for (let i = from; i < pre; i++) out.push(` ${a[i]}`);
  for (let i = pre; i < aEnd; i++) out.push(`-${a[i]}`);
  for (let i = pre; i < bEnd; i++) out.push(`+${b[i]}`);
  for (let i = aEnd; i < ctxEnd; i++) out.push(` ${a[i]}`);
  return out.join("\n") + "\n";
}
