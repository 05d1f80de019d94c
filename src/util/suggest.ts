// "Did you mean …?" for commands, flags, bottle names, ids and sub-commands.
// Hand-written rather than a dependency: twenty lines, and the common typos
// are transpositions (`lacnh`), which plain Levenshtein packages count as two
// edits; optimal string alignment counts them as one.

/** Optimal string alignment distance (Levenshtein plus adjacent transposition). */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * The closest candidate, if it is close enough to be a typo: at most a third
 * of the word's length (at least 1, at most 3) edits away, or a candidate the
 * word is a prefix of. Ties go to the first candidate given.
 */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  const w = word.toLowerCase();
  const limit = Math.min(3, Math.max(1, Math.floor(w.length / 3)));
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    if (c === word) return c;
    const d = editDistance(w, c.toLowerCase());
    if (d < bestD) {
      best = c;
      bestD = d;
    }
  }
  if (best !== undefined && bestD <= limit) return best;
  if (w.length >= 2) for (const c of candidates) if (c.toLowerCase().startsWith(w)) return c;
  return undefined;
}

/** ` — did you mean `X`?` text for a hint, or "" when nothing is close. */
export function didYouMean(word: string, candidates: Iterable<string>, render: (c: string) => string = (c) => c): string | undefined {
  const c = closest(word, candidates);
  return c === undefined ? undefined : `did you mean \`${render(c)}\`?`;
}
