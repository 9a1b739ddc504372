;; plink2's single-precision Hessian sums for the float emulation of its logistic iteration
;; (src/stats/logistic-f32.ts, whose JavaScript loops are the twin: same bits). plink2 sums over
;; 4-lane float vectors, sample i in lane i mod 4, each step a fused multiply-add fl(x t + s): here
;; x t is exact in f64 and the f64 sum is rounded to f32 (as Math.fround(x * t + s) does in the
;; twin). Why: docs/decisions/0220-float-decision.md. Offsets and lengths are in bytes.
(module
  (import "e" "m" (memory 1))

  ;; out = X b as reference BLAS sgemv 'N' forms it: column by column, out += b_j x_j, rounded at
  ;; every multiply and add (b: k f32 at $b; columns ld bytes apart; nvb bytes of samples).
  (func (export "eta") (param $x i32) (param $ldb i32) (param $b i32) (param $k i32) (param $out i32) (param $nvb i32)
    (local $j i32) (local $i i32) (local $bj v128)
    (local.set $i (i32.const 0))
    (block $z (loop $zero
      (br_if $z (i32.ge_u (local.get $i) (local.get $nvb)))
      (v128.store (i32.add (local.get $out) (local.get $i)) (v128.const i32x4 0 0 0 0))
      (local.set $i (i32.add (local.get $i) (i32.const 16)))
      (br $zero)))
    (block $done
      (loop $cols
        (br_if $done (i32.ge_u (local.get $j) (local.get $k)))
        (local.set $bj (f32x4.splat (f32.load (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))))))
        (local.set $i (i32.const 0))
        (block $end
          (loop $rows
            (br_if $end (i32.ge_u (local.get $i) (local.get $nvb)))
            (v128.store (i32.add (local.get $out) (local.get $i))
              (f32x4.add (v128.load (i32.add (local.get $out) (local.get $i)))
                         (f32x4.mul (local.get $bj) (v128.load (i32.add (local.get $x) (local.get $i))))))
            (local.set $i (i32.add (local.get $i) (i32.const 16)))
            (br $rows)))
        (local.set $x (i32.add (local.get $x) (local.get $ldb)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $cols))))

  ;; ((s0 + s1) + s2) + s3 in f32 of lanes 0, 1 (lo) and 2, 3 (hi)
  (func $hsum (param $lo v128) (param $hi v128) (result f32)
    (f32.add
      (f32.add
        (f32.add
          (f32.demote_f64 (f64x2.extract_lane 0 (local.get $lo)))
          (f32.demote_f64 (f64x2.extract_lane 1 (local.get $lo))))
        (f32.demote_f64 (f64x2.extract_lane 0 (local.get $hi))))
      (f32.demote_f64 (f64x2.extract_lane 1 (local.get $hi)))))

  ;; plink2's LogisticSse then ComputeVAndPMinusYF for nb bytes of samples: p = 1 / (1 + e^-eta)
  ;; with fmath's exp (x = -eta clamped to +-88; r = round-half-even(fl(x 1024/ln2)); t = fl(fma(-r,
  ;; ln2/1024, x)) + 1; 2^(r/1024) from the mantissa table at $tab and the exponent (r + 127 1024) >> 10;
  ;; p = 1 / fma(t, 2^(r/1024), 1)), v = fl(fl(1 - p) p), pr = fl(p - y). Fused steps as f64
  ;; arithmetic rounded once to f32, as the twin's Math.fround.
  (func (export "sig") (param $eta i32) (param $y i32) (param $pr i32) (param $v i32) (param $nb i32) (param $tab i32)
    (local $i i32) (local $x f32) (local $r i32) (local $t f32) (local $p f32)
    (block $end
      (loop $samples
        (br_if $end (i32.ge_u (local.get $i) (local.get $nb)))
        (local.set $x (f32.neg (f32.load (i32.add (local.get $eta) (local.get $i)))))
        (if (f32.gt (local.get $x) (f32.const 88)) (then (local.set $x (f32.const 88)))
          (else (if (f32.lt (local.get $x) (f32.const -88)) (then (local.set $x (f32.const -88))))))
        (local.set $r (i32.trunc_f32_s (f32.nearest (f32.mul (local.get $x) (f32.reinterpret_i32 (i32.const 0x44b8aa3b))))))
        (local.set $t (f32.add
          (f32.demote_f64 (f64.sub (f64.promote_f32 (local.get $x))
            (f64.mul (f64.convert_i32_s (local.get $r)) (f64.promote_f32 (f32.reinterpret_i32 (i32.const 0x3a317218))))))
          (f32.const 1)))
        (local.set $p (f32.div (f32.const 1)
          (f32.demote_f64 (f64.add
            (f64.mul (f64.promote_f32 (local.get $t))
              (f64.promote_f32 (f32.reinterpret_i32 (i32.or
                (i32.load (i32.add (local.get $tab) (i32.shl (i32.and (local.get $r) (i32.const 0x3ff)) (i32.const 2))))
                (i32.shl (i32.shr_u (i32.add (local.get $r) (i32.const 0x1fc00)) (i32.const 10)) (i32.const 23))))))
            (f64.const 1)))))
        (f32.store (i32.add (local.get $v) (local.get $i)) (f32.mul (f32.sub (f32.const 1) (local.get $p)) (local.get $p)))
        (f32.store (i32.add (local.get $pr) (local.get $i)) (f32.sub (local.get $p) (f32.load (i32.add (local.get $y) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $samples))))


  ;; The Hessian's sums from f64 copies of the f32 operands (each f32 exact in f64): xd (prom) and
  ;; td (tmuld), sample i of a column at byte 8 i, columns $ld bytes apart, $nb bytes of samples (a
  ;; multiple of 32). The same lane sums as the twin (F32Logistic.lanes: same bits) without per-step
  ;; promotions and shuffles of their f32 inputs.

  ;; xd[j][i] = x[j][i] for k columns (x: f32, ldb bytes apart; xd: 2 ldb apart), nvb bytes of f32.
  (func (export "prom") (param $x i32) (param $xd i32) (param $ldb i32) (param $k i32) (param $nvb i32)
    (local $j i32) (local $i i32) (local $v v128)
    (block $done
      (loop $cols
        (br_if $done (i32.ge_u (local.get $j) (local.get $k)))
        (local.set $i (i32.const 0))
        (block $end
          (loop $rows
            (br_if $end (i32.ge_u (local.get $i) (local.get $nvb)))
            (local.set $v (v128.load (i32.add (local.get $x) (local.get $i))))
            (v128.store (i32.add (local.get $xd) (i32.shl (local.get $i) (i32.const 1))) (f64x2.promote_low_f32x4 (local.get $v)))
            (v128.store offset=16 (i32.add (local.get $xd) (i32.shl (local.get $i) (i32.const 1)))
              (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v))))
            (local.set $i (i32.add (local.get $i) (i32.const 16)))
            (br $rows)))
        (local.set $x (i32.add (local.get $x) (local.get $ldb)))
        (local.set $xd (i32.add (local.get $xd) (i32.shl (local.get $ldb) (i32.const 1))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $cols))))

  ;; td[j][i] = fl(x[j][i] v[i]) as f64 ($tmul's product; x and v f32, td as xd of $prom).
  (func (export "tmuld") (param $x i32) (param $td i32) (param $v i32) (param $nvb i32) (param $ldb i32) (param $k i32)
    (local $j i32) (local $i i32) (local $p v128)
    (block $done
      (loop $cols
        (br_if $done (i32.ge_u (local.get $j) (local.get $k)))
        (local.set $i (i32.const 0))
        (block $end
          (loop $rows
            (br_if $end (i32.ge_u (local.get $i) (local.get $nvb)))
            (local.set $p (f32x4.mul (v128.load (i32.add (local.get $x) (local.get $i)))
                                     (v128.load (i32.add (local.get $v) (local.get $i)))))
            (v128.store (i32.add (local.get $td) (i32.shl (local.get $i) (i32.const 1))) (f64x2.promote_low_f32x4 (local.get $p)))
            (v128.store offset=16 (i32.add (local.get $td) (i32.shl (local.get $i) (i32.const 1)))
              (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $p) (local.get $p))))
            (local.set $i (i32.add (local.get $i) (i32.const 16)))
            (br $rows)))
        (local.set $x (i32.add (local.get $x) (local.get $ldb)))
        (local.set $td (i32.add (local.get $td) (i32.shl (local.get $ldb) (i32.const 1))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $cols))))

  ;; One entry: lanes (0, 1) and (2, 3) of x_a t_b summed with a rounding to f32 at every step, then $hsum.
  (func $d1 (param $xa i32) (param $tb i32) (param $nb i32) (result f32)
    (local $i i32) (local $lo v128) (local $hi v128)
    (block $end
      (loop $blocks
        (br_if $end (i32.ge_u (local.get $i) (local.get $nb)))
        (local.set $lo (f64x2.promote_low_f32x4 (f32x4.demote_f64x2_zero (f64x2.add
          (f64x2.mul (v128.load (i32.add (local.get $xa) (local.get $i))) (v128.load (i32.add (local.get $tb) (local.get $i))))
          (local.get $lo)))))
        (local.set $hi (f64x2.promote_low_f32x4 (f32x4.demote_f64x2_zero (f64x2.add
          (f64x2.mul (v128.load offset=16 (i32.add (local.get $xa) (local.get $i))) (v128.load offset=16 (i32.add (local.get $tb) (local.get $i))))
          (local.get $hi)))))
        (local.set $i (i32.add (local.get $i) (i32.const 32)))
        (br $blocks)))
    (call $hsum (local.get $lo) (local.get $hi)))

  ;; Four entries at once ($d1's sums, eight independent chains: one chain is latency-bound), each
  ;; given by the plan's (x offset, t offset, h offset) at $e, $e + 12, $e + 24, $e + 36.
  (func $d4 (param $xd i32) (param $td i32) (param $e i32) (param $nb i32) (param $h i32)
    (local $i i32) (local $x0 i32) (local $x1 i32) (local $x2 i32) (local $x3 i32)
    (local $t0 i32) (local $t1 i32) (local $t2 i32) (local $t3 i32)
    (local $l0 v128) (local $h0 v128) (local $l1 v128) (local $h1 v128) (local $l2 v128) (local $h2 v128) (local $l3 v128) (local $h3 v128)
    (local.set $x0 (i32.add (local.get $xd) (i32.load (local.get $e))))
    (local.set $t0 (i32.add (local.get $td) (i32.load offset=4 (local.get $e))))
    (local.set $x1 (i32.add (local.get $xd) (i32.load offset=12 (local.get $e))))
    (local.set $t1 (i32.add (local.get $td) (i32.load offset=16 (local.get $e))))
    (local.set $x2 (i32.add (local.get $xd) (i32.load offset=24 (local.get $e))))
    (local.set $t2 (i32.add (local.get $td) (i32.load offset=28 (local.get $e))))
    (local.set $x3 (i32.add (local.get $xd) (i32.load offset=36 (local.get $e))))
    (local.set $t3 (i32.add (local.get $td) (i32.load offset=40 (local.get $e))))
    (block $end
      (loop $blocks
        (br_if $end (i32.ge_u (local.get $i) (local.get $nb)))
        (local.set $l0 (f64x2.promote_low_f32x4 (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (v128.load (i32.add (local.get $x0) (local.get $i))) (v128.load (i32.add (local.get $t0) (local.get $i)))) (local.get $l0)))))
        (local.set $h0 (f64x2.promote_low_f32x4 (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (v128.load offset=16 (i32.add (local.get $x0) (local.get $i))) (v128.load offset=16 (i32.add (local.get $t0) (local.get $i)))) (local.get $h0)))))
        (local.set $l1 (f64x2.promote_low_f32x4 (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (v128.load (i32.add (local.get $x1) (local.get $i))) (v128.load (i32.add (local.get $t1) (local.get $i)))) (local.get $l1)))))
        (local.set $h1 (f64x2.promote_low_f32x4 (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (v128.load offset=16 (i32.add (local.get $x1) (local.get $i))) (v128.load offset=16 (i32.add (local.get $t1) (local.get $i)))) (local.get $h1)))))
        (local.set $l2 (f64x2.promote_low_f32x4 (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (v128.load (i32.add (local.get $x2) (local.get $i))) (v128.load (i32.add (local.get $t2) (local.get $i)))) (local.get $l2)))))
        (local.set $h2 (f64x2.promote_low_f32x4 (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (v128.load offset=16 (i32.add (local.get $x2) (local.get $i))) (v128.load offset=16 (i32.add (local.get $t2) (local.get $i)))) (local.get $h2)))))
        (local.set $l3 (f64x2.promote_low_f32x4 (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (v128.load (i32.add (local.get $x3) (local.get $i))) (v128.load (i32.add (local.get $t3) (local.get $i)))) (local.get $l3)))))
        (local.set $h3 (f64x2.promote_low_f32x4 (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (v128.load offset=16 (i32.add (local.get $x3) (local.get $i))) (v128.load offset=16 (i32.add (local.get $t3) (local.get $i)))) (local.get $h3)))))
        (local.set $i (i32.add (local.get $i) (i32.const 32)))
        (br $blocks)))
    (f32.store (i32.add (local.get $h) (i32.load offset=8 (local.get $e))) (call $hsum (local.get $l0) (local.get $h0)))
    (f32.store (i32.add (local.get $h) (i32.load offset=20 (local.get $e))) (call $hsum (local.get $l1) (local.get $h1)))
    (f32.store (i32.add (local.get $h) (i32.load offset=32 (local.get $e))) (call $hsum (local.get $l2) (local.get $h2)))
    (f32.store (i32.add (local.get $h) (i32.load offset=44 (local.get $e))) (call $hsum (local.get $l3) (local.get $h3))))

  ;; The entries of X'VX (each the sum of x_a t_b in plink2's lanes; which operand is x and which
  ;; t as ComputeHessianF has it) listed by the plan: $cnt of (x offset from $xd, t offset from $td,
  ;; h offset from $h) i32 triples (F32Logistic makes it once per k). One call an iteration.
  (func (export "hess") (param $xd i32) (param $td i32) (param $plan i32) (param $cnt i32) (param $nb i32) (param $h i32)
    (block $quads
      (loop $q
        (br_if $quads (i32.lt_s (local.get $cnt) (i32.const 4)))
        (call $d4 (local.get $xd) (local.get $td) (local.get $plan) (local.get $nb) (local.get $h))
        (local.set $plan (i32.add (local.get $plan) (i32.const 48)))
        (local.set $cnt (i32.sub (local.get $cnt) (i32.const 4)))
        (br $q)))
    (block $done
      (loop $one
        (br_if $done (i32.le_s (local.get $cnt) (i32.const 0)))
        (f32.store (i32.add (local.get $h) (i32.load offset=8 (local.get $plan)))
          (call $d1 (i32.add (local.get $xd) (i32.load (local.get $plan))) (i32.add (local.get $td) (i32.load offset=4 (local.get $plan))) (local.get $nb)))
        (local.set $plan (i32.add (local.get $plan) (i32.const 12)))
        (local.set $cnt (i32.sub (local.get $cnt) (i32.const 1)))
        (br $one))))

  ;; g_j = sum over the n samples of x_j[i] pr[i], in sample order, rounded at every multiply and
  ;; add (reference BLAS sgemv 'T'); k columns ld bytes apart, g: k f32. Four columns at a time (four
  ;; independent chains: one is latency-bound);
  ;; the last 1-3 columns in one more such pass whose spare chains repeat the last column, unstored.
  (func (export "grad4") (param $x i32) (param $ldb i32) (param $pr i32) (param $nb i32) (param $k i32) (param $g i32)
    (local $j i32) (local $i i32) (local $s0 f32) (local $s1 f32) (local $s2 f32) (local $s3 f32) (local $p f32) (local $xi i32)
    (local $x1 i32) (local $x2 i32) (local $x3 i32) (local $r i32)
    (block $done
      (loop $cols
        (br_if $done (i32.ge_u (local.get $j) (local.get $k)))
        ;; chains 1-3 on columns j+1..j+3, or on the last column where those do not exist
        (local.set $r (i32.sub (local.get $k) (local.get $j)))
        (local.set $x1 (select (local.get $ldb) (i32.const 0) (i32.gt_u (local.get $r) (i32.const 1))))
        (local.set $x2 (select (i32.shl (local.get $ldb) (i32.const 1)) (local.get $x1) (i32.gt_u (local.get $r) (i32.const 2))))
        (local.set $x3 (select (i32.mul (local.get $ldb) (i32.const 3)) (local.get $x2) (i32.gt_u (local.get $r) (i32.const 3))))
        (local.set $s0 (f32.const 0)) (local.set $s1 (f32.const 0)) (local.set $s2 (f32.const 0)) (local.set $s3 (f32.const 0))
        (local.set $i (i32.const 0))
        (block $end
          (loop $rows
            (br_if $end (i32.ge_u (local.get $i) (local.get $nb)))
            (local.set $p (f32.load (i32.add (local.get $pr) (local.get $i))))
            (local.set $xi (i32.add (local.get $x) (local.get $i)))
            (local.set $s0 (f32.add (local.get $s0) (f32.mul (f32.load (local.get $xi)) (local.get $p))))
            (local.set $s1 (f32.add (local.get $s1) (f32.mul (f32.load (i32.add (local.get $xi) (local.get $x1))) (local.get $p))))
            (local.set $s2 (f32.add (local.get $s2) (f32.mul (f32.load (i32.add (local.get $xi) (local.get $x2))) (local.get $p))))
            (local.set $s3 (f32.add (local.get $s3) (f32.mul (f32.load (i32.add (local.get $xi) (local.get $x3))) (local.get $p))))
            (local.set $i (i32.add (local.get $i) (i32.const 4)))
            (br $rows)))
        (f32.store (local.get $g) (local.get $s0))
        (if (i32.gt_u (local.get $r) (i32.const 1)) (then (f32.store offset=4 (local.get $g) (local.get $s1))))
        (if (i32.gt_u (local.get $r) (i32.const 2)) (then (f32.store offset=8 (local.get $g) (local.get $s2))))
        (if (i32.gt_u (local.get $r) (i32.const 3)) (then (f32.store offset=12 (local.get $g) (local.get $s3))))
        (local.set $g (i32.add (local.get $g) (i32.const 16)))
        (local.set $x (i32.add (local.get $x) (i32.shl (local.get $ldb) (i32.const 2))))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $cols))))

  ;; F32Logistic.cholesky's twin: l (k x k f32, row-major) from h's lower triangle, fused updates
  ;; (an f64 product of two floats is exact; the f64 difference rounded once to f32), a negative or NaN
  ;; pivot becomes 1e-6, the rows below scaled by fl(1 / pivot).
  (func (export "chol") (param $h i32) (param $l i32) (param $k i32)
    (local $j i32) (local $c i32) (local $i i32) (local $rj i32) (local $ri i32) (local $d f64) (local $e f64) (local $inv f64) (local $lc f64)
    (block $done
      (loop $cols
        (br_if $done (i32.ge_u (local.get $j) (local.get $k)))
        (local.set $rj (i32.add (local.get $l) (i32.shl (i32.mul (local.get $j) (local.get $k)) (i32.const 2))))
        (local.set $d (f64.promote_f32 (f32.load (i32.add (local.get $h) (i32.shl (i32.add (i32.mul (local.get $j) (local.get $k)) (local.get $j)) (i32.const 2))))))
        (local.set $c (i32.const 0))
        (block $e1 (loop $l1
          (br_if $e1 (i32.ge_u (local.get $c) (local.get $j)))
          (local.set $lc (f64.promote_f32 (f32.load (i32.add (local.get $rj) (i32.shl (local.get $c) (i32.const 2))))))
          (local.set $d (f64.promote_f32 (f32.demote_f64 (f64.sub (local.get $d) (f64.mul (local.get $lc) (local.get $lc))))))
          (local.set $c (i32.add (local.get $c) (i32.const 1)))
          (br $l1)))
        (if (f64.ge (local.get $d) (f64.const 0))
          (then (local.set $d (f64.promote_f32 (f32.demote_f64 (f64.sqrt (local.get $d))))))
          (else (local.set $d (f64.promote_f32 (f32.const 1e-6)))))
        (f32.store (i32.add (local.get $rj) (i32.shl (local.get $j) (i32.const 2))) (f32.demote_f64 (local.get $d)))
        (local.set $inv (f64.promote_f32 (f32.demote_f64 (f64.div (f64.const 1) (local.get $d)))))
        (local.set $i (i32.add (local.get $j) (i32.const 1)))
        (block $e2 (loop $l2
          (br_if $e2 (i32.ge_u (local.get $i) (local.get $k)))
          (local.set $ri (i32.add (local.get $l) (i32.shl (i32.mul (local.get $i) (local.get $k)) (i32.const 2))))
          (local.set $e (f64.promote_f32 (f32.load (i32.add (local.get $h) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $k)) (local.get $j)) (i32.const 2))))))
          (local.set $c (i32.const 0))
          (block $e3 (loop $l3
            (br_if $e3 (i32.ge_u (local.get $c) (local.get $j)))
            (local.set $e (f64.promote_f32 (f32.demote_f64 (f64.sub (local.get $e)
              (f64.mul (f64.promote_f32 (f32.load (i32.add (local.get $rj) (i32.shl (local.get $c) (i32.const 2)))))
                       (f64.promote_f32 (f32.load (i32.add (local.get $ri) (i32.shl (local.get $c) (i32.const 2))))))))))
            (local.set $c (i32.add (local.get $c) (i32.const 1)))
            (br $l3)))
          (f32.store (i32.add (local.get $ri) (i32.shl (local.get $j) (i32.const 2))) (f32.demote_f64 (f64.mul (local.get $e) (local.get $inv))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $l2)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $cols))))

  ;; F32Logistic.solve's twin: dc = (L L')^-1 g (f32 each), forward then backward substitution with
  ;; fused updates and a division, each rounded once to f32.
  (func (export "solve") (param $l i32) (param $g i32) (param $dc i32) (param $k i32)
    (local $r i32) (local $c i32) (local $i i32) (local $t f64)
    (block $e1 (loop $fw
      (br_if $e1 (i32.ge_u (local.get $r) (local.get $k)))
      (local.set $t (f64.promote_f32 (f32.load (i32.add (local.get $g) (i32.shl (local.get $r) (i32.const 2))))))
      (local.set $c (i32.const 0))
      (block $e2 (loop $in
        (br_if $e2 (i32.ge_u (local.get $c) (local.get $r)))
        (local.set $t (f64.promote_f32 (f32.demote_f64 (f64.sub (local.get $t)
          (f64.mul (f64.promote_f32 (f32.load (i32.add (local.get $l) (i32.shl (i32.add (i32.mul (local.get $r) (local.get $k)) (local.get $c)) (i32.const 2)))))
                   (f64.promote_f32 (f32.load (i32.add (local.get $dc) (i32.shl (local.get $c) (i32.const 2))))))))))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $in)))
      (f32.store (i32.add (local.get $dc) (i32.shl (local.get $r) (i32.const 2)))
        (f32.demote_f64 (f64.div (local.get $t)
          (f64.promote_f32 (f32.load (i32.add (local.get $l) (i32.shl (i32.add (i32.mul (local.get $r) (local.get $k)) (local.get $r)) (i32.const 2))))))))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $fw)))
    (local.set $c (local.get $k))
    (block $e3 (loop $bw
      (br_if $e3 (i32.eqz (local.get $c)))
      (local.set $c (i32.sub (local.get $c) (i32.const 1)))
      (local.set $t (f64.promote_f32 (f32.load (i32.add (local.get $dc) (i32.shl (local.get $c) (i32.const 2))))))
      (local.set $i (i32.sub (local.get $k) (i32.const 1)))
      (block $e4 (loop $in2
        (br_if $e4 (i32.le_s (local.get $i) (local.get $c)))
        (local.set $t (f64.promote_f32 (f32.demote_f64 (f64.sub (local.get $t)
          (f64.mul (f64.promote_f32 (f32.load (i32.add (local.get $l) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $k)) (local.get $c)) (i32.const 2)))))
                   (f64.promote_f32 (f32.load (i32.add (local.get $dc) (i32.shl (local.get $i) (i32.const 2))))))))))
        (local.set $i (i32.sub (local.get $i) (i32.const 1)))
        (br $in2)))
      (f32.store (i32.add (local.get $dc) (i32.shl (local.get $c) (i32.const 2)))
        (f32.demote_f64 (f64.div (local.get $t)
          (f64.promote_f32 (f32.load (i32.add (local.get $l) (i32.shl (i32.add (i32.mul (local.get $c) (local.get $k)) (local.get $c)) (i32.const 2))))))))
      (br $bw))))
)
