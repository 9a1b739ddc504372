;; Matrix-vector product out = A g for the per-variant regression kernel (src/stats/linear.ts):
;; A is a group's covariate basis and residualised phenotypes stacked as rows of n doubles, g the
;; gathered dosages; then the gathers (gc, gd) and sparse products (hn, cms, cpf, cs, zc) of 0202, further down.
;; Compiled to matvec.wasm by src/wasm/build.ts (wabt); the test
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

;; The hard-call products from the carriers only (docs/decisions/0202): the same values as gc then
;; mv on a group's rows (at most 16), bit for bit. mv adds element i's product into lane accumulator
;; i mod 4 in increasing i and finishes with (c0 + c2) + (c1 + c3), plus the last element when n is
;; odd; a sample with count 0 adds +-0 to an accumulator that started at +0 and so is never -0,
;; which changes nothing, so here only samples with count 1 or 2 are added, class by class
;; (i mod 4), in increasing i. qt: the group's rows transposed, 16 doubles (128 bytes) a sample
;; (unused rows zero), class by class (sample i at row (i mod 4) q4 + i div 4, q4 = ceil(n / 4)),
;; so that a class's pass reads one stretch.
;; Bitmasks over the genotype samples, `words` i64 each: cf's three masks of a variant (carriers,
;; 2s, missing; `masks`); a group's (`gm`): all its samples, then one mask per class j of the samples
;; at group positions i = j mod 4, less the last sample when n is odd (kept out of the classes, as
;; mv does). pos: genotype sample s -> group position i (i32). Group positions increase with s, so
;; a class's carriers walked in increasing s are in increasing i.

;; hn(codes, masks, gm, words, ilast, cnt): a variant's counts over a group, by popcount, as gc's:
;; cnt (16 bytes, i32) gets the sum of the counts (carriers + 2s), of their squares (carriers +
;; 3 x 2s), the number missing, and the last sample's count (ilast: its genotype index when n is
;; odd, else -1; 0 when missing).
  (func $hn (export "hn") (param $codes i32) (param $masks i32) (param $gm i32) (param $words i32) (param $ilast i32) (param $cnt i32)
    (local $b i32) (local $w8 i32) (local $g i64) (local $nc i32) (local $nt i32) (local $nm i32) (local $last i32)
    (local.set $w8 (i32.shl (local.get $words) (i32.const 3)))
    (block $done
      (loop $words
        (br_if $done (i32.ge_u (local.get $b) (local.get $w8)))
        (local.set $g (i64.load (i32.add (local.get $gm) (local.get $b))))
        (local.set $nc (i32.add (local.get $nc) (i32.wrap_i64 (i64.popcnt (i64.and (local.get $g)
          (i64.load (i32.add (local.get $masks) (local.get $b))))))))
        (local.set $nt (i32.add (local.get $nt) (i32.wrap_i64 (i64.popcnt (i64.and (local.get $g)
          (i64.load (i32.add (i32.add (local.get $masks) (local.get $w8)) (local.get $b))))))))
        (local.set $nm (i32.add (local.get $nm) (i32.wrap_i64 (i64.popcnt (i64.and (local.get $g)
          (i64.load (i32.add (i32.add (local.get $masks) (i32.shl (local.get $w8) (i32.const 1))) (local.get $b))))))))
        (local.set $b (i32.add (local.get $b) (i32.const 8)))
        (br $words)))
    (i32.store (local.get $cnt) (i32.add (local.get $nc) (local.get $nt)))
    (i32.store offset=4 (local.get $cnt) (i32.add (local.get $nc) (i32.mul (local.get $nt) (i32.const 3))))
    (i32.store offset=8 (local.get $cnt) (local.get $nm))
    (if (i32.ge_s (local.get $ilast) (i32.const 0))
      (then
        (local.set $last (i32.load8_u (i32.add (local.get $codes) (local.get $ilast))))
        (if (i32.eq (local.get $last) (i32.const 3)) (then (local.set $last (i32.const 0))))))
    (i32.store offset=12 (local.get $cnt) (local.get $last)))

;; cms(masks, gm, words, pos, miss): the missing samples of a variant in a group, as group positions
;; into miss, in increasing order; returns their number.
  (func $cms (export "cms") (param $masks i32) (param $gm i32) (param $words i32) (param $pos i32) (param $miss i32) (result i32)
    (local $b i32) (local $w8 i32) (local $m i64) (local $s i32) (local $nm i32)
    (local.set $w8 (i32.shl (local.get $words) (i32.const 3)))
    (block $done
      (loop $words
        (br_if $done (i32.ge_u (local.get $b) (local.get $w8)))
        (local.set $m (i64.and (i64.load (i32.add (local.get $gm) (local.get $b)))
          (i64.load (i32.add (i32.add (local.get $masks) (i32.shl (local.get $w8) (i32.const 1))) (local.get $b)))))
        (block $miss_done
          (loop $misses
            (br_if $miss_done (i64.eqz (local.get $m)))
            (local.set $s (i32.add (i32.shl (local.get $b) (i32.const 3)) (i32.wrap_i64 (i64.ctz (local.get $m)))))
            (local.set $m (i64.and (local.get $m) (i64.sub (local.get $m) (i64.const 1))))
            (i32.store (i32.add (local.get $miss) (i32.shl (local.get $nm) (i32.const 2)))
              (i32.load (i32.add (local.get $pos) (i32.shl (local.get $s) (i32.const 2)))))
            (local.set $nm (i32.add (local.get $nm) (i32.const 1)))
            (br $misses)))
        (local.set $b (i32.add (local.get $b) (i32.const 8)))
        (br $words)))
    (local.get $nm))

