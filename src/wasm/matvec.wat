;; Matrix-vector product out = A g for the per-variant regression kernel (src/stats/linear.ts):
;; A is a group's covariate basis and residualised phenotypes stacked as rows of n doubles, g the
;; gathered dosages. Compiled to matvec.wasm by scripts/build-wasm.mjs (wabt); the test
;; wasm-source.test.ts checks the committed binary is this source's.
;;
;; Summation order per row (src/stats/matvec.ts dotJs does the same, so results are bit-identical):
;; lane accumulators a0, a1 (elements i = 0, 1 mod 4) in $A and b0, b1 (i = 2, 3 mod 4) in $B; a
;; remaining pair goes to $A; then s = (a0 + b0) + (a1 + b1), plus the last element when n is odd.
;; No fused multiply-add, so every product and sum rounds as JavaScript's do.
;; Four rows per pass over g (g loaded once for 4 rows, 8 independent add chains), then one row at a
;; time for the rest. Why: docs/decisions/0101-webassembly-from-source.md.
(module
  (import "e" "m" (memory 1))

  ;; mv(a, g, out, rows, n, ldb): byte addresses of A's first row, of g and of out; ldb = A's row
  ;; stride in bytes (rows padded to an even length, 16-byte aligned).
  (func $mv (export "mv")
    (param $a i32) (param $g i32) (param $out i32) (param $rows i32) (param $n i32) (param $ldb i32)
    (local $end4 i32) (local $end2 i32) (local $endN i32)   ;; byte ends: groups of 4, a pair, all
    (local $p0 i32) (local $p1 i32) (local $p2 i32) (local $p3 i32)   ;; the 4 rows' addresses
    (local $i i32)                                          ;; byte offset within a row
    (local $j i32)                                          ;; rows done
    (local $gv v128) (local $gw v128)                       ;; g[i, i+1], g[i+2, i+3]
    (local $A0 v128) (local $A1 v128) (local $A2 v128) (local $A3 v128)
    (local $B0 v128) (local $B1 v128) (local $B2 v128) (local $B3 v128)
    (local $s0 f64) (local $s1 f64) (local $s2 f64) (local $s3 f64)

    (local.set $end4 (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 3)))
    (local.set $end2 (i32.shl (i32.and (local.get $n) (i32.const -2)) (i32.const 3)))
    (local.set $endN (i32.shl (local.get $n) (i32.const 3)))
    (local.set $j (i32.const 0))

    ;; ---- Four rows at a time ----
    (block $done4
      (loop $rows4
        (br_if $done4 (i32.lt_u (i32.sub (local.get $rows) (local.get $j)) (i32.const 4)))
        (local.set $p0 (local.get $a))
        (local.set $p1 (i32.add (local.get $p0) (local.get $ldb)))
        (local.set $p2 (i32.add (local.get $p1) (local.get $ldb)))
        (local.set $p3 (i32.add (local.get $p2) (local.get $ldb)))
        (local.set $A0 (v128.const i64x2 0 0)) (local.set $B0 (v128.const i64x2 0 0))
        (local.set $A1 (v128.const i64x2 0 0)) (local.set $B1 (v128.const i64x2 0 0))
        (local.set $A2 (v128.const i64x2 0 0)) (local.set $B2 (v128.const i64x2 0 0))
        (local.set $A3 (v128.const i64x2 0 0)) (local.set $B3 (v128.const i64x2 0 0))
        (local.set $i (i32.const 0))
        ;; Four elements a step.
        (block $quads_done
          (loop $quads
            (br_if $quads_done (i32.ge_u (local.get $i) (local.get $end4)))
            (local.set $gv (v128.load (i32.add (local.get $g) (local.get $i))))
            (local.set $gw (v128.load offset=16 (i32.add (local.get $g) (local.get $i))))
            (local.set $A0 (f64x2.add (local.get $A0) (f64x2.mul (v128.load (i32.add (local.get $p0) (local.get $i))) (local.get $gv))))
            (local.set $B0 (f64x2.add (local.get $B0) (f64x2.mul (v128.load offset=16 (i32.add (local.get $p0) (local.get $i))) (local.get $gw))))
            (local.set $A1 (f64x2.add (local.get $A1) (f64x2.mul (v128.load (i32.add (local.get $p1) (local.get $i))) (local.get $gv))))
            (local.set $B1 (f64x2.add (local.get $B1) (f64x2.mul (v128.load offset=16 (i32.add (local.get $p1) (local.get $i))) (local.get $gw))))
            (local.set $A2 (f64x2.add (local.get $A2) (f64x2.mul (v128.load (i32.add (local.get $p2) (local.get $i))) (local.get $gv))))
            (local.set $B2 (f64x2.add (local.get $B2) (f64x2.mul (v128.load offset=16 (i32.add (local.get $p2) (local.get $i))) (local.get $gw))))
            (local.set $A3 (f64x2.add (local.get $A3) (f64x2.mul (v128.load (i32.add (local.get $p3) (local.get $i))) (local.get $gv))))
            (local.set $B3 (f64x2.add (local.get $B3) (f64x2.mul (v128.load offset=16 (i32.add (local.get $p3) (local.get $i))) (local.get $gw))))
            (local.set $i (i32.add (local.get $i) (i32.const 32)))
            (br $quads)))
        ;; A remaining pair.
        (if (i32.lt_u (local.get $i) (local.get $end2))
          (then
            (local.set $gv (v128.load (i32.add (local.get $g) (local.get $i))))
            (local.set $A0 (f64x2.add (local.get $A0) (f64x2.mul (v128.load (i32.add (local.get $p0) (local.get $i))) (local.get $gv))))
            (local.set $A1 (f64x2.add (local.get $A1) (f64x2.mul (v128.load (i32.add (local.get $p1) (local.get $i))) (local.get $gv))))
            (local.set $A2 (f64x2.add (local.get $A2) (f64x2.mul (v128.load (i32.add (local.get $p2) (local.get $i))) (local.get $gv))))
            (local.set $A3 (f64x2.add (local.get $A3) (f64x2.mul (v128.load (i32.add (local.get $p3) (local.get $i))) (local.get $gv))))
            (local.set $i (i32.add (local.get $i) (i32.const 16)))))
        ;; s = (a0 + b0) + (a1 + b1)
        (local.set $A0 (f64x2.add (local.get $A0) (local.get $B0)))
        (local.set $s0 (f64.add (f64x2.extract_lane 0 (local.get $A0)) (f64x2.extract_lane 1 (local.get $A0))))
        (local.set $A1 (f64x2.add (local.get $A1) (local.get $B1)))
        (local.set $s1 (f64.add (f64x2.extract_lane 0 (local.get $A1)) (f64x2.extract_lane 1 (local.get $A1))))
        (local.set $A2 (f64x2.add (local.get $A2) (local.get $B2)))
        (local.set $s2 (f64.add (f64x2.extract_lane 0 (local.get $A2)) (f64x2.extract_lane 1 (local.get $A2))))
        (local.set $A3 (f64x2.add (local.get $A3) (local.get $B3)))
        (local.set $s3 (f64.add (f64x2.extract_lane 0 (local.get $A3)) (f64x2.extract_lane 1 (local.get $A3))))
        ;; The last element when n is odd.
        (if (i32.lt_u (local.get $i) (local.get $endN))
          (then
            (local.set $s0 (f64.add (local.get $s0) (f64.mul (f64.load (i32.add (local.get $p0) (local.get $i))) (f64.load (i32.add (local.get $g) (local.get $i))))))
            (local.set $s1 (f64.add (local.get $s1) (f64.mul (f64.load (i32.add (local.get $p1) (local.get $i))) (f64.load (i32.add (local.get $g) (local.get $i))))))
            (local.set $s2 (f64.add (local.get $s2) (f64.mul (f64.load (i32.add (local.get $p2) (local.get $i))) (f64.load (i32.add (local.get $g) (local.get $i))))))
            (local.set $s3 (f64.add (local.get $s3) (f64.mul (f64.load (i32.add (local.get $p3) (local.get $i))) (f64.load (i32.add (local.get $g) (local.get $i))))))))
        (f64.store (local.get $out) (local.get $s0))
        (f64.store offset=8 (local.get $out) (local.get $s1))
        (f64.store offset=16 (local.get $out) (local.get $s2))
        (f64.store offset=24 (local.get $out) (local.get $s3))
        (local.set $out (i32.add (local.get $out) (i32.const 32)))
        (local.set $a (i32.add (local.get $p3) (local.get $ldb)))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $rows4)))

    ;; ---- The remaining rows one at a time (the same order) ----
    (block $done1
      (loop $rows1
        (br_if $done1 (i32.lt_u (i32.sub (local.get $rows) (local.get $j)) (i32.const 1)))
        (local.set $p0 (local.get $a))
        (local.set $A0 (v128.const i64x2 0 0))
        (local.set $B0 (v128.const i64x2 0 0))
        (local.set $i (i32.const 0))
        (block $quads_done
          (loop $quads
            (br_if $quads_done (i32.ge_u (local.get $i) (local.get $end4)))
            (local.set $gv (v128.load (i32.add (local.get $g) (local.get $i))))
            (local.set $gw (v128.load offset=16 (i32.add (local.get $g) (local.get $i))))
            (local.set $A0 (f64x2.add (local.get $A0) (f64x2.mul (v128.load (i32.add (local.get $p0) (local.get $i))) (local.get $gv))))
            (local.set $B0 (f64x2.add (local.get $B0) (f64x2.mul (v128.load offset=16 (i32.add (local.get $p0) (local.get $i))) (local.get $gw))))
            (local.set $i (i32.add (local.get $i) (i32.const 32)))
            (br $quads)))
        (if (i32.lt_u (local.get $i) (local.get $end2))
          (then
            (local.set $gv (v128.load (i32.add (local.get $g) (local.get $i))))
            (local.set $A0 (f64x2.add (local.get $A0) (f64x2.mul (v128.load (i32.add (local.get $p0) (local.get $i))) (local.get $gv))))
            (local.set $i (i32.add (local.get $i) (i32.const 16)))))
        (local.set $A0 (f64x2.add (local.get $A0) (local.get $B0)))
        (local.set $s0 (f64.add (f64x2.extract_lane 0 (local.get $A0)) (f64x2.extract_lane 1 (local.get $A0))))
        (if (i32.lt_u (local.get $i) (local.get $endN))
          (then
            (local.set $s0 (f64.add (local.get $s0) (f64.mul (f64.load (i32.add (local.get $p0) (local.get $i))) (f64.load (i32.add (local.get $g) (local.get $i))))))))
        (f64.store (local.get $out) (local.get $s0))
        (local.set $out (i32.add (local.get $out) (i32.const 8)))
        (local.set $a (i32.add (local.get $p0) (local.get $ldb)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $rows1))))
