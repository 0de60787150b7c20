/**
 * Edit distance (Levenshtein, with adjacent transpositions counted as one edit), for "did you
 * mean" hints on failure paths only.
 */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  let prevPrev: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, prevPrev[j - 2]! + 1);
      }
      row.push(best);
    }
    prevPrev = prev;
    prev = row;
  }
  return prev[b.length]!;
}

/**
 * The candidates close to `target`, best first: within an edit distance of a third of the
 * longer name (at least 2), containing one another (3+ characters), or sharing most of the
 * shorter name as a prefix (`maxConcurrency` -> `maxConcurrentSkills`); case-insensitive.
 */
export function closestMatches(target: string, candidates: Iterable<string>, limit = 3): string[] {
  const lower = target.toLowerCase();
  const scored: { name: string; score: number }[] = [];
  for (const name of candidates) {
    const candidate = name.toLowerCase();
    const distance = editDistance(lower, candidate);
    const allowed = Math.max(2, Math.floor(Math.max(lower.length, candidate.length) / 3));
    const shorter = Math.min(lower.length, candidate.length);
    const contains = shorter >= 3 && (candidate.includes(lower) || lower.includes(candidate));
    const prefix = commonPrefix(lower, candidate) >= Math.max(4, Math.ceil(shorter * 0.6));
    if (distance <= allowed || contains || prefix) scored.push({ name, score: distance });
  }
  scored.sort((x, y) => x.score - y.score || x.name.localeCompare(y.name));
  return scored.slice(0, limit).map((s) => s.name);
}

function commonPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}