;; cpf(masks, mstride, nb, gm, words, roff, qt, n, acc, outs, cnts, wide): the products of nb
;; variants (masks mstride bytes apart; hn's counts at cnts + 16 v) over one group, class-major:
;; class j of every variant while that class's stretch of qt is in cache (0202, session 11). Each
;; class's carriers straight from the bitmasks (cw) into its sums at acc + 512 v + 128 j; then
;; (c0 + c2) + (c1 + c3) and the last sample (comb) into outs + 128 v. Every sum is made exactly as
;; for the variant alone. roff: genotype sample s -> the byte offset of its row in qt (i32).
  (func $cpf (export "cpf")
    (param $masks i32) (param $mstride i32) (param $nb i32) (param $gm i32) (param $words i32) (param $roff i32)
    (param $qt i32) (param $n i32) (param $acc i32) (param $outs i32) (param $cnts i32) (param $wide i32)
    (local $j i32) (local $v i32) (local $w8 i32)
    (local.set $w8 (i32.shl (local.get $words) (i32.const 3)))
    (loop $classes
      (local.set $v (i32.const 0))
      (loop $variants
        (call $cw
          (i32.add (local.get $masks) (i32.mul (local.get $v) (local.get $mstride)))
          (i32.add (local.get $gm) (i32.mul (i32.add (local.get $j) (i32.const 1)) (local.get $w8)))
          (local.get $w8) (local.get $roff) (local.get $qt)
          (i32.add (local.get $acc) (i32.add (i32.shl (local.get $v) (i32.const 9)) (i32.shl (local.get $j) (i32.const 7))))
          (local.get $wide))
        (local.set $v (i32.add (local.get $v) (i32.const 1)))
        (br_if $variants (i32.lt_u (local.get $v) (local.get $nb))))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br_if $classes (i32.lt_u (local.get $j) (i32.const 4))))
    (local.set $v (i32.const 0))
    (loop $finish
      (call $comb (i32.add (local.get $acc) (i32.shl (local.get $v) (i32.const 9))) (i32.add (local.get $outs) (i32.shl (local.get $v) (i32.const 7)))
        (local.get $qt) (local.get $n) (i32.load offset=12 (i32.add (local.get $cnts) (i32.shl (local.get $v) (i32.const 4)))))
      (local.set $v (i32.add (local.get $v) (i32.const 1)))
      (br_if $finish (i32.lt_u (local.get $v) (local.get $nb)))))

;; cw(mk, gmj, w8, roff, qt, p, wide): one class's carriers (mk: a variant's carriers, 2s at
;; mk + w8; gmj: the class's mask) in increasing i, each its row in qt (at roff[s]) times its count
;; 1 + (2s bit), into 8 vector accumulators from +0, stored at p (128 bytes). wide = 0: rows 14 and
;; 15 of qt are zero (at most 14 rows: 12 covariates, an intercept and one phenotype) and are not
;; read (A7 stays 0).
  (func $cw (param $mk i32) (param $gmj i32) (param $w8 i32) (param $roff i32) (param $qt i32) (param $p i32) (param $wide i32)
    (local $b i32) (local $m i64) (local $t i64) (local $z i64) (local $r i32) (local $ro i32) (local $gv v128)
    (local $A0 v128) (local $A1 v128) (local $A2 v128) (local $A3 v128)
    (local $A4 v128) (local $A5 v128) (local $A6 v128) (local $A7 v128)
    (block $done
      (loop $words
        (br_if $done (i32.ge_u (local.get $b) (local.get $w8)))
        (local.set $m (i64.and (i64.load (i32.add (local.get $mk) (local.get $b))) (i64.load (i32.add (local.get $gmj) (local.get $b)))))
        (if (i64.ne (local.get $m) (i64.const 0))
          (then
            (local.set $t (i64.load (i32.add (i32.add (local.get $mk) (local.get $w8)) (local.get $b))))
            (local.set $ro (i32.add (local.get $roff) (i32.shl (local.get $b) (i32.const 5))))
            (if (local.get $wide)
              (then
                (loop $bits
                  (local.set $z (i64.ctz (local.get $m)))
                  (local.set $m (i64.and (local.get $m) (i64.sub (local.get $m) (i64.const 1))))
                  (local.set $r (i32.add (local.get $qt) (i32.load (i32.add (local.get $ro) (i32.shl (i32.wrap_i64 (local.get $z)) (i32.const 2))))))
                  (local.set $gv (f64x2.splat (f64.convert_i32_u (i32.add (i32.const 1) (i32.wrap_i64 (i64.and (i64.shr_u (local.get $t) (local.get $z)) (i64.const 1)))))))
                  (local.set $A0 (f64x2.add (local.get $A0) (f64x2.mul (v128.load offset=0 (local.get $r)) (local.get $gv))))
                  (local.set $A1 (f64x2.add (local.get $A1) (f64x2.mul (v128.load offset=16 (local.get $r)) (local.get $gv))))
                  (local.set $A2 (f64x2.add (local.get $A2) (f64x2.mul (v128.load offset=32 (local.get $r)) (local.get $gv))))
                  (local.set $A3 (f64x2.add (local.get $A3) (f64x2.mul (v128.load offset=48 (local.get $r)) (local.get $gv))))
                  (local.set $A4 (f64x2.add (local.get $A4) (f64x2.mul (v128.load offset=64 (local.get $r)) (local.get $gv))))
                  (local.set $A5 (f64x2.add (local.get $A5) (f64x2.mul (v128.load offset=80 (local.get $r)) (local.get $gv))))
                  (local.set $A6 (f64x2.add (local.get $A6) (f64x2.mul (v128.load offset=96 (local.get $r)) (local.get $gv))))
                  (local.set $A7 (f64x2.add (local.get $A7) (f64x2.mul (v128.load offset=112 (local.get $r)) (local.get $gv))))
                  (br_if $bits (i64.ne (local.get $m) (i64.const 0)))))
              (else
                (loop $bits7
                  (local.set $z (i64.ctz (local.get $m)))
                  (local.set $m (i64.and (local.get $m) (i64.sub (local.get $m) (i64.const 1))))
                  (local.set $r (i32.add (local.get $qt) (i32.load (i32.add (local.get $ro) (i32.shl (i32.wrap_i64 (local.get $z)) (i32.const 2))))))
                  (local.set $gv (f64x2.splat (f64.convert_i32_u (i32.add (i32.const 1) (i32.wrap_i64 (i64.and (i64.shr_u (local.get $t) (local.get $z)) (i64.const 1)))))))
                  (local.set $A0 (f64x2.add (local.get $A0) (f64x2.mul (v128.load offset=0 (local.get $r)) (local.get $gv))))
                  (local.set $A1 (f64x2.add (local.get $A1) (f64x2.mul (v128.load offset=16 (local.get $r)) (local.get $gv))))
                  (local.set $A2 (f64x2.add (local.get $A2) (f64x2.mul (v128.load offset=32 (local.get $r)) (local.get $gv))))
                  (local.set $A3 (f64x2.add (local.get $A3) (f64x2.mul (v128.load offset=48 (local.get $r)) (local.get $gv))))
                  (local.set $A4 (f64x2.add (local.get $A4) (f64x2.mul (v128.load offset=64 (local.get $r)) (local.get $gv))))
                  (local.set $A5 (f64x2.add (local.get $A5) (f64x2.mul (v128.load offset=80 (local.get $r)) (local.get $gv))))
                  (local.set $A6 (f64x2.add (local.get $A6) (f64x2.mul (v128.load offset=96 (local.get $r)) (local.get $gv))))
                  (br_if $bits7 (i64.ne (local.get $m) (i64.const 0))))))))
        (local.set $b (i32.add (local.get $b) (i32.const 8)))
        (br $words)))
    (v128.store offset=0 (local.get $p) (local.get $A0))
    (v128.store offset=16 (local.get $p) (local.get $A1))
    (v128.store offset=32 (local.get $p) (local.get $A2))
    (v128.store offset=48 (local.get $p) (local.get $A3))
    (v128.store offset=64 (local.get $p) (local.get $A4))
    (v128.store offset=80 (local.get $p) (local.get $A5))
    (v128.store offset=96 (local.get $p) (local.get $A6))
    (v128.store offset=112 (local.get $p) (local.get $A7)))