;; gc(codes, idx, n, g, miss, cnt): the hard-call gather (docs/decisions/0202). For i < n,
;; c = codes[idx[i]] (a sample's allele count 0/1/2, 3 when missing): g[i] = c, or 0 and i appended
;; to miss when missing. Stores at cnt (i32): the sum of the counts, the sum of their squares and
;; the number missing (exact integers: the same sums as the dosage gather's).
  (func $gc (export "gc")
    (param $codes i32) (param $idx i32) (param $n i32) (param $g i32) (param $miss i32) (param $cnt i32)
    (local $i i32) (local $c i32) (local $s i32) (local $ss i32) (local $nm i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $c (i32.load8_u (i32.add (local.get $codes)
          (i32.load (i32.add (local.get $idx) (i32.shl (local.get $i) (i32.const 2)))))))
        (if (i32.eq (local.get $c) (i32.const 3))
          (then
            (i32.store (i32.add (local.get $miss) (i32.shl (local.get $nm) (i32.const 2))) (local.get $i))
            (local.set $nm (i32.add (local.get $nm) (i32.const 1)))
            (local.set $c (i32.const 0))))
        (f64.store (i32.add (local.get $g) (i32.shl (local.get $i) (i32.const 3))) (f64.convert_i32_u (local.get $c)))
        (local.set $s (i32.add (local.get $s) (local.get $c)))
        (local.set $ss (i32.add (local.get $ss) (i32.mul (local.get $c) (local.get $c))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (i32.store (local.get $cnt) (local.get $s))
    (i32.store offset=4 (local.get $cnt) (local.get $ss))
    (i32.store offset=8 (local.get $cnt) (local.get $nm)))
)
