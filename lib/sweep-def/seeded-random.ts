// A counter-based generator: the k-th uniform number of sample `id` under `seed` is a pure
// function of (seed, id, k), so every worker computes any sample's point without the others.

/** A uniform number in [0, 1) from 32-bit integers (seed, id, k), by murmur3's finaliser twice. */
export function uniformAt(seed: number, id: number, k: number): number {
  let h = mix32((seed >>> 0) ^ 0x9e3779b9);
  h = mix32(h ^ (id % 0x1_0000_0000));
  h = mix32(h ^ Math.floor(id / 0x1_0000_0000));
  h = mix32(h ^ Math.imul(k + 1, 0x85ebca6b));
  return h / 0x1_0000_0000;
}

function mix32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