;; comb(acc, out, qt, n, last): a variant's four class sums at acc (128 bytes each) combined as mv
;; does, (c0 + c2) + (c1 + c3) lane by lane, into out; then the last sample (count `last`) when n
;; is odd.
  (func $comb (param $acc i32) (param $out i32) (param $qt i32) (param $n i32) (param $last i32)
    (local $i i32) (local $p i32) (local $q4 i32) (local $gv v128)
    (local.set $q4 (i32.shr_u (i32.add (local.get $n) (i32.const 3)) (i32.const 2)))
    (v128.store offset=0 (local.get $out)
      (f64x2.add
        (f64x2.add (v128.load offset=0 (local.get $acc)) (v128.load offset=256 (local.get $acc)))
        (f64x2.add (v128.load offset=128 (local.get $acc)) (v128.load offset=384 (local.get $acc)))))
    (v128.store offset=16 (local.get $out)
      (f64x2.add
        (f64x2.add (v128.load offset=16 (local.get $acc)) (v128.load offset=272 (local.get $acc)))
        (f64x2.add (v128.load offset=144 (local.get $acc)) (v128.load offset=400 (local.get $acc)))))
    (v128.store offset=32 (local.get $out)
      (f64x2.add
        (f64x2.add (v128.load offset=32 (local.get $acc)) (v128.load offset=288 (local.get $acc)))
        (f64x2.add (v128.load offset=160 (local.get $acc)) (v128.load offset=416 (local.get $acc)))))
    (v128.store offset=48 (local.get $out)
      (f64x2.add
        (f64x2.add (v128.load offset=48 (local.get $acc)) (v128.load offset=304 (local.get $acc)))
        (f64x2.add (v128.load offset=176 (local.get $acc)) (v128.load offset=432 (local.get $acc)))))
    (v128.store offset=64 (local.get $out)
      (f64x2.add
        (f64x2.add (v128.load offset=64 (local.get $acc)) (v128.load offset=320 (local.get $acc)))
        (f64x2.add (v128.load offset=192 (local.get $acc)) (v128.load offset=448 (local.get $acc)))))
    (v128.store offset=80 (local.get $out)
      (f64x2.add
        (f64x2.add (v128.load offset=80 (local.get $acc)) (v128.load offset=336 (local.get $acc)))
        (f64x2.add (v128.load offset=208 (local.get $acc)) (v128.load offset=464 (local.get $acc)))))
    (v128.store offset=96 (local.get $out)
      (f64x2.add
        (f64x2.add (v128.load offset=96 (local.get $acc)) (v128.load offset=352 (local.get $acc)))
        (f64x2.add (v128.load offset=224 (local.get $acc)) (v128.load offset=480 (local.get $acc)))))
    (v128.store offset=112 (local.get $out)
      (f64x2.add
        (f64x2.add (v128.load offset=112 (local.get $acc)) (v128.load offset=368 (local.get $acc)))
        (f64x2.add (v128.load offset=240 (local.get $acc)) (v128.load offset=496 (local.get $acc)))))
    (if (i32.ne (local.get $last) (i32.const 0))
      (then
        (local.set $i (i32.sub (local.get $n) (i32.const 1)))
        (local.set $p (i32.add (local.get $qt) (i32.shl (i32.add (i32.mul (i32.and (local.get $i) (i32.const 3)) (local.get $q4))
          (i32.shr_u (local.get $i) (i32.const 2))) (i32.const 7))))
        (local.set $gv (f64x2.splat (f64.convert_i32_u (local.get $last))))
        (v128.store offset=0 (local.get $out) (f64x2.add (v128.load offset=0 (local.get $out)) (f64x2.mul (v128.load offset=0 (local.get $p)) (local.get $gv))))
        (v128.store offset=16 (local.get $out) (f64x2.add (v128.load offset=16 (local.get $out)) (f64x2.mul (v128.load offset=16 (local.get $p)) (local.get $gv))))
        (v128.store offset=32 (local.get $out) (f64x2.add (v128.load offset=32 (local.get $out)) (f64x2.mul (v128.load offset=32 (local.get $p)) (local.get $gv))))
        (v128.store offset=48 (local.get $out) (f64x2.add (v128.load offset=48 (local.get $out)) (f64x2.mul (v128.load offset=48 (local.get $p)) (local.get $gv))))
        (v128.store offset=64 (local.get $out) (f64x2.add (v128.load offset=64 (local.get $out)) (f64x2.mul (v128.load offset=64 (local.get $p)) (local.get $gv))))
        (v128.store offset=80 (local.get $out) (f64x2.add (v128.load offset=80 (local.get $out)) (f64x2.mul (v128.load offset=80 (local.get $p)) (local.get $gv))))
        (v128.store offset=96 (local.get $out) (f64x2.add (v128.load offset=96 (local.get $out)) (f64x2.mul (v128.load offset=96 (local.get $p)) (local.get $gv))))
        (v128.store offset=112 (local.get $out) (f64x2.add (v128.load offset=112 (local.get $out)) (f64x2.mul (v128.load offset=112 (local.get $p)) (local.get $gv)))))))

