;; The O(n k^2) loops of the logistic and Firth fits (src/stats/logistic.ts, through
;; src/stats/logistic-wasm.ts): the information matrix X'WX, the score X'r and Firth's hat diagonal.
;; Compiled to logit.wasm by `npm run build:wasm` (wabt); test/wasm-source.test.ts checks the
;; committed binary is this source's. Also the linear predictor eta = X b. Why and how fast: docs/decisions/0210-logistic-null-start.md.
;;
;; Bit-identical to the JavaScript twins in logistic.ts: every sum is accumulated in the same order
;; as there, one lane per output entry (or per sample), no fused multiply-add, so each product and
;; sum rounds as JavaScript's do.
(module
  (import "e" "m" (memory 1))

  ;; accum(xr, w, out, n, kpb, ab, nb): out[j] = sum over i (in order) of (w[i] * X[i][a]) * X[i][j]
  ;; for j < 8 nb. X is row-major (n rows of kpb bytes, kpb a multiple of 64), ab = a's byte offset
  ;; in a row. Eight columns (four f64x2 accumulators) a pass over the samples.
  (func $accum (export "accum")
    (param $xr i32) (param $w i32) (param $out i32) (param $n i32) (param $kpb i32) (param $ab i32) (param $nb i32)
    (local $blk i32) (local $row i32) (local $wp i32) (local $end i32) (local $col i32)
    (local $t v128)
    (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128)
    (local.set $end (i32.add (local.get $w) (i32.shl (local.get $n) (i32.const 3))))
    (local.set $blk (i32.const 0))
    (block $blocks_done
      (loop $blocks
        (br_if $blocks_done (i32.ge_u (local.get $blk) (local.get $nb)))
        (local.set $col (i32.add (local.get $xr) (i32.shl (local.get $blk) (i32.const 6))))
        (local.set $s0 (v128.const i64x2 0 0)) (local.set $s1 (v128.const i64x2 0 0))
        (local.set $s2 (v128.const i64x2 0 0)) (local.set $s3 (v128.const i64x2 0 0))
        (local.set $row (local.get $xr))
        (local.set $wp (local.get $w))
        (block $rows_done
          (loop $rows
            (br_if $rows_done (i32.ge_u (local.get $wp) (local.get $end)))
            ;; t = w[i] * X[i][a], as JavaScript's t[i] = w[i] * ca[i]
            (local.set $t (f64x2.splat (f64.mul (f64.load (local.get $wp)) (f64.load (i32.add (local.get $row) (local.get $ab))))))
            (local.set $s0 (f64x2.add (local.get $s0) (f64x2.mul (local.get $t) (v128.load (local.get $col)))))
            (local.set $s1 (f64x2.add (local.get $s1) (f64x2.mul (local.get $t) (v128.load offset=16 (local.get $col)))))
            (local.set $s2 (f64x2.add (local.get $s2) (f64x2.mul (local.get $t) (v128.load offset=32 (local.get $col)))))
            (local.set $s3 (f64x2.add (local.get $s3) (f64x2.mul (local.get $t) (v128.load offset=48 (local.get $col)))))
            (local.set $row (i32.add (local.get $row) (local.get $kpb)))
            (local.set $col (i32.add (local.get $col) (local.get $kpb)))
            (local.set $wp (i32.add (local.get $wp) (i32.const 8)))
            (br $rows)))
        (v128.store (local.get $out) (local.get $s0))
        (v128.store offset=16 (local.get $out) (local.get $s1))
        (v128.store offset=32 (local.get $out) (local.get $s2))
        (v128.store offset=48 (local.get $out) (local.get $s3))
        (local.set $out (i32.add (local.get $out) (i32.const 64)))
        (local.set $blk (i32.add (local.get $blk) (i32.const 1)))
        (br $blocks))))

;; xwx(xr, w, h, n, kpb, k): rows a < k of X'WX into h (row a at h + a kpb): entries b <= a are
  ;; the information matrix's lower triangle; the rest of each row up to the next multiple of 8 is
  ;; scratch (as is row k when k is odd). Two rows and eight columns (eight f64x2 accumulators) a
  ;; pass over the samples: each sample's row of X is loaded once for both rows. t = w[i] X[i][a] as
  ;; JavaScript's t[i] = w[i] * ca[i], then each entry's sum over i in order, as in accum.
  (func (export "xwx")
    (param $xr i32) (param $w i32) (param $h i32) (param $n i32) (param $kpb i32) (param $k i32)
    (local $a i32) (local $blk i32) (local $nb i32) (local $row i32) (local $col i32) (local $wp i32) (local $end i32)
    (local $out i32)
    (local $tt v128) (local $t0 v128) (local $t1 v128)
    (local $x0 v128) (local $x1 v128) (local $x2 v128) (local $x3 v128)
    (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128)
    (local $u0 v128) (local $u1 v128) (local $u2 v128) (local $u3 v128)
    (local.set $end (i32.add (local.get $w) (i32.shl (local.get $n) (i32.const 3))))
    (local.set $a (i32.const 0))
    (block $pairs_done
      (loop $pairs
        (br_if $pairs_done (i32.ge_u (local.get $a) (local.get $k)))
        (local.set $nb (i32.add (i32.shr_u (i32.add (local.get $a) (i32.const 1)) (i32.const 3)) (i32.const 1)))
        (local.set $blk (i32.const 0))
        (block $blocks_done
          (loop $blocks
            (br_if $blocks_done (i32.ge_u (local.get $blk) (local.get $nb)))
            (local.set $s0 (v128.const i64x2 0 0)) (local.set $s1 (v128.const i64x2 0 0))
            (local.set $s2 (v128.const i64x2 0 0)) (local.set $s3 (v128.const i64x2 0 0))
            (local.set $u0 (v128.const i64x2 0 0)) (local.set $u1 (v128.const i64x2 0 0))
            (local.set $u2 (v128.const i64x2 0 0)) (local.set $u3 (v128.const i64x2 0 0))
            (local.set $row (i32.add (local.get $xr) (i32.shl (local.get $a) (i32.const 3))))
            (local.set $col (i32.add (local.get $xr) (i32.shl (local.get $blk) (i32.const 6))))
            (local.set $wp (local.get $w))
            (block $rows_done
              (loop $rows
                (br_if $rows_done (i32.ge_u (local.get $wp) (local.get $end)))
                ;; (w[i] X[i][a], w[i] X[i][a+1]), then each lane on its own
                (local.set $tt (f64x2.mul (v128.load64_splat (local.get $wp)) (v128.load (local.get $row))))
                (local.set $t0 (i8x16.shuffle 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 (local.get $tt) (local.get $tt)))
                (local.set $t1 (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $tt) (local.get $tt)))
                (local.set $x0 (v128.load (local.get $col)))
                (local.set $x1 (v128.load offset=16 (local.get $col)))
                (local.set $x2 (v128.load offset=32 (local.get $col)))
                (local.set $x3 (v128.load offset=48 (local.get $col)))
                (local.set $s0 (f64x2.add (local.get $s0) (f64x2.mul (local.get $t0) (local.get $x0))))
                (local.set $s1 (f64x2.add (local.get $s1) (f64x2.mul (local.get $t0) (local.get $x1))))
                (local.set $s2 (f64x2.add (local.get $s2) (f64x2.mul (local.get $t0) (local.get $x2))))
                (local.set $s3 (f64x2.add (local.get $s3) (f64x2.mul (local.get $t0) (local.get $x3))))
                (local.set $u0 (f64x2.add (local.get $u0) (f64x2.mul (local.get $t1) (local.get $x0))))
                (local.set $u1 (f64x2.add (local.get $u1) (f64x2.mul (local.get $t1) (local.get $x1))))
                (local.set $u2 (f64x2.add (local.get $u2) (f64x2.mul (local.get $t1) (local.get $x2))))
                (local.set $u3 (f64x2.add (local.get $u3) (f64x2.mul (local.get $t1) (local.get $x3))))
                (local.set $row (i32.add (local.get $row) (local.get $kpb)))
                (local.set $col (i32.add (local.get $col) (local.get $kpb)))
                (local.set $wp (i32.add (local.get $wp) (i32.const 8)))
                (br $rows)))
            (local.set $out (i32.add (i32.add (local.get $h) (i32.mul (local.get $a) (local.get $kpb))) (i32.shl (local.get $blk) (i32.const 6))))
            (v128.store (local.get $out) (local.get $s0))
            (v128.store offset=16 (local.get $out) (local.get $s1))
            (v128.store offset=32 (local.get $out) (local.get $s2))
            (v128.store offset=48 (local.get $out) (local.get $s3))
            (local.set $out (i32.add (local.get $out) (local.get $kpb)))
            (v128.store (local.get $out) (local.get $u0))
            (v128.store offset=16 (local.get $out) (local.get $u1))
            (v128.store offset=32 (local.get $out) (local.get $u2))
            (v128.store offset=48 (local.get $out) (local.get $u3))
            (local.set $blk (i32.add (local.get $blk) (i32.const 1)))
            (br $blocks)))
        (local.set $a (i32.add (local.get $a) (i32.const 2)))
        (br $pairs))))

    ;; hat(xc, ldb, inv, k, w, out, n8): out[i] = w[i] * sum_a X[i][a] * (sum_c inv[a][c] X[i][c])
  ;; (both sums in order) for i < n8, eight samples a pass (four f64x2 chains). X is column-major
  ;; (columns of ldb bytes), inv k x k row-major, n8 a multiple of 8 (padding samples are zeros).
  (func (export "hat")
    (param $xc i32) (param $ldb i32) (param $inv i32) (param $k i32) (param $w i32) (param $out i32) (param $n8 i32)
    (local $i i32) (local $iend i32) (local $a i32) (local $c i32) (local $ia i32) (local $pa i32) (local $pc i32)
    (local $iv v128)
    (local $r0 v128) (local $r1 v128) (local $r2 v128) (local $r3 v128)
    (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128)
    (local.set $iend (i32.shl (local.get $n8) (i32.const 3)))
    (local.set $i (i32.const 0))
    (block $samples_done
      (loop $samples
        (br_if $samples_done (i32.ge_u (local.get $i) (local.get $iend)))
        (local.set $s0 (v128.const i64x2 0 0)) (local.set $s1 (v128.const i64x2 0 0))
        (local.set $s2 (v128.const i64x2 0 0)) (local.set $s3 (v128.const i64x2 0 0))
        (local.set $ia (local.get $inv))
        (local.set $pa (i32.add (local.get $xc) (local.get $i)))
        (local.set $a (i32.const 0))
        (block $a_done
          (loop $as
            (br_if $a_done (i32.ge_u (local.get $a) (local.get $k)))
            (local.set $r0 (v128.const i64x2 0 0)) (local.set $r1 (v128.const i64x2 0 0))
            (local.set $r2 (v128.const i64x2 0 0)) (local.set $r3 (v128.const i64x2 0 0))
            (local.set $pc (i32.add (local.get $xc) (local.get $i)))
            (local.set $c (i32.const 0))
            (block $c_done
              (loop $cs
                (br_if $c_done (i32.ge_u (local.get $c) (local.get $k)))
                (local.set $iv (v128.load64_splat (local.get $ia)))
                (local.set $r0 (f64x2.add (local.get $r0) (f64x2.mul (local.get $iv) (v128.load (local.get $pc)))))
                (local.set $r1 (f64x2.add (local.get $r1) (f64x2.mul (local.get $iv) (v128.load offset=16 (local.get $pc)))))
                (local.set $r2 (f64x2.add (local.get $r2) (f64x2.mul (local.get $iv) (v128.load offset=32 (local.get $pc)))))
                (local.set $r3 (f64x2.add (local.get $r3) (f64x2.mul (local.get $iv) (v128.load offset=48 (local.get $pc)))))
                (local.set $ia (i32.add (local.get $ia) (i32.const 8)))
                (local.set $pc (i32.add (local.get $pc) (local.get $ldb)))
                (local.set $c (i32.add (local.get $c) (i32.const 1)))
                (br $cs)))
            (local.set $s0 (f64x2.add (local.get $s0) (f64x2.mul (v128.load (local.get $pa)) (local.get $r0))))
            (local.set $s1 (f64x2.add (local.get $s1) (f64x2.mul (v128.load offset=16 (local.get $pa)) (local.get $r1))))
            (local.set $s2 (f64x2.add (local.get $s2) (f64x2.mul (v128.load offset=32 (local.get $pa)) (local.get $r2))))
            (local.set $s3 (f64x2.add (local.get $s3) (f64x2.mul (v128.load offset=48 (local.get $pa)) (local.get $r3))))
            (local.set $pa (i32.add (local.get $pa) (local.get $ldb)))
            (local.set $a (i32.add (local.get $a) (i32.const 1)))
            (br $as)))
        (v128.store (i32.add (local.get $out) (local.get $i))
          (f64x2.mul (v128.load (i32.add (local.get $w) (local.get $i))) (local.get $s0)))
        (v128.store offset=16 (i32.add (local.get $out) (local.get $i))
          (f64x2.mul (v128.load offset=16 (i32.add (local.get $w) (local.get $i))) (local.get $s1)))
        (v128.store offset=32 (i32.add (local.get $out) (local.get $i))
          (f64x2.mul (v128.load offset=32 (i32.add (local.get $w) (local.get $i))) (local.get $s2)))
        (v128.store offset=48 (i32.add (local.get $out) (local.get $i))
          (f64x2.mul (v128.load offset=48 (i32.add (local.get $w) (local.get $i))) (local.get $s3)))
        (local.set $i (i32.add (local.get $i) (i32.const 64)))
        (br $samples))))

  ;; eta(xc, ldb, b, k, out, n8): out[i] = X[i][0] b[0] + X[i][1] b[1] + ... (in order) for i < n8,
  ;; eight samples a pass; X column-major as for hat.
  (func (export "eta")
    (param $xc i32) (param $ldb i32) (param $b i32) (param $k i32) (param $out i32) (param $n8 i32)
    (local $i i32) (local $iend i32) (local $j i32) (local $pj i32) (local $bp i32)
    (local $bv v128)
    (local $e0 v128) (local $e1 v128) (local $e2 v128) (local $e3 v128)
    (local.set $iend (i32.shl (local.get $n8) (i32.const 3)))
    (local.set $i (i32.const 0))
    (block $samples_done
      (loop $samples
        (br_if $samples_done (i32.ge_u (local.get $i) (local.get $iend)))
        (local.set $pj (i32.add (local.get $xc) (local.get $i)))
        (local.set $bv (v128.load64_splat (local.get $b)))
        (local.set $e0 (f64x2.mul (v128.load (local.get $pj)) (local.get $bv)))
        (local.set $e1 (f64x2.mul (v128.load offset=16 (local.get $pj)) (local.get $bv)))
        (local.set $e2 (f64x2.mul (v128.load offset=32 (local.get $pj)) (local.get $bv)))
        (local.set $e3 (f64x2.mul (v128.load offset=48 (local.get $pj)) (local.get $bv)))
        (local.set $bp (local.get $b))
        (local.set $j (i32.const 1))
        (block $cols_done
          (loop $cols
            (br_if $cols_done (i32.ge_u (local.get $j) (local.get $k)))
            (local.set $pj (i32.add (local.get $pj) (local.get $ldb)))
            (local.set $bp (i32.add (local.get $bp) (i32.const 8)))
            (local.set $bv (v128.load64_splat (local.get $bp)))
            (local.set $e0 (f64x2.add (local.get $e0) (f64x2.mul (v128.load (local.get $pj)) (local.get $bv))))
            (local.set $e1 (f64x2.add (local.get $e1) (f64x2.mul (v128.load offset=16 (local.get $pj)) (local.get $bv))))
            (local.set $e2 (f64x2.add (local.get $e2) (f64x2.mul (v128.load offset=32 (local.get $pj)) (local.get $bv))))
            (local.set $e3 (f64x2.add (local.get $e3) (f64x2.mul (v128.load offset=48 (local.get $pj)) (local.get $bv))))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $cols)))
        (v128.store (i32.add (local.get $out) (local.get $i)) (local.get $e0))
        (v128.store offset=16 (i32.add (local.get $out) (local.get $i)) (local.get $e1))
        (v128.store offset=32 (i32.add (local.get $out) (local.get $i)) (local.get $e2))
        (v128.store offset=48 (i32.add (local.get $out) (local.get $i)) (local.get $e3))
        (local.set $i (i32.add (local.get $i) (i32.const 64)))
        (br $samples))))
)
