// Which of two cursor values is newer.

const INTEGER = /^-?\d+$/;

/**
 * Cursors are ISO timestamps or numbers: numbers compare as numbers, everything else as text. Integers
 * too long for a double to tell apart (ids past 2^53) compare exactly.
 */
export function maxCursor(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  if ((a.length > 15 || b.length > 15) && INTEGER.test(a) && INTEGER.test(b)) return BigInt(b) > BigInt(a) ? b : a;
  const na = Number(a);
  const nb = Number(b);
  if (a.trim() !== '' && b.trim() !== '' && Number.isFinite(na) && Number.isFinite(nb)) return nb > na ? b : a;
  return b > a ? b : a;
}