;; gd(d, idx, n, g, miss, cnt): gc for dosages (f64, NaN = missing) copied into this memory: g[i] =
;; d[idx[i]], or 0 and i listed in miss when NaN; the sum and sum of squares of the present values
;; in increasing i (the JavaScript gather's order and operations, so the same doubles) as f64 at
;; cnt + 32 and cnt + 40, the number missing as i32 at cnt + 8.
  (func $gd (export "gd")
    (param $d i32) (param $idx i32) (param $n i32) (param $g i32) (param $miss i32) (param $cnt i32)
    (local $i i32) (local $v f64) (local $s f64) (local $ss f64) (local $nm i32) (local $gp i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $v (f64.load (i32.add (local.get $d)
          (i32.shl (i32.load (i32.add (local.get $idx) (i32.shl (local.get $i) (i32.const 2)))) (i32.const 3)))))
        (local.set $gp (i32.add (local.get $g) (i32.shl (local.get $i) (i32.const 3))))
        (if (f64.ne (local.get $v) (local.get $v))
          (then
            (i32.store (i32.add (local.get $miss) (i32.shl (local.get $nm) (i32.const 2))) (local.get $i))
            (local.set $nm (i32.add (local.get $nm) (i32.const 1)))
            (f64.store (local.get $gp) (f64.const 0)))
          (else
            (f64.store (local.get $gp) (local.get $v))
            (local.set $s (f64.add (local.get $s) (local.get $v)))
            (local.set $ss (f64.add (local.get $ss) (f64.mul (local.get $v) (local.get $v))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (f64.store offset=32 (local.get $cnt) (local.get $s))
    (f64.store offset=40 (local.get $cnt) (local.get $ss))
    (i32.store offset=8 (local.get $cnt) (local.get $nm)))

;; cs(d, idx, n, qt, lists, lcap, acc, out, miss, cnt, vals): cpf for a dosage row copied into this
;; memory (f64, NaN = missing; docs/decisions/0202): the products from the samples whose dosage is
;; not 0 (an exact 0 adds +-0: nothing, as in cpf), the same bits as gd then mv. Pass 1 also sums
;; the present dosages and their squares in increasing i (gd's order: the 0s skipped in pass 2 add
;; +0 here) into cnt + 32 and + 40 (f64), the number missing at cnt + 8; list entries are 4 (i div 4)
;; with the dosage at the same place of a value list (vals + 2 lcap j, 8 bytes an entry).
  (func $cs (export "cs")
    (param $d i32) (param $idx i32) (param $n i32) (param $qt i32) (param $lists i32) (param $lcap i32)
    (param $acc i32) (param $out i32) (param $miss i32) (param $cnt i32) (param $vals i32)
    (local $i i32) (local $ip i32) (local $v f64) (local $s f64) (local $ss f64) (local $nm i32)
    (local $end4 i32) (local $last f64) (local $j i32) (local $e i32) (local $lend i32) (local $p i32)
    (local $l0 i32) (local $l1 i32) (local $l2 i32) (local $l3 i32)
    (local $k0 i32) (local $k1 i32) (local $k2 i32) (local $k3 i32)
    (local $q4 i32) (local $qj i32) (local $vj i32)
    (local $gv v128)
    (local $A0 v128) (local $A1 v128) (local $A2 v128) (local $A3 v128)
    (local $A4 v128) (local $A5 v128) (local $A6 v128) (local $A7 v128)
    (local.set $l0 (local.get $lists))
    (local.set $l1 (i32.add (local.get $l0) (local.get $lcap)))
    (local.set $l2 (i32.add (local.get $l1) (local.get $lcap)))
    (local.set $l3 (i32.add (local.get $l2) (local.get $lcap)))
    (local.set $end4 (i32.and (local.get $n) (i32.const -4)))
    (local.set $q4 (i32.shr_u (i32.add (local.get $n) (i32.const 3)) (i32.const 2)))
    ;; ---- Pass 1: four samples a step, one per class ----
    (block $quads_done
      (loop $quads
        (br_if $quads_done (i32.ge_u (local.get $i) (local.get $end4)))
        (local.set $ip (i32.add (local.get $idx) (i32.shl (local.get $i) (i32.const 2))))
        (local.set $v (f64.load (i32.add (local.get $d) (i32.shl (i32.load offset=0 (local.get $ip)) (i32.const 3)))))
        (if (f64.ne (local.get $v) (local.get $v))
          (then
            (i32.store (i32.add (local.get $miss) (i32.shl (local.get $nm) (i32.const 2))) (i32.add (local.get $i) (i32.const 0)))
            (local.set $nm (i32.add (local.get $nm) (i32.const 1)))
            (local.set $v (f64.const 0))))
        (i32.store (i32.add (local.get $l0) (local.get $k0)) (local.get $i))
        (f64.store (i32.add (i32.add (local.get $vals) (i32.shl (i32.mul (i32.const 0) (local.get $lcap)) (i32.const 1))) (i32.shl (local.get $k0) (i32.const 1))) (local.get $v))
        (local.set $k0 (i32.add (local.get $k0) (i32.shl (f64.ne (local.get $v) (f64.const 0)) (i32.const 2))))
        (local.set $s (f64.add (local.get $s) (local.get $v)))
        (local.set $ss (f64.add (local.get $ss) (f64.mul (local.get $v) (local.get $v))))
        (local.set $v (f64.load (i32.add (local.get $d) (i32.shl (i32.load offset=4 (local.get $ip)) (i32.const 3)))))
        (if (f64.ne (local.get $v) (local.get $v))
          (then
            (i32.store (i32.add (local.get $miss) (i32.shl (local.get $nm) (i32.const 2))) (i32.add (local.get $i) (i32.const 1)))
            (local.set $nm (i32.add (local.get $nm) (i32.const 1)))
            (local.set $v (f64.const 0))))
        (i32.store (i32.add (local.get $l1) (local.get $k1)) (local.get $i))
        (f64.store (i32.add (i32.add (local.get $vals) (i32.shl (i32.mul (i32.const 1) (local.get $lcap)) (i32.const 1))) (i32.shl (local.get $k1) (i32.const 1))) (local.get $v))
        (local.set $k1 (i32.add (local.get $k1) (i32.shl (f64.ne (local.get $v) (f64.const 0)) (i32.const 2))))
        (local.set $s (f64.add (local.get $s) (local.get $v)))
        (local.set $ss (f64.add (local.get $ss) (f64.mul (local.get $v) (local.get $v))))
        (local.set $v (f64.load (i32.add (local.get $d) (i32.shl (i32.load offset=8 (local.get $ip)) (i32.const 3)))))
        (if (f64.ne (local.get $v) (local.get $v))
          (then
            (i32.store (i32.add (local.get $miss) (i32.shl (local.get $nm) (i32.const 2))) (i32.add (local.get $i) (i32.const 2)))
            (local.set $nm (i32.add (local.get $nm) (i32.const 1)))
            (local.set $v (f64.const 0))))
        (i32.store (i32.add (local.get $l2) (local.get $k2)) (local.get $i))
        (f64.store (i32.add (i32.add (local.get $vals) (i32.shl (i32.mul (i32.const 2) (local.get $lcap)) (i32.const 1))) (i32.shl (local.get $k2) (i32.const 1))) (local.get $v))
        (local.set $k2 (i32.add (local.get $k2) (i32.shl (f64.ne (local.get $v) (f64.const 0)) (i32.const 2))))
        (local.set $s (f64.add (local.get $s) (local.get $v)))
        (local.set $ss (f64.add (local.get $ss) (f64.mul (local.get $v) (local.get $v))))
        (local.set $v (f64.load (i32.add (local.get $d) (i32.shl (i32.load offset=12 (local.get $ip)) (i32.const 3)))))
        (if (f64.ne (local.get $v) (local.get $v))
          (then
            (i32.store (i32.add (local.get $miss) (i32.shl (local.get $nm) (i32.const 2))) (i32.add (local.get $i) (i32.const 3)))
            (local.set $nm (i32.add (local.get $nm) (i32.const 1)))
            (local.set $v (f64.const 0))))
        (i32.store (i32.add (local.get $l3) (local.get $k3)) (local.get $i))
        (f64.store (i32.add (i32.add (local.get $vals) (i32.shl (i32.mul (i32.const 3) (local.get $lcap)) (i32.const 1))) (i32.shl (local.get $k3) (i32.const 1))) (local.get $v))
        (local.set $k3 (i32.add (local.get $k3) (i32.shl (f64.ne (local.get $v) (f64.const 0)) (i32.const 2))))
        (local.set $s (f64.add (local.get $s) (local.get $v)))
        (local.set $ss (f64.add (local.get $ss) (f64.mul (local.get $v) (local.get $v))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $quads)))
    (local.set $ip (i32.add (local.get $idx) (i32.shl (local.get $i) (i32.const 2))))
    (if (i32.le_u (i32.add (local.get $i) (i32.const 2)) (local.get $n))
      (then
        (local.set $v (f64.load (i32.add (local.get $d) (i32.shl (i32.load offset=0 (local.get $ip)) (i32.const 3)))))
        (if (f64.ne (local.get $v) (local.get $v))
          (then
            (i32.store (i32.add (local.get $miss) (i32.shl (local.get $nm) (i32.const 2))) (i32.add (local.get $i) (i32.const 0)))
            (local.set $nm (i32.add (local.get $nm) (i32.const 1)))
            (local.set $v (f64.const 0))))
        (i32.store (i32.add (local.get $l0) (local.get $k0)) (local.get $i))
        (f64.store (i32.add (i32.add (local.get $vals) (i32.shl (i32.mul (i32.const 0) (local.get $lcap)) (i32.const 1))) (i32.shl (local.get $k0) (i32.const 1))) (local.get $v))
        (local.set $k0 (i32.add (local.get $k0) (i32.shl (f64.ne (local.get $v) (f64.const 0)) (i32.const 2))))
        (local.set $s (f64.add (local.get $s) (local.get $v)))
        (local.set $ss (f64.add (local.get $ss) (f64.mul (local.get $v) (local.get $v))))
        (local.set $v (f64.load (i32.add (local.get $d) (i32.shl (i32.load offset=4 (local.get $ip)) (i32.const 3)))))
        (if (f64.ne (local.get $v) (local.get $v))
          (then
            (i32.store (i32.add (local.get $miss) (i32.shl (local.get $nm) (i32.const 2))) (i32.add (local.get $i) (i32.const 1)))
            (local.set $nm (i32.add (local.get $nm) (i32.const 1)))
            (local.set $v (f64.const 0))))
        (i32.store (i32.add (local.get $l1) (local.get $k1)) (local.get $i))
        (f64.store (i32.add (i32.add (local.get $vals) (i32.shl (i32.mul (i32.const 1) (local.get $lcap)) (i32.const 1))) (i32.shl (local.get $k1) (i32.const 1))) (local.get $v))
        (local.set $k1 (i32.add (local.get $k1) (i32.shl (f64.ne (local.get $v) (f64.const 0)) (i32.const 2))))
        (local.set $s (f64.add (local.get $s) (local.get $v)))
        (local.set $ss (f64.add (local.get $ss) (f64.mul (local.get $v) (local.get $v))))
        (local.set $i (i32.add (local.get $i) (i32.const 2)))
        (local.set $ip (i32.add (local.get $ip) (i32.const 8)))))
    (if (i32.lt_u (local.get $i) (local.get $n))
      (then
        (local.set $v (f64.load (i32.add (local.get $d) (i32.shl (i32.load (local.get $ip)) (i32.const 3)))))
        (if (f64.ne (local.get $v) (local.get $v))
          (then
            (i32.store (i32.add (local.get $miss) (i32.shl (local.get $nm) (i32.const 2))) (local.get $i))
            (local.set $nm (i32.add (local.get $nm) (i32.const 1)))
            (local.set $v (f64.const 0))))
        (local.set $last (local.get $v))
        (local.set $s (f64.add (local.get $s) (local.get $v)))
        (local.set $ss (f64.add (local.get $ss) (f64.mul (local.get $v) (local.get $v))))))
    (f64.store offset=32 (local.get $cnt) (local.get $s))
    (f64.store offset=40 (local.get $cnt) (local.get $ss))
    (i32.store offset=8 (local.get $cnt) (local.get $nm))
    (i32.store offset=16 (local.get $cnt) (local.get $k0))
    (i32.store offset=20 (local.get $cnt) (local.get $k1))
    (i32.store offset=24 (local.get $cnt) (local.get $k2))
    (i32.store offset=28 (local.get $cnt) (local.get $k3))
    ;; ---- Pass 2: per class, its non-zero samples in increasing i ----
    (local.set $j (i32.const 0))
    (loop $classes
      (local.set $e (i32.add (local.get $lists) (i32.mul (local.get $j) (local.get $lcap))))
      (local.set $vj (i32.sub (i32.add (local.get $vals) (i32.shl (i32.mul (local.get $j) (local.get $lcap)) (i32.const 1))) (i32.shl (local.get $e) (i32.const 1))))
      (local.set $qj (i32.add (local.get $qt) (i32.shl (i32.mul (local.get $j) (local.get $q4)) (i32.const 7))))
      (local.set $lend (i32.add (local.get $e) (i32.load offset=16 (i32.add (local.get $cnt) (i32.shl (local.get $j) (i32.const 2))))))
      (local.set $A0 (v128.const i64x2 0 0)) (local.set $A1 (v128.const i64x2 0 0)) (local.set $A2 (v128.const i64x2 0 0)) (local.set $A3 (v128.const i64x2 0 0)) (local.set $A4 (v128.const i64x2 0 0)) (local.set $A5 (v128.const i64x2 0 0)) (local.set $A6 (v128.const i64x2 0 0)) (local.set $A7 (v128.const i64x2 0 0))
      (block $samples_done
        (loop $samples
          (br_if $samples_done (i32.ge_u (local.get $e) (local.get $lend)))
          (local.set $p (i32.add (local.get $qj) (i32.shl (i32.load (local.get $e)) (i32.const 5))))
          ;; The value list is 8 bytes an entry where the entry list is 4: at vj + 2 e.
          (local.set $gv (f64x2.splat (f64.load (i32.add (local.get $vj) (i32.shl (local.get $e) (i32.const 1))))))
          (local.set $A0 (f64x2.add (local.get $A0) (f64x2.mul (v128.load offset=0 (local.get $p)) (local.get $gv))))
          (local.set $A1 (f64x2.add (local.get $A1) (f64x2.mul (v128.load offset=16 (local.get $p)) (local.get $gv))))
          (local.set $A2 (f64x2.add (local.get $A2) (f64x2.mul (v128.load offset=32 (local.get $p)) (local.get $gv))))
          (local.set $A3 (f64x2.add (local.get $A3) (f64x2.mul (v128.load offset=48 (local.get $p)) (local.get $gv))))
          (local.set $A4 (f64x2.add (local.get $A4) (f64x2.mul (v128.load offset=64 (local.get $p)) (local.get $gv))))
          (local.set $A5 (f64x2.add (local.get $A5) (f64x2.mul (v128.load offset=80 (local.get $p)) (local.get $gv))))
          (local.set $A6 (f64x2.add (local.get $A6) (f64x2.mul (v128.load offset=96 (local.get $p)) (local.get $gv))))
          (local.set $A7 (f64x2.add (local.get $A7) (f64x2.mul (v128.load offset=112 (local.get $p)) (local.get $gv))))
          (local.set $e (i32.add (local.get $e) (i32.const 4)))
          (br $samples)))
      (local.set $p (i32.add (local.get $acc) (i32.shl (local.get $j) (i32.const 7))))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (v128.store offset=0 (local.get $p) (local.get $A0))
      (v128.store offset=16 (local.get $p) (local.get $A1))
      (v128.store offset=32 (local.get $p) (local.get $A2))
      (v128.store offset=48 (local.get $p) (local.get $A3))
      (v128.store offset=64 (local.get $p) (local.get $A4))
      (v128.store offset=80 (local.get $p) (local.get $A5))
      (v128.store offset=96 (local.get $p) (local.get $A6))
      (v128.store offset=112 (local.get $p) (local.get $A7))
      (br_if $classes (i32.lt_u (local.get $j) (i32.const 4))))
    ;; ---- (c0 + c2) + (c1 + c3), lane by lane, then the last sample when n is odd ----
    (v128.store offset=0 (local.get $out)
      (f64x2.add
        (f64x2.add (v128.load offset=0 (local.get $acc)) (v128.load offset=256 (local.get $acc)))
        (f64x2.add (v128.load offset=128 (local.get $acc)) (v128.load offset=384 (local.get $acc)))))
    (v128.store offset=16 (local.get $out)
      (f64x2.add
        (f64x2.add (v128.load offset=16 (local.get $acc)) (v128.load offset=272 (local.get $acc)))
        (f64x2.add (v128.load offset=144 (local.get $acc)) (v128.load offset=400 (local.get $acc)))))
    (v128.store offset=32 (local.get $out)
      (f64x2.add
        (f64x2.add (v128.load offset=32 (local.get $acc)) (v128.load offset=288 (local.get $acc)))
        (f64x2.add (v128.load offset=160 (local.get $acc)) (v128.load offset=416 (local.get $acc)))))
    (v128.store offset=48 (local.get $out)
      (f64x2.add
        (f64x2.add (v128.load offset=48 (local.get $acc)) (v128.load offset=304 (local.get $acc)))
        (f64x2.add (v128.load offset=176 (local.get $acc)) (v128.load offset=432 (local.get $acc)))))
    (v128.store offset=64 (local.get $out)
      (f64x2.add
        (f64x2.add (v128.load offset=64 (local.get $acc)) (v128.load offset=320 (local.get $acc)))
        (f64x2.add (v128.load offset=192 (local.get $acc)) (v128.load offset=448 (local.get $acc)))))
    (v128.store offset=80 (local.get $out)
      (f64x2.add
        (f64x2.add (v128.load offset=80 (local.get $acc)) (v128.load offset=336 (local.get $acc)))
        (f64x2.add (v128.load offset=208 (local.get $acc)) (v128.load offset=464 (local.get $acc)))))
    (v128.store offset=96 (local.get $out)
      (f64x2.add
        (f64x2.add (v128.load offset=96 (local.get $acc)) (v128.load offset=352 (local.get $acc)))
        (f64x2.add (v128.load offset=224 (local.get $acc)) (v128.load offset=480 (local.get $acc)))))
    (v128.store offset=112 (local.get $out)
      (f64x2.add
        (f64x2.add (v128.load offset=112 (local.get $acc)) (v128.load offset=368 (local.get $acc)))
        (f64x2.add (v128.load offset=240 (local.get $acc)) (v128.load offset=496 (local.get $acc)))))
    (if (f64.ne (local.get $last) (f64.const 0))
      (then
        (local.set $i (i32.sub (local.get $n) (i32.const 1)))
        (local.set $p (i32.add (local.get $qt) (i32.shl (i32.add (i32.mul (i32.and (local.get $i) (i32.const 3)) (local.get $q4))
          (i32.shr_u (local.get $i) (i32.const 2))) (i32.const 7))))
        (local.set $gv (f64x2.splat (local.get $last)))
        (v128.store offset=0 (local.get $out) (f64x2.add (v128.load offset=0 (local.get $out)) (f64x2.mul (v128.load offset=0 (local.get $p)) (local.get $gv))))
        (v128.store offset=16 (local.get $out) (f64x2.add (v128.load offset=16 (local.get $out)) (f64x2.mul (v128.load offset=16 (local.get $p)) (local.get $gv))))
        (v128.store offset=32 (local.get $out) (f64x2.add (v128.load offset=32 (local.get $out)) (f64x2.mul (v128.load offset=32 (local.get $p)) (local.get $gv))))
        (v128.store offset=48 (local.get $out) (f64x2.add (v128.load offset=48 (local.get $out)) (f64x2.mul (v128.load offset=48 (local.get $p)) (local.get $gv))))
        (v128.store offset=64 (local.get $out) (f64x2.add (v128.load offset=64 (local.get $out)) (f64x2.mul (v128.load offset=64 (local.get $p)) (local.get $gv))))
        (v128.store offset=80 (local.get $out) (f64x2.add (v128.load offset=80 (local.get $out)) (f64x2.mul (v128.load offset=80 (local.get $p)) (local.get $gv))))
        (v128.store offset=96 (local.get $out) (f64x2.add (v128.load offset=96 (local.get $out)) (f64x2.mul (v128.load offset=96 (local.get $p)) (local.get $gv))))
        (v128.store offset=112 (local.get $out) (f64x2.add (v128.load offset=112 (local.get $out)) (f64x2.mul (v128.load offset=112 (local.get $p)) (local.get $gv)))))))

;; zc(d, n): the number of exact zeros (+0 or -0) among n doubles at d (16-byte aligned): how sparse
;; a staged dosage row is, for the choice between cs and gd + mv.
  (func $zc (export "zc") (param $d i32) (param $n i32) (result i32)
    (local $p i32) (local $end i32) (local $z i32)
    (local.set $p (local.get $d))
    (local.set $end (i32.add (local.get $d) (i32.shl (i32.and (local.get $n) (i32.const -2)) (i32.const 3))))
    (block $done
      (loop $pairs
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $z (i32.add (local.get $z)
          (i32.popcnt (i64x2.bitmask (f64x2.eq (v128.load (local.get $p)) (v128.const i64x2 0 0))))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $pairs)))
    (if (i32.and (local.get $n) (i32.const 1))
      (then (local.set $z (i32.add (local.get $z) (f64.eq (f64.load (local.get $p)) (f64.const 0))))))
    (local.get $z))
;; cf(c, n, masks): the minor-allele switch of 0202, and the codes' bitmasks for hn, cms and cpf. Among n
;; hard-call codes at c (0/1/2 allele-1 counts, 3 missing) counts the 2s and the 0s; when the 2s
;; are more, rewrites every code x < 3 as 2 - x in place (the kernel then works on the other
;; allele's carriers). Returns 1 when it rewrote them, else 0. At masks, w = ceil(n / 64) i64 words
;; each (bit t of word b: sample 64 b + t; bits past n zero), of the codes as they are after it:
;; the carriers (1 or 2), then at masks + 8 w the 2s, at masks + 16 w the missing (3).
  (func $cf (export "cf") (param $c i32) (param $n i32) (param $masks i32) (result i32)
    (local $p i32) (local $end i32) (local $last i32) (local $d i32) (local $v v128) (local $x i32)
    (local $w8 i32) (local $o i32) (local $sh i64) (local $z i64) (local $t i64) (local $m i64) (local $s i32)
    (local.set $w8 (i32.shl (i32.shr_u (i32.add (local.get $n) (i32.const 63)) (i32.const 6)) (i32.const 3)))
    (local.set $end (i32.add (local.get $c) (i32.and (local.get $n) (i32.const -64))))
    (local.set $last (i32.add (local.get $c) (local.get $n)))
    (local.set $p (local.get $c))
    (local.set $o (local.get $masks))
    ;; The 0s, 2s and 3s of each 64 codes as bits (16 a step); the 0s go where the carriers will.
    (block $done
      (loop $words
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $z (i64.const 0)) (local.set $t (i64.const 0)) (local.set $m (i64.const 0)) (local.set $sh (i64.const 0))
        (loop $quarters
          (local.set $v (v128.load (local.get $p)))
          (local.set $z (i64.or (local.get $z) (i64.shl (i64.extend_i32_u (i8x16.bitmask (i8x16.eq (local.get $v) (v128.const i64x2 0 0)))) (local.get $sh))))
          (local.set $t (i64.or (local.get $t) (i64.shl (i64.extend_i32_u (i8x16.bitmask (i8x16.eq (local.get $v) (v128.const i8x16 2 2 2 2 2 2 2 2 2 2 2 2 2 2 2 2)))) (local.get $sh))))
          (local.set $m (i64.or (local.get $m) (i64.shl (i64.extend_i32_u (i8x16.bitmask (i8x16.eq (local.get $v) (v128.const i8x16 3 3 3 3 3 3 3 3 3 3 3 3 3 3 3 3)))) (local.get $sh))))
          (local.set $p (i32.add (local.get $p) (i32.const 16)))
          (local.set $sh (i64.add (local.get $sh) (i64.const 16)))
          (br_if $quarters (i64.lt_u (local.get $sh) (i64.const 64))))
        (local.set $d (i32.add (local.get $d) (i32.wrap_i64 (i64.sub (i64.popcnt (local.get $t)) (i64.popcnt (local.get $z))))))
        (i64.store (local.get $o) (local.get $z))
        (i64.store (i32.add (local.get $o) (local.get $w8)) (local.get $t))
        (i64.store (i32.add (local.get $o) (i32.shl (local.get $w8) (i32.const 1))) (local.get $m))
        (local.set $o (i32.add (local.get $o) (i32.const 8)))
        (br $words)))
    ;; The last n mod 64 codes one by one.
    (if (i32.and (local.get $n) (i32.const 63))
      (then
        (local.set $z (i64.const 0)) (local.set $t (i64.const 0)) (local.set $m (i64.const 0))
        (block $tail_done
          (loop $tail
            (br_if $tail_done (i32.ge_u (local.get $p) (local.get $last)))
            (local.set $x (i32.load8_u (local.get $p)))
            (local.set $sh (i64.shl (i64.const 1) (i64.extend_i32_u (local.get $s))))
            (if (i32.eqz (local.get $x)) (then (local.set $z (i64.or (local.get $z) (local.get $sh)))))
            (if (i32.eq (local.get $x) (i32.const 2)) (then (local.set $t (i64.or (local.get $t) (local.get $sh)))))
            (if (i32.eq (local.get $x) (i32.const 3)) (then (local.set $m (i64.or (local.get $m) (local.get $sh)))))
            (local.set $s (i32.add (local.get $s) (i32.const 1)))
            (local.set $p (i32.add (local.get $p) (i32.const 1)))
            (br $tail)))
        (local.set $d (i32.add (local.get $d) (i32.wrap_i64 (i64.sub (i64.popcnt (local.get $t)) (i64.popcnt (local.get $z))))))
        (i64.store (local.get $o) (local.get $z))
        (i64.store (i32.add (local.get $o) (local.get $w8)) (local.get $t))
        (i64.store (i32.add (local.get $o) (i32.shl (local.get $w8) (i32.const 1))) (local.get $m))))
    (if (i32.gt_s (local.get $d) (i32.const 0))
      (then
        ;; x < 3 -> 2 - x; 3 (missing) stays.
        (local.set $end (i32.add (local.get $c) (i32.and (local.get $n) (i32.const -16))))
        (local.set $p (local.get $c))
        (block $flipped
          (loop $flip
            (br_if $flipped (i32.ge_u (local.get $p) (local.get $end)))
            (local.set $v (v128.load (local.get $p)))
            (v128.store (local.get $p) (v128.bitselect (local.get $v)
              (i8x16.sub (v128.const i8x16 2 2 2 2 2 2 2 2 2 2 2 2 2 2 2 2) (local.get $v))
              (i8x16.eq (local.get $v) (v128.const i8x16 3 3 3 3 3 3 3 3 3 3 3 3 3 3 3 3))))
            (local.set $p (i32.add (local.get $p) (i32.const 16)))
            (br $flip)))
        (block $tail2_done
          (loop $tail2
            (br_if $tail2_done (i32.ge_u (local.get $p) (local.get $last)))
            (local.set $x (i32.load8_u (local.get $p)))
            (if (i32.lt_u (local.get $x) (i32.const 3)) (then (i32.store8 (local.get $p) (i32.sub (i32.const 2) (local.get $x)))))
            (local.set $p (i32.add (local.get $p) (i32.const 1)))
            (br $tail2)))))
    ;; Word by word: carriers = neither 0 nor 3 (flipped: the 2s are the new 0s and the 0s the new
    ;; 2s), bits past n cleared.
    (local.set $o (local.get $masks))
    (local.set $end (i32.add (local.get $masks) (local.get $w8)))
    (block $masks_done
      (loop $mask
        (br_if $masks_done (i32.ge_u (local.get $o) (local.get $end)))
        (local.set $z (i64.load (local.get $o)))
        (local.set $t (i64.load (i32.add (local.get $o) (local.get $w8))))
        (if (i32.gt_s (local.get $d) (i32.const 0))
          (then
            (i64.store (i32.add (local.get $o) (local.get $w8)) (local.get $z))
            (local.set $z (local.get $t))))
        (i64.store (local.get $o) (i64.xor (i64.or (local.get $z) (i64.load (i32.add (local.get $o) (i32.shl (local.get $w8) (i32.const 1))))) (i64.const -1)))
        (local.set $o (i32.add (local.get $o) (i32.const 8)))
        (br $mask)))
    (if (i32.and (local.get $n) (i32.const 63))
      (then
        (local.set $o (i32.sub (local.get $end) (i32.const 8)))
        (i64.store (local.get $o) (i64.and (i64.load (local.get $o))
          (i64.sub (i64.shl (i64.const 1) (i64.extend_i32_u (i32.and (local.get $n) (i32.const 63)))) (i64.const 1))))))
    (i32.gt_s (local.get $d) (i32.const 0)))
)
