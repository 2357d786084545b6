export interface RankComparison {
  /** Two-sided p-value of the Mann-Whitney U test (normal approximation, ties averaged). */
  readonly p: number;
  /**
   * Vargha-Delaney A: the probability that a sample of `a` is larger than one of `b` (ties count
   * half). 0.5 is no difference; beyond 0.71 or below 0.29 is a large effect.
   */
  readonly a: number;
}

/** Compares two samples by ranks only, so a few huge outliers (a busy machine's preemptions) weigh no more than any other sample. */
export function compareByRanks(a: readonly number[], b: readonly number[]): RankComparison {
  const all = [...a.map((value) => ({ value, fromA: true })), ...b.map((value) => ({ value, fromA: false }))].sort((x, y) => x.value - y.value);
  let rankSumA = 0;
  let tieCorrection = 0;
  for (let start = 0; start < all.length; ) {
    let end = start;
    while (end + 1 < all.length && all[end + 1]!.value === all[start]!.value) end++;
    const averageRank = (start + end) / 2 + 1;
    const tied = end - start + 1;
    tieCorrection += tied ** 3 - tied;
    for (let index = start; index <= end; index++) if (all[index]!.fromA) rankSumA += averageRank;
    start = end + 1;
  }
  const n1 = a.length;
  const n2 = b.length;
  const u = rankSumA - (n1 * (n1 + 1)) / 2;
  const n = n1 + n2;
  const variance = ((n1 * n2) / 12) * (n + 1 - tieCorrection / (n * (n - 1)));
  const z = variance > 0 ? (u - (n1 * n2) / 2) / Math.sqrt(variance) : 0;
  return { p: 2 * (1 - standardNormalCdf(Math.abs(z))), a: u / (n1 * n2) };
}

/** Φ(x) by the Abramowitz-Stegun 26.2.17 approximation (error below 7.5e-8). */
function standardNormalCdf(x: number): number {
  const t = 1 / (1 + 0.2316419 * x);
  const density = Math.exp((-x * x) / 2) / Math.sqrt(2 * Math.PI);
  const tail = density * t * (0.31938153 + t * (-0.356563782 + t * (1.781477937 + t * (-1.821255978 + t * 1.330274429))));
  return 1 - tail;
}
