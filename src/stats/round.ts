// The one round-half-even (issue 14: it was spelled four ways). plink2 rounds .gen probabilities to
// 1/32768 and dosages to 1/16384 this way (ties to the even quantum); the WebAssembly .gen parser
// uses f64.nearest, the same rule (src/wasm/gen-probs.wat).

/** x rounded to the nearest integer, a tie (x = k + 0.5) to the even one. Exact for every double. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x); // ties towards +infinity; r - x is exact
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}
