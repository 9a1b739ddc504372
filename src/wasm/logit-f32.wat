;; plink2's single-precision Hessian sums for the float emulation of its logistic iteration
;; (src/stats/logistic-f32.ts, whose JavaScript loops are the twin: same bits). plink2 sums over
;; 4-lane float vectors, sample i in lane i mod 4, each step a fused multiply-add fl(x t + s): here
;; x t is exact in f64 and the f64 sum is rounded to f32 (as Math.fround(x * t + s) does in the
;; twin). Why: docs/decisions/0220-float-decision.md. Offsets and lengths are in bytes.
(module
  (import "e" "m" (memory 1))

  ;; t[j][i] = x[j][i] v[i] (f32), for k columns ld bytes apart and nvb bytes (a multiple of 16).
  (func (export "tmul") (param $x i32) (param $t i32) (param $v i32) (param $nvb i32) (param $ldb i32) (param $k i32)
    (local $j i32) (local $i i32)
    (block $done
      (loop $cols
        (br_if $done (i32.ge_u (local.get $j) (local.get $k)))
        (local.set $i (i32.const 0))
        (block $end
          (loop $rows
            (br_if $end (i32.ge_u (local.get $i) (local.get $nvb)))
            (v128.store (i32.add (local.get $t) (local.get $i))
              (f32x4.mul (v128.load (i32.add (local.get $x) (local.get $i)))
                         (v128.load (i32.add (local.get $v) (local.get $i)))))
            (local.set $i (i32.add (local.get $i) (i32.const 16)))
            (br $rows)))
        (local.set $x (i32.add (local.get $x) (local.get $ldb)))
        (local.set $t (i32.add (local.get $t) (local.get $ldb)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $cols))))

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

  ;; lane sums s_l = fl(x_i t_i + s_l) over the 4-sample blocks, then ((s0 + s1) + s2) + s3.
  (func (export "lanes") (param $xa i32) (param $tb i32) (param $nvb i32) (result f32)
    (local $i i32) (local $lo v128) (local $hi v128) (local $xv v128) (local $tv v128)
    (block $end
      (loop $blocks
        (br_if $end (i32.ge_u (local.get $i) (local.get $nvb)))
        (local.set $xv (v128.load (i32.add (local.get $xa) (local.get $i))))
        (local.set $tv (v128.load (i32.add (local.get $tb) (local.get $i))))
        ;; lanes 0 and 1
        (local.set $lo
          (f64x2.promote_low_f32x4 (f32x4.demote_f64x2_zero
            (f64x2.add
              (f64x2.mul (f64x2.promote_low_f32x4 (local.get $xv)) (f64x2.promote_low_f32x4 (local.get $tv)))
              (local.get $lo)))))
        ;; lanes 2 and 3 (moved to the low half)
        (local.set $hi
          (f64x2.promote_low_f32x4 (f32x4.demote_f64x2_zero
            (f64x2.add
              (f64x2.mul
                (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $xv) (local.get $xv)))
                (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $tv) (local.get $tv))))
              (local.get $hi)))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $blocks)))
    (f32.add
      (f32.add
        (f32.add
          (f32.demote_f64 (f64x2.extract_lane 0 (local.get $lo)))
          (f32.demote_f64 (f64x2.extract_lane 1 (local.get $lo))))
        (f32.demote_f64 (f64x2.extract_lane 0 (local.get $hi))))
      (f32.demote_f64 (f64x2.extract_lane 1 (local.get $hi)))))
)
