// Chunk ids in log lines: a batch's ids as compact ranges ("5-204,230"), and back. The demo's
// redelivery tracking and the bench read them from the workers' "took chunk(s)" lines.

export function formatIdRanges(ids: readonly number[]): string {
  const sorted = [...ids].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(j === i ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(",");
}

export function parseIdRanges(text: string): number[] {
  const ids: number[] = [];
  for (const part of text.split(",")) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) continue;
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    for (let id = from; id <= to; id++) ids.push(id);
  }
  return ids;
}

/** The chunk ids a parsed log line names: `chunk` (one) or `chunks` (ranges). */
export function chunkIdsOf(fields: Record<string, unknown>): number[] {
  if (typeof fields.chunk === "number") return [fields.chunk];
  if (typeof fields.chunks === "string") return parseIdRanges(fields.chunks);
  if (typeof fields.chunks === "number") return [fields.chunks];
  return [];
}
