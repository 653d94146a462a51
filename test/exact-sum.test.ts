// Exact summation against exact arithmetic: every double in the test is an integer multiple of 2^-113,
// so BigInt sums of the scaled values are exact and Number() rounds them correctly (half to even).
import assert from "node:assert/strict";
import { test } from "node:test";
import { addToPartials, ExactSum, partialsValue } from "../lib/compute/exact-sum.ts";

const SCALE = 2 ** 113;
const exact = (x: number) => BigInt(x * SCALE);

/** A deterministic generator (mulberry32), so a failure is repeatable. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Values from 2^-60 to 2^60 in magnitude, both signs, and exact cancellations. */
function values(seed: number, n: number): number[] {
  const r = random(seed);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = (r() * 2 - 1) * 2 ** Math.floor(r() * 120 - 60);
    out.push(x);
    if (r() < 0.1) out.push(-x);
  }
  return out;
}

test("the partials hold the exact sum and round to the correctly rounded total", () => {
  for (let seed = 1; seed <= 200; seed++) {
    const xs = values(seed, 1 + (seed % 60));
    const partials: number[] = [];
    let want = 0n;
    for (const x of xs) {
      addToPartials(partials, x);
      want += exact(x);
      assert.equal(partials.reduce((s, p) => s + exact(p), 0n), want, `seed ${seed}: the partials lost something`);
    }
    assert.equal(partialsValue(partials), Number(want) / SCALE, `seed ${seed}`);
  }
});

test("a long run of similar values keeps few partials and the exact total", () => {
  const sum = new ExactSum();
  let want = 0n;
  for (let i = 0; i < 100_000; i++) {
    const x = 1 + (i % 997) / 1024 + 2 ** -40 * (i % 7);
    sum.add(x);
    want += exact(x);
  }
  assert.ok(sum.partials.length <= 3, `${sum.partials.length} partials`);
  assert.equal(sum.value(), Number(want) / SCALE);
});
