;; The O(n k^2) loops of the logistic and Firth fits (src/stats/logistic.ts, through
;; src/stats/logistic-wasm.ts): the information matrix X'WX, the score X'r and Firth's modified
;; residual (its hat diagonal from the inverse Cholesky factor).
;; Compiled to logit.wasm by `npm run build:wasm` (wabt); test/wasm-source.test.ts checks the
;; committed binary is this source's. Also the linear predictor eta = X b. Why and how fast: docs/decisions/0210-logistic-null-start.md.
;;
;; Bit-identical to the JavaScript twins in logistic.ts: every sum is accumulated in the same order
;; as there, one lane per output entry (or per sample), no fused multiply-add, so each product and
;; sum rounds as JavaScript's do.
(module
  (import "e" "m" (memory 1))

;; xwx(xr, w, h, n, kpb, plan, np, r, g): rows a < k of X'WX into h (row a at h + a kpb): entries
  ;; b <= a are the information matrix's lower triangle; the rest of each row up to the next even
  ;; column is scratch (as is row k when k is odd). Two rows a, a+1 at a time, over the columns 0..a+1
  ;; they need (a/2 + 1 f64x2), in the np passes over the samples of plan (logistic-wasm.ts xwxPlan;
  ;; 6 i32 each: a, b, cb, mA, mB, ms): rows a, a+1 over mA f64x2 of columns from byte cb (xwx_pass);
  ;; with b >= 0 also rows b, b+1 over mB from the same cb (xwx_pass2, the short ends of the rows);
  ;; with r != 0, ms > 0 also X'r's ms f64x2 from cb into g + cb (xwx_pass_s; a < 0: X'r alone, the
  ;; score kernel). k = 14: 56 f64x2 products a sample and X'r in 8 passes (whole 8-column blocks took
  ;; 80 in 10, X'r 2 more). Each entry's sum over i in order, t = w[i] X[i][a] as JavaScript's
  ;; t[i] = w[i] * ca[i]; X'r's r[i] X[i][j] as the score kernel's.
  (func $xwx (export "xwx")
    (param $xr i32) (param $w i32) (param $h i32) (param $n i32) (param $kpb i32) (param $plan i32) (param $np i32)
    (param $r i32) (param $g i32)
    (local $end i32) (local $a i32) (local $b i32) (local $cb i32) (local $ms i32) (local $oa i32)
    (local.set $end (i32.add (local.get $plan) (i32.mul (local.get $np) (i32.const 24))))
    (block $done
      (loop $passes
        (br_if $done (i32.ge_u (local.get $plan) (local.get $end)))
        (local.set $a (i32.load (local.get $plan)))
        (local.set $b (i32.load offset=4 (local.get $plan)))
        (local.set $cb (i32.load offset=8 (local.get $plan)))
        (local.set $ms (select (i32.load offset=20 (local.get $plan)) (i32.const 0) (local.get $r)))
        (local.set $oa (i32.add (i32.add (local.get $h) (i32.mul (local.get $a) (local.get $kpb))) (local.get $cb)))
        (if (i32.lt_s (local.get $a) (i32.const 0))
          (then
            (if (local.get $ms)
              (then (call $score (i32.add (local.get $xr) (local.get $cb)) (local.get $r)
                (i32.add (local.get $g) (local.get $cb)) (local.get $n) (local.get $kpb) (local.get $ms)))))
          (else
            (if (i32.ge_s (local.get $b) (i32.const 0))
              (then
                (call $xwx_pass2
                  (i32.add (local.get $xr) (i32.shl (local.get $a) (i32.const 3)))
                  (i32.add (local.get $xr) (i32.shl (local.get $b) (i32.const 3)))
                  (i32.add (local.get $xr) (local.get $cb))
                  (local.get $w) (local.get $n) (local.get $kpb) (local.get $oa)
                  (i32.add (i32.add (local.get $h) (i32.mul (local.get $b) (local.get $kpb))) (local.get $cb))
                  (i32.load offset=12 (local.get $plan))
                  (i32.load offset=16 (local.get $plan))))
              (else
                (if (local.get $ms)
                  (then
                    (call $xwx_pass_s
                      (i32.add (local.get $xr) (i32.shl (local.get $a) (i32.const 3)))
                      (i32.add (local.get $xr) (local.get $cb))
                      (local.get $w) (local.get $r) (local.get $n) (local.get $kpb) (local.get $oa)
                      (i32.add (local.get $g) (local.get $cb))
                      (i32.load offset=12 (local.get $plan)) (local.get $ms)))
                  (else
                    (call $xwx_pass
                      (i32.add (local.get $xr) (i32.shl (local.get $a) (i32.const 3)))
                      (i32.add (local.get $xr) (local.get $cb))
                      (local.get $w) (local.get $n) (local.get $kpb) (local.get $oa)
                      (i32.load offset=12 (local.get $plan)))))))))
        (local.set $plan (i32.add (local.get $plan) (i32.const 24)))
        (br $passes))))

  ;; xwx_pass(row, col, w, n, kpb, out, m): for the rows a, a+1 of X'WX (row = &X[0][a]) and m f64x2
  ;; of columns from col = &X[0][c]: out[j] = sum over i of (w[i] X[i][a]) X[i][c+j] and
  ;; out[kpb + j] the same with X[i][a+1], j < 2m; m from 1 to 4 (one loop each: m f64x2 of
  ;; accumulators for each row, each sample's row of X loaded once for both).
  (func $xwx_pass
    (param $row i32) (param $col i32) (param $w i32) (param $n i32) (param $kpb i32) (param $out i32) (param $m i32)
    (local $end i32) (local $out2 i32)
    (local $tt v128) (local $t0 v128) (local $t1 v128)
    (local $x0 v128) (local $x1 v128) (local $x2 v128) (local $x3 v128)
    (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128)
    (local $u0 v128) (local $u1 v128) (local $u2 v128) (local $u3 v128)
    (local.set $end (i32.add (local.get $w) (i32.shl (local.get $n) (i32.const 3))))
    (local.set $out2 (i32.add (local.get $out) (local.get $kpb)))
    (if (i32.eq (local.get $m) (i32.const 4))
      (then
        (block $rows_done
          (loop $rows
            (br_if $rows_done (i32.ge_u (local.get $w) (local.get $end)))
            ;; (w[i] X[i][a], w[i] X[i][a+1]), then each lane on its own
            (local.set $tt (f64x2.mul (v128.load64_splat (local.get $w)) (v128.load (local.get $row))))
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
            (local.set $w (i32.add (local.get $w) (i32.const 8)))
            (br $rows)))
        (v128.store (local.get $out) (local.get $s0))
        (v128.store offset=16 (local.get $out) (local.get $s1))
        (v128.store offset=32 (local.get $out) (local.get $s2))
        (v128.store offset=48 (local.get $out) (local.get $s3))
        (v128.store (local.get $out2) (local.get $u0))
        (v128.store offset=16 (local.get $out2) (local.get $u1))
        (v128.store offset=32 (local.get $out2) (local.get $u2))
        (v128.store offset=48 (local.get $out2) (local.get $u3))
        (return)))
    (if (i32.eq (local.get $m) (i32.const 3))
      (then
        (block $rows_done
          (loop $rows
            (br_if $rows_done (i32.ge_u (local.get $w) (local.get $end)))
            ;; (w[i] X[i][a], w[i] X[i][a+1]), then each lane on its own
            (local.set $tt (f64x2.mul (v128.load64_splat (local.get $w)) (v128.load (local.get $row))))
            (local.set $t0 (i8x16.shuffle 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 (local.get $tt) (local.get $tt)))
            (local.set $t1 (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $tt) (local.get $tt)))
            (local.set $x0 (v128.load (local.get $col)))
            (local.set $x1 (v128.load offset=16 (local.get $col)))
            (local.set $x2 (v128.load offset=32 (local.get $col)))
            (local.set $s0 (f64x2.add (local.get $s0) (f64x2.mul (local.get $t0) (local.get $x0))))
            (local.set $s1 (f64x2.add (local.get $s1) (f64x2.mul (local.get $t0) (local.get $x1))))
            (local.set $s2 (f64x2.add (local.get $s2) (f64x2.mul (local.get $t0) (local.get $x2))))
            (local.set $u0 (f64x2.add (local.get $u0) (f64x2.mul (local.get $t1) (local.get $x0))))
            (local.set $u1 (f64x2.add (local.get $u1) (f64x2.mul (local.get $t1) (local.get $x1))))
            (local.set $u2 (f64x2.add (local.get $u2) (f64x2.mul (local.get $t1) (local.get $x2))))
            (local.set $row (i32.add (local.get $row) (local.get $kpb)))
            (local.set $col (i32.add (local.get $col) (local.get $kpb)))
            (local.set $w (i32.add (local.get $w) (i32.const 8)))
            (br $rows)))
        (v128.store (local.get $out) (local.get $s0))
        (v128.store offset=16 (local.get $out) (local.get $s1))
        (v128.store offset=32 (local.get $out) (local.get $s2))
        (v128.store (local.get $out2) (local.get $u0))
        (v128.store offset=16 (local.get $out2) (local.get $u1))
        (v128.store offset=32 (local.get $out2) (local.get $u2))
        (return)))
    (if (i32.eq (local.get $m) (i32.const 2))
      (then
        (block $rows_done
          (loop $rows
            (br_if $rows_done (i32.ge_u (local.get $w) (local.get $end)))
            ;; (w[i] X[i][a], w[i] X[i][a+1]), then each lane on its own
            (local.set $tt (f64x2.mul (v128.load64_splat (local.get $w)) (v128.load (local.get $row))))
            (local.set $t0 (i8x16.shuffle 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 (local.get $tt) (local.get $tt)))
            (local.set $t1 (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $tt) (local.get $tt)))
            (local.set $x0 (v128.load (local.get $col)))
            (local.set $x1 (v128.load offset=16 (local.get $col)))
            (local.set $s0 (f64x2.add (local.get $s0) (f64x2.mul (local.get $t0) (local.get $x0))))
            (local.set $s1 (f64x2.add (local.get $s1) (f64x2.mul (local.get $t0) (local.get $x1))))
            (local.set $u0 (f64x2.add (local.get $u0) (f64x2.mul (local.get $t1) (local.get $x0))))
            (local.set $u1 (f64x2.add (local.get $u1) (f64x2.mul (local.get $t1) (local.get $x1))))
            (local.set $row (i32.add (local.get $row) (local.get $kpb)))
            (local.set $col (i32.add (local.get $col) (local.get $kpb)))
            (local.set $w (i32.add (local.get $w) (i32.const 8)))
            (br $rows)))
        (v128.store (local.get $out) (local.get $s0))
        (v128.store offset=16 (local.get $out) (local.get $s1))
        (v128.store (local.get $out2) (local.get $u0))
        (v128.store offset=16 (local.get $out2) (local.get $u1))
        (return)))
    (if (i32.eq (local.get $m) (i32.const 1))
      (then
        (block $rows_done
          (loop $rows
            (br_if $rows_done (i32.ge_u (local.get $w) (local.get $end)))
            ;; (w[i] X[i][a], w[i] X[i][a+1]), then each lane on its own
            (local.set $tt (f64x2.mul (v128.load64_splat (local.get $w)) (v128.load (local.get $row))))
            (local.set $t0 (i8x16.shuffle 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 (local.get $tt) (local.get $tt)))
            (local.set $t1 (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $tt) (local.get $tt)))
            (local.set $x0 (v128.load (local.get $col)))
            (local.set $s0 (f64x2.add (local.get $s0) (f64x2.mul (local.get $t0) (local.get $x0))))
            (local.set $u0 (f64x2.add (local.get $u0) (f64x2.mul (local.get $t1) (local.get $x0))))
            (local.set $row (i32.add (local.get $row) (local.get $kpb)))
            (local.set $col (i32.add (local.get $col) (local.get $kpb)))
            (local.set $w (i32.add (local.get $w) (i32.const 8)))
            (br $rows)))
        (v128.store (local.get $out) (local.get $s0))
        (v128.store (local.get $out2) (local.get $u0))
        (return))))

  ;; xwx_pass_s(row, col, w, r, n, kpb, out, g, m, ms): xwx_pass for rows a, a+1 over m (1 or 2) f64x2
  ;; of columns from col, and in the same pass over the samples the score X'r over ms (1 to 4) f64x2
  ;; from col into g: g[j] = sum over i (in order) of r[i] X[i][c+j], as the score kernel. X'r rides
  ;; in the passes that fill only four or fewer of the eight accumulators.
  (func $xwx_pass_s
    (param $row i32) (param $col i32) (param $w i32) (param $r i32) (param $n i32) (param $kpb i32)
    (param $out i32) (param $g i32) (param $m i32) (param $ms i32)
    (local $end i32) (local $out2 i32) (local $kind i32)
    (local $tt v128) (local $t0 v128) (local $t1 v128) (local $tr v128) (local $x v128)
    (local $s0 v128) (local $s1 v128) (local $u0 v128) (local $u1 v128)
    (local $q0 v128) (local $q1 v128) (local $q2 v128) (local $q3 v128)
    (local.set $end (i32.add (local.get $w) (i32.shl (local.get $n) (i32.const 3))))
    (local.set $out2 (i32.add (local.get $out) (local.get $kpb)))
    (local.set $kind (i32.or (i32.shl (local.get $m) (i32.const 4)) (local.get $ms)))
    (if (i32.eq (local.get $kind) (i32.const 36))
      (then
        (block $done24
          (loop $rows24
            (br_if $done24 (i32.ge_u (local.get $w) (local.get $end)))
            (local.set $tt (f64x2.mul (v128.load64_splat (local.get $w)) (v128.load (local.get $row))))
            (local.set $t0 (i8x16.shuffle 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 (local.get $tt) (local.get $tt)))
            (local.set $t1 (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $tt) (local.get $tt)))
            (local.set $tr (v128.load64_splat (local.get $r)))
            (local.set $x (v128.load (local.get $col)))
            (local.set $s0 (f64x2.add (local.get $s0) (f64x2.mul (local.get $t0) (local.get $x))))
            (local.set $u0 (f64x2.add (local.get $u0) (f64x2.mul (local.get $t1) (local.get $x))))
            (local.set $q0 (f64x2.add (local.get $q0) (f64x2.mul (local.get $tr) (local.get $x))))
            (local.set $x (v128.load offset=16 (local.get $col)))
            (local.set $s1 (f64x2.add (local.get $s1) (f64x2.mul (local.get $t0) (local.get $x))))
            (local.set $u1 (f64x2.add (local.get $u1) (f64x2.mul (local.get $t1) (local.get $x))))
            (local.set $q1 (f64x2.add (local.get $q1) (f64x2.mul (local.get $tr) (local.get $x))))
            (local.set $x (v128.load offset=32 (local.get $col)))
            (local.set $q2 (f64x2.add (local.get $q2) (f64x2.mul (local.get $tr) (local.get $x))))
            (local.set $x (v128.load offset=48 (local.get $col)))
            (local.set $q3 (f64x2.add (local.get $q3) (f64x2.mul (local.get $tr) (local.get $x))))
            (local.set $row (i32.add (local.get $row) (local.get $kpb)))
            (local.set $col (i32.add (local.get $col) (local.get $kpb)))
            (local.set $w (i32.add (local.get $w) (i32.const 8)))
            (local.set $r (i32.add (local.get $r) (i32.const 8)))
            (br $rows24)))
        (v128.store (local.get $out) (local.get $s0))
        (v128.store offset=16 (local.get $out) (local.get $s1))
        (v128.store (local.get $out2) (local.get $u0))
        (v128.store offset=16 (local.get $out2) (local.get $u1))
        (v128.store (local.get $g) (local.get $q0))
        (v128.store offset=16 (local.get $g) (local.get $q1))
        (v128.store offset=32 (local.get $g) (local.get $q2))
        (v128.store offset=48 (local.get $g) (local.get $q3))
        (return)))
    (if (i32.eq (local.get $kind) (i32.const 35))
      (then
        (block $done23
          (loop $rows23
            (br_if $done23 (i32.ge_u (local.get $w) (local.get $end)))
            (local.set $tt (f64x2.mul (v128.load64_splat (local.get $w)) (v128.load (local.get $row))))
            (local.set $t0 (i8x16.shuffle 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 (local.get $tt) (local.get $tt)))
            (local.set $t1 (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $tt) (local.get $tt)))
            (local.set $tr (v128.load64_splat (local.get $r)))
            (local.set $x (v128.load (local.get $col)))
            (local.set $s0 (f64x2.add (local.get $s0) (f64x2.mul (local.get $t0) (local.get $x))))
            (local.set $u0 (f64x2.add (local.get $u0) (f64x2.mul (local.get $t1) (local.get $x))))
            (local.set $q0 (f64x2.add (local.get $q0) (f64x2.mul (local.get $tr) (local.get $x))))
            (local.set $x (v128.load offset=16 (local.get $col)))
            (local.set $s1 (f64x2.add (local.get $s1) (f64x2.mul (local.get $t0) (local.get $x))))
            (local.set $u1 (f64x2.add (local.get $u1) (f64x2.mul (local.get $t1) (local.get $x))))
            (local.set $q1 (f64x2.add (local.get $q1) (f64x2.mul (local.get $tr) (local.get $x))))
            (local.set $x (v128.load offset=32 (local.get $col)))
            (local.set $q2 (f64x2.add (local.get $q2) (f64x2.mul (local.get $tr) (local.get $x))))
            (local.set $row (i32.add (local.get $row) (local.get $kpb)))
            (local.set $col (i32.add (local.get $col) (local.get $kpb)))
            (local.set $w (i32.add (local.get $w) (i32.const 8)))
            (local.set $r (i32.add (local.get $r) (i32.const 8)))
            (br $rows23)))
        (v128.store (local.get $out) (local.get $s0))
        (v128.store offset=16 (local.get $out) (local.get $s1))
        (v128.store (local.get $out2) (local.get $u0))
        (v128.store offset=16 (local.get $out2) (local.get $u1))
        (v128.store (local.get $g) (local.get $q0))
        (v128.store offset=16 (local.get $g) (local.get $q1))
        (v128.store offset=32 (local.get $g) (local.get $q2))
        (return)))
    (if (i32.eq (local.get $kind) (i32.const 34))
      (then
        (block $done22
          (loop $rows22
            (br_if $done22 (i32.ge_u (local.get $w) (local.get $end)))
            (local.set $tt (f64x2.mul (v128.load64_splat (local.get $w)) (v128.load (local.get $row))))
            (local.set $t0 (i8x16.shuffle 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 (local.get $tt) (local.get $tt)))
            (local.set $t1 (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $tt) (local.get $tt)))
            (local.set $tr (v128.load64_splat (local.get $r)))
            (local.set $x (v128.load (local.get $col)))
            (local.set $s0 (f64x2.add (local.get $s0) (f64x2.mul (local.get $t0) (local.get $x))))
            (local.set $u0 (f64x2.add (local.get $u0) (f64x2.mul (local.get $t1) (local.get $x))))
            (local.set $q0 (f64x2.add (local.get $q0) (f64x2.mul (local.get $tr) (local.get $x))))
            (local.set $x (v128.load offset=16 (local.get $col)))
            (local.set $s1 (f64x2.add (local.get $s1) (f64x2.mul (local.get $t0) (local.get $x))))
            (local.set $u1 (f64x2.add (local.get $u1) (f64x2.mul (local.get $t1) (local.get $x))))
            (local.set $q1 (f64x2.add (local.get $q1) (f64x2.mul (local.get $tr) (local.get $x))))
            (local.set $row (i32.add (local.get $row) (local.get $kpb)))
            (local.set $col (i32.add (local.get $col) (local.get $kpb)))
            (local.set $w (i32.add (local.get $w) (i32.const 8)))
            (local.set $r (i32.add (local.get $r) (i32.const 8)))
            (br $rows22)))
        (v128.store (local.get $out) (local.get $s0))
        (v128.store offset=16 (local.get $out) (local.get $s1))
        (v128.store (local.get $out2) (local.get $u0))
        (v128.store offset=16 (local.get $out2) (local.get $u1))
        (v128.store (local.get $g) (local.get $q0))
        (v128.store offset=16 (local.get $g) (local.get $q1))
        (return)))
    (if (i32.eq (local.get $kind) (i32.const 33))
      (then
        (block $done21
          (loop $rows21
            (br_if $done21 (i32.ge_u (local.get $w) (local.get $end)))
            (local.set $tt (f64x2.mul (v128.load64_splat (local.get $w)) (v128.load (local.get $row))))
            (local.set $t0 (i8x16.shuffle 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 (local.get $tt) (local.get $tt)))
            (local.set $t1 (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $tt) (local.get $tt)))
            (local.set $tr (v128.load64_splat (local.get $r)))
            (local.set $x (v128.load (local.get $col)))
            (local.set $s0 (f64x2.add (local.get $s0) (f64x2.mul (local.get $t0) (local.get $x))))
            (local.set $u0 (f64x2.add (local.get $u0) (f64x2.mul (local.get $t1) (local.get $x))))
            (local.set $q0 (f64x2.add (local.get $q0) (f64x2.mul (local.get $tr) (local.get $x))))
            (local.set $x (v128.load offset=16 (local.get $col)))
            (local.set $s1 (f64x2.add (local.get $s1) (f64x2.mul (local.get $t0) (local.get $x))))
            (local.set $u1 (f64x2.add (local.get $u1) (f64x2.mul (local.get $t1) (local.get $x))))
            (local.set $row (i32.add (local.get $row) (local.get $kpb)))
            (local.set $col (i32.add (local.get $col) (local.get $kpb)))
            (local.set $w (i32.add (local.get $w) (i32.const 8)))
            (local.set $r (i32.add (local.get $r) (i32.const 8)))
            (br $rows21)))
        (v128.store (local.get $out) (local.get $s0))
        (v128.store offset=16 (local.get $out) (local.get $s1))
        (v128.store (local.get $out2) (local.get $u0))
        (v128.store offset=16 (local.get $out2) (local.get $u1))
        (v128.store (local.get $g) (local.get $q0))
        (return)))
    (if (i32.eq (local.get $kind) (i32.const 20))
      (then
        (block $done14
          (loop $rows14
            (br_if $done14 (i32.ge_u (local.get $w) (local.get $end)))
            (local.set $tt (f64x2.mul (v128.load64_splat (local.get $w)) (v128.load (local.get $row))))
            (local.set $t0 (i8x16.shuffle 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 (local.get $tt) (local.get $tt)))
            (local.set $t1 (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $tt) (local.get $tt)))
            (local.set $tr (v128.load64_splat (local.get $r)))
            (local.set $x (v128.load (local.get $col)))
            (local.set $s0 (f64x2.add (local.get $s0) (f64x2.mul (local.get $t0) (local.get $x))))
            (local.set $u0 (f64x2.add (local.get $u0) (f64x2.mul (local.get $t1) (local.get $x))))
            (local.set $q0 (f64x2.add (local.get $q0) (f64x2.mul (local.get $tr) (local.get $x))))
            (local.set $x (v128.load offset=16 (local.get $col)))
            (local.set $q1 (f64x2.add (local.get $q1) (f64x2.mul (local.get $tr) (local.get $x))))
            (local.set $x (v128.load offset=32 (local.get $col)))
            (local.set $q2 (f64x2.add (local.get $q2) (f64x2.mul (local.get $tr) (local.get $x))))
            (local.set $x (v128.load offset=48 (local.get $col)))
            (local.set $q3 (f64x2.add (local.get $q3) (f64x2.mul (local.get $tr) (local.get $x))))
            (local.set $row (i32.add (local.get $row) (local.get $kpb)))
            (local.set $col (i32.add (local.get $col) (local.get $kpb)))
            (local.set $w (i32.add (local.get $w) (i32.const 8)))
            (local.set $r (i32.add (local.get $r) (i32.const 8)))
            (br $rows14)))
        (v128.store (local.get $out) (local.get $s0))
        (v128.store (local.get $out2) (local.get $u0))
        (v128.store (local.get $g) (local.get $q0))
        (v128.store offset=16 (local.get $g) (local.get $q1))
        (v128.store offset=32 (local.get $g) (local.get $q2))
        (v128.store offset=48 (local.get $g) (local.get $q3))
        (return)))
    (if (i32.eq (local.get $kind) (i32.const 19))
      (then
        (block $done13
          (loop $rows13
            (br_if $done13 (i32.ge_u (local.get $w) (local.get $end)))
            (local.set $tt (f64x2.mul (v128.load64_splat (local.get $w)) (v128.load (local.get $row))))
            (local.set $t0 (i8x16.shuffle 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 (local.get $tt) (local.get $tt)))
            (local.set $t1 (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $tt) (local.get $tt)))
            (local.set $tr (v128.load64_splat (local.get $r)))
            (local.set $x (v128.load (local.get $col)))
            (local.set $s0 (f64x2.add (local.get $s0) (f64x2.mul (local.get $t0) (local.get $x))))
            (local.set $u0 (f64x2.add (local.get $u0) (f64x2.mul (local.get $t1) (local.get $x))))
            (local.set $q0 (f64x2.add (local.get $q0) (f64x2.mul (local.get $tr) (local.get $x))))
            (local.set $x (v128.load offset=16 (local.get $col)))
            (local.set $q1 (f64x2.add (local.get $q1) (f64x2.mul (local.get $tr) (local.get $x))))
            (local.set $x (v128.load offset=32 (local.get $col)))
            (local.set $q2 (f64x2.add (local.get $q2) (f64x2.mul (local.get $tr) (local.get $x))))
            (local.set $row (i32.add (local.get $row) (local.get $kpb)))
            (local.set $col (i32.add (local.get $col) (local.get $kpb)))
            (local.set $w (i32.add (local.get $w) (i32.const 8)))
            (local.set $r (i32.add (local.get $r) (i32.const 8)))
            (br $rows13)))
        (v128.store (local.get $out) (local.get $s0))
        (v128.store (local.get $out2) (local.get $u0))
        (v128.store (local.get $g) (local.get $q0))
        (v128.store offset=16 (local.get $g) (local.get $q1))
        (v128.store offset=32 (local.get $g) (local.get $q2))
        (return)))
    (if (i32.eq (local.get $kind) (i32.const 18))
      (then
        (block $done12
          (loop $rows12
            (br_if $done12 (i32.ge_u (local.get $w) (local.get $end)))
            (local.set $tt (f64x2.mul (v128.load64_splat (local.get $w)) (v128.load (local.get $row))))
            (local.set $t0 (i8x16.shuffle 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 (local.get $tt) (local.get $tt)))
            (local.set $t1 (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $tt) (local.get $tt)))
            (local.set $tr (v128.load64_splat (local.get $r)))
            (local.set $x (v128.load (local.get $col)))
            (local.set $s0 (f64x2.add (local.get $s0) (f64x2.mul (local.get $t0) (local.get $x))))
            (local.set $u0 (f64x2.add (local.get $u0) (f64x2.mul (local.get $t1) (local.get $x))))
            (local.set $q0 (f64x2.add (local.get $q0) (f64x2.mul (local.get $tr) (local.get $x))))
            (local.set $x (v128.load offset=16 (local.get $col)))
            (local.set $q1 (f64x2.add (local.get $q1) (f64x2.mul (local.get $tr) (local.get $x))))
            (local.set $row (i32.add (local.get $row) (local.get $kpb)))
            (local.set $col (i32.add (local.get $col) (local.get $kpb)))
            (local.set $w (i32.add (local.get $w) (i32.const 8)))
            (local.set $r (i32.add (local.get $r) (i32.const 8)))
            (br $rows12)))
        (v128.store (local.get $out) (local.get $s0))
        (v128.store (local.get $out2) (local.get $u0))
        (v128.store (local.get $g) (local.get $q0))
        (v128.store offset=16 (local.get $g) (local.get $q1))
        (return)))
    (if (i32.eq (local.get $kind) (i32.const 17))
      (then
        (block $done11
          (loop $rows11
            (br_if $done11 (i32.ge_u (local.get $w) (local.get $end)))
            (local.set $tt (f64x2.mul (v128.load64_splat (local.get $w)) (v128.load (local.get $row))))
            (local.set $t0 (i8x16.shuffle 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 (local.get $tt) (local.get $tt)))
            (local.set $t1 (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $tt) (local.get $tt)))
            (local.set $tr (v128.load64_splat (local.get $r)))
            (local.set $x (v128.load (local.get $col)))
            (local.set $s0 (f64x2.add (local.get $s0) (f64x2.mul (local.get $t0) (local.get $x))))
            (local.set $u0 (f64x2.add (local.get $u0) (f64x2.mul (local.get $t1) (local.get $x))))
            (local.set $q0 (f64x2.add (local.get $q0) (f64x2.mul (local.get $tr) (local.get $x))))
            (local.set $row (i32.add (local.get $row) (local.get $kpb)))
            (local.set $col (i32.add (local.get $col) (local.get $kpb)))
            (local.set $w (i32.add (local.get $w) (i32.const 8)))
            (local.set $r (i32.add (local.get $r) (i32.const 8)))
            (br $rows11)))
        (v128.store (local.get $out) (local.get $s0))
        (v128.store (local.get $out2) (local.get $u0))
        (v128.store (local.get $g) (local.get $q0))
        (return))))


  ;; xwx_pass2(ra, rb, col, w, n, kpb, oa, ob, mA, mB): two row pairs in one pass over the samples, for
  ;; passes that would each fill less than four f64x2 of accumulators: rows (a, a+1) at ra = &X[0][a] over
  ;; mA f64x2 of columns from col into oa (row a) and oa + kpb (row a+1), rows (b, b+1) at rb over mB
  ;; from the same col into ob and ob + kpb; (mA, mB) one of (1, 3), (2, 2), (1, 2), (1, 1). Per entry
  ;; as xwx_pass: t = w[i] X[i][a], sum over i in order.
  (func $xwx_pass2
    (param $ra i32) (param $rb i32) (param $col i32) (param $w i32) (param $n i32) (param $kpb i32)
    (param $oa i32) (param $ob i32) (param $mA i32) (param $mB i32)
    (local $end i32) (local $oa2 i32) (local $ob2 i32) (local $kind i32)
    (local $ws v128) (local $tt v128) (local $a0 v128) (local $a1 v128) (local $b0 v128) (local $b1 v128) (local $x v128)
    (local $p0 v128) (local $p1 v128) (local $q0 v128) (local $q1 v128)
    (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $u0 v128) (local $u1 v128) (local $u2 v128)
    (local.set $end (i32.add (local.get $w) (i32.shl (local.get $n) (i32.const 3))))
    (local.set $oa2 (i32.add (local.get $oa) (local.get $kpb)))
    (local.set $ob2 (i32.add (local.get $ob) (local.get $kpb)))
    (local.set $kind (i32.or (i32.shl (local.get $mA) (i32.const 4)) (local.get $mB)))
    (if (i32.eq (local.get $kind) (i32.const 19))
      (then
        (block $done13
          (loop $rows13
            (br_if $done13 (i32.ge_u (local.get $w) (local.get $end)))
            (local.set $ws (v128.load64_splat (local.get $w)))
            (local.set $tt (f64x2.mul (local.get $ws) (v128.load (local.get $ra))))
            (local.set $a0 (i8x16.shuffle 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 (local.get $tt) (local.get $tt)))
            (local.set $a1 (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $tt) (local.get $tt)))
            (local.set $tt (f64x2.mul (local.get $ws) (v128.load (local.get $rb))))
            (local.set $b0 (i8x16.shuffle 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 (local.get $tt) (local.get $tt)))
            (local.set $b1 (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $tt) (local.get $tt)))
            (local.set $x (v128.load (local.get $col)))
            (local.set $p0 (f64x2.add (local.get $p0) (f64x2.mul (local.get $a0) (local.get $x))))
            (local.set $q0 (f64x2.add (local.get $q0) (f64x2.mul (local.get $a1) (local.get $x))))
            (local.set $s0 (f64x2.add (local.get $s0) (f64x2.mul (local.get $b0) (local.get $x))))
            (local.set $u0 (f64x2.add (local.get $u0) (f64x2.mul (local.get $b1) (local.get $x))))
            (local.set $x (v128.load offset=16 (local.get $col)))
            (local.set $s1 (f64x2.add (local.get $s1) (f64x2.mul (local.get $b0) (local.get $x))))
            (local.set $u1 (f64x2.add (local.get $u1) (f64x2.mul (local.get $b1) (local.get $x))))
            (local.set $x (v128.load offset=32 (local.get $col)))
            (local.set $s2 (f64x2.add (local.get $s2) (f64x2.mul (local.get $b0) (local.get $x))))
            (local.set $u2 (f64x2.add (local.get $u2) (f64x2.mul (local.get $b1) (local.get $x))))
            (local.set $ra (i32.add (local.get $ra) (local.get $kpb)))
            (local.set $rb (i32.add (local.get $rb) (local.get $kpb)))
            (local.set $col (i32.add (local.get $col) (local.get $kpb)))
            (local.set $w (i32.add (local.get $w) (i32.const 8)))
            (br $rows13)))
        (v128.store (local.get $oa) (local.get $p0))
        (v128.store (local.get $oa2) (local.get $q0))
        (v128.store (local.get $ob) (local.get $s0))
        (v128.store offset=16 (local.get $ob) (local.get $s1))
        (v128.store offset=32 (local.get $ob) (local.get $s2))
        (v128.store (local.get $ob2) (local.get $u0))
        (v128.store offset=16 (local.get $ob2) (local.get $u1))
        (v128.store offset=32 (local.get $ob2) (local.get $u2))
        (return)))
    (if (i32.eq (local.get $kind) (i32.const 34))
      (then
        (block $done22
          (loop $rows22
            (br_if $done22 (i32.ge_u (local.get $w) (local.get $end)))
            (local.set $ws (v128.load64_splat (local.get $w)))
            (local.set $tt (f64x2.mul (local.get $ws) (v128.load (local.get $ra))))
            (local.set $a0 (i8x16.shuffle 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 (local.get $tt) (local.get $tt)))
            (local.set $a1 (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $tt) (local.get $tt)))
            (local.set $tt (f64x2.mul (local.get $ws) (v128.load (local.get $rb))))
            (local.set $b0 (i8x16.shuffle 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 (local.get $tt) (local.get $tt)))
            (local.set $b1 (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $tt) (local.get $tt)))
            (local.set $x (v128.load (local.get $col)))
            (local.set $p0 (f64x2.add (local.get $p0) (f64x2.mul (local.get $a0) (local.get $x))))
            (local.set $q0 (f64x2.add (local.get $q0) (f64x2.mul (local.get $a1) (local.get $x))))
            (local.set $s0 (f64x2.add (local.get $s0) (f64x2.mul (local.get $b0) (local.get $x))))
            (local.set $u0 (f64x2.add (local.get $u0) (f64x2.mul (local.get $b1) (local.get $x))))
            (local.set $x (v128.load offset=16 (local.get $col)))
            (local.set $p1 (f64x2.add (local.get $p1) (f64x2.mul (local.get $a0) (local.get $x))))
            (local.set $q1 (f64x2.add (local.get $q1) (f64x2.mul (local.get $a1) (local.get $x))))
            (local.set $s1 (f64x2.add (local.get $s1) (f64x2.mul (local.get $b0) (local.get $x))))
            (local.set $u1 (f64x2.add (local.get $u1) (f64x2.mul (local.get $b1) (local.get $x))))
            (local.set $ra (i32.add (local.get $ra) (local.get $kpb)))
            (local.set $rb (i32.add (local.get $rb) (local.get $kpb)))
            (local.set $col (i32.add (local.get $col) (local.get $kpb)))
            (local.set $w (i32.add (local.get $w) (i32.const 8)))
            (br $rows22)))
        (v128.store (local.get $oa) (local.get $p0))
        (v128.store offset=16 (local.get $oa) (local.get $p1))
        (v128.store (local.get $oa2) (local.get $q0))
        (v128.store offset=16 (local.get $oa2) (local.get $q1))
        (v128.store (local.get $ob) (local.get $s0))
        (v128.store offset=16 (local.get $ob) (local.get $s1))
        (v128.store (local.get $ob2) (local.get $u0))
        (v128.store offset=16 (local.get $ob2) (local.get $u1))
        (return)))
    (if (i32.eq (local.get $kind) (i32.const 18))
      (then
        (block $done12
          (loop $rows12
            (br_if $done12 (i32.ge_u (local.get $w) (local.get $end)))
            (local.set $ws (v128.load64_splat (local.get $w)))
            (local.set $tt (f64x2.mul (local.get $ws) (v128.load (local.get $ra))))
            (local.set $a0 (i8x16.shuffle 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 (local.get $tt) (local.get $tt)))
            (local.set $a1 (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $tt) (local.get $tt)))
            (local.set $tt (f64x2.mul (local.get $ws) (v128.load (local.get $rb))))
            (local.set $b0 (i8x16.shuffle 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 (local.get $tt) (local.get $tt)))
            (local.set $b1 (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $tt) (local.get $tt)))
            (local.set $x (v128.load (local.get $col)))
            (local.set $p0 (f64x2.add (local.get $p0) (f64x2.mul (local.get $a0) (local.get $x))))
            (local.set $q0 (f64x2.add (local.get $q0) (f64x2.mul (local.get $a1) (local.get $x))))
            (local.set $s0 (f64x2.add (local.get $s0) (f64x2.mul (local.get $b0) (local.get $x))))
            (local.set $u0 (f64x2.add (local.get $u0) (f64x2.mul (local.get $b1) (local.get $x))))
            (local.set $x (v128.load offset=16 (local.get $col)))
            (local.set $s1 (f64x2.add (local.get $s1) (f64x2.mul (local.get $b0) (local.get $x))))
            (local.set $u1 (f64x2.add (local.get $u1) (f64x2.mul (local.get $b1) (local.get $x))))
            (local.set $ra (i32.add (local.get $ra) (local.get $kpb)))
            (local.set $rb (i32.add (local.get $rb) (local.get $kpb)))
            (local.set $col (i32.add (local.get $col) (local.get $kpb)))
            (local.set $w (i32.add (local.get $w) (i32.const 8)))
            (br $rows12)))
        (v128.store (local.get $oa) (local.get $p0))
        (v128.store (local.get $oa2) (local.get $q0))
        (v128.store (local.get $ob) (local.get $s0))
        (v128.store offset=16 (local.get $ob) (local.get $s1))
        (v128.store (local.get $ob2) (local.get $u0))
        (v128.store offset=16 (local.get $ob2) (local.get $u1))
        (return)))
    (if (i32.eq (local.get $kind) (i32.const 17))
      (then
        (block $done11
          (loop $rows11
            (br_if $done11 (i32.ge_u (local.get $w) (local.get $end)))
            (local.set $ws (v128.load64_splat (local.get $w)))
            (local.set $tt (f64x2.mul (local.get $ws) (v128.load (local.get $ra))))
            (local.set $a0 (i8x16.shuffle 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 (local.get $tt) (local.get $tt)))
            (local.set $a1 (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $tt) (local.get $tt)))
            (local.set $tt (f64x2.mul (local.get $ws) (v128.load (local.get $rb))))
            (local.set $b0 (i8x16.shuffle 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 (local.get $tt) (local.get $tt)))
            (local.set $b1 (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $tt) (local.get $tt)))
            (local.set $x (v128.load (local.get $col)))
            (local.set $p0 (f64x2.add (local.get $p0) (f64x2.mul (local.get $a0) (local.get $x))))
            (local.set $q0 (f64x2.add (local.get $q0) (f64x2.mul (local.get $a1) (local.get $x))))
            (local.set $s0 (f64x2.add (local.get $s0) (f64x2.mul (local.get $b0) (local.get $x))))
            (local.set $u0 (f64x2.add (local.get $u0) (f64x2.mul (local.get $b1) (local.get $x))))
            (local.set $ra (i32.add (local.get $ra) (local.get $kpb)))
            (local.set $rb (i32.add (local.get $rb) (local.get $kpb)))
            (local.set $col (i32.add (local.get $col) (local.get $kpb)))
            (local.set $w (i32.add (local.get $w) (i32.const 8)))
            (br $rows11)))
        (v128.store (local.get $oa) (local.get $p0))
        (v128.store (local.get $oa2) (local.get $q0))
        (v128.store (local.get $ob) (local.get $s0))
        (v128.store (local.get $ob2) (local.get $u0))
        (return))))


  ;; score(xr, r, out, n, kpb, nv): out[j] = sum over i (in order) of r[i] X[i][j] for j < 2 nv (X row-major,
  ;; rows of kpb bytes), the score X'r of Newton's step: one pass over the samples for up to 8 f64x2 of
  ;; columns (eight accumulators; 4-column blocks took two passes for 14 columns), then
  ;; passes of 8 or 4. A pass of 8 reads at most the row's kpb bytes (nv >= 5 left means the row has them).
  (func $score (export "score")
    (param $xr i32) (param $r i32) (param $out i32) (param $n i32) (param $kpb i32) (param $nv i32)
    (local $row i32) (local $rp i32) (local $end i32) (local $t v128)
    (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128) (local $s4 v128) (local $s5 v128) (local $s6 v128) (local $s7 v128)
    (local.set $end (i32.add (local.get $r) (i32.shl (local.get $n) (i32.const 3))))
    (block $passes_done
      (loop $passes
        (br_if $passes_done (i32.le_s (local.get $nv) (i32.const 0)))
        (local.set $row (local.get $xr))
        (local.set $rp (local.get $r))
        (if (i32.gt_s (local.get $nv) (i32.const 4))
          (then
            (local.set $s0 (v128.const i64x2 0 0)) (local.set $s1 (v128.const i64x2 0 0)) (local.set $s2 (v128.const i64x2 0 0)) (local.set $s3 (v128.const i64x2 0 0)) (local.set $s4 (v128.const i64x2 0 0)) (local.set $s5 (v128.const i64x2 0 0)) (local.set $s6 (v128.const i64x2 0 0)) (local.set $s7 (v128.const i64x2 0 0))
            (block $rows8_done
              (loop $rows8
                (br_if $rows8_done (i32.ge_u (local.get $rp) (local.get $end)))
                (local.set $t (v128.load64_splat (local.get $rp)))
                (local.set $s0 (f64x2.add (local.get $s0) (f64x2.mul (local.get $t) (v128.load (local.get $row)))))
                (local.set $s1 (f64x2.add (local.get $s1) (f64x2.mul (local.get $t) (v128.load offset=16 (local.get $row)))))
                (local.set $s2 (f64x2.add (local.get $s2) (f64x2.mul (local.get $t) (v128.load offset=32 (local.get $row)))))
                (local.set $s3 (f64x2.add (local.get $s3) (f64x2.mul (local.get $t) (v128.load offset=48 (local.get $row)))))
                (local.set $s4 (f64x2.add (local.get $s4) (f64x2.mul (local.get $t) (v128.load offset=64 (local.get $row)))))
                (local.set $s5 (f64x2.add (local.get $s5) (f64x2.mul (local.get $t) (v128.load offset=80 (local.get $row)))))
                (local.set $s6 (f64x2.add (local.get $s6) (f64x2.mul (local.get $t) (v128.load offset=96 (local.get $row)))))
                (local.set $s7 (f64x2.add (local.get $s7) (f64x2.mul (local.get $t) (v128.load offset=112 (local.get $row)))))
                (local.set $row (i32.add (local.get $row) (local.get $kpb)))
                (local.set $rp (i32.add (local.get $rp) (i32.const 8)))
                (br $rows8)))
            (v128.store (local.get $out) (local.get $s0))
            (v128.store offset=16 (local.get $out) (local.get $s1))
            (v128.store offset=32 (local.get $out) (local.get $s2))
            (v128.store offset=48 (local.get $out) (local.get $s3))
            (v128.store offset=64 (local.get $out) (local.get $s4))
            (v128.store offset=80 (local.get $out) (local.get $s5))
            (v128.store offset=96 (local.get $out) (local.get $s6))
            (v128.store offset=112 (local.get $out) (local.get $s7))
            (local.set $xr (i32.add (local.get $xr) (i32.const 128)))
            (local.set $out (i32.add (local.get $out) (i32.const 128)))
            (local.set $nv (i32.sub (local.get $nv) (i32.const 8)))
            (br $passes)))
        (local.set $s0 (v128.const i64x2 0 0)) (local.set $s1 (v128.const i64x2 0 0)) (local.set $s2 (v128.const i64x2 0 0)) (local.set $s3 (v128.const i64x2 0 0))
        (block $rows4_done
          (loop $rows4
            (br_if $rows4_done (i32.ge_u (local.get $rp) (local.get $end)))
            (local.set $t (v128.load64_splat (local.get $rp)))
            (local.set $s0 (f64x2.add (local.get $s0) (f64x2.mul (local.get $t) (v128.load (local.get $row)))))
            (local.set $s1 (f64x2.add (local.get $s1) (f64x2.mul (local.get $t) (v128.load offset=16 (local.get $row)))))
            (local.set $s2 (f64x2.add (local.get $s2) (f64x2.mul (local.get $t) (v128.load offset=32 (local.get $row)))))
            (local.set $s3 (f64x2.add (local.get $s3) (f64x2.mul (local.get $t) (v128.load offset=48 (local.get $row)))))
            (local.set $row (i32.add (local.get $row) (local.get $kpb)))
            (local.set $rp (i32.add (local.get $rp) (i32.const 8)))
            (br $rows4)))
        (v128.store (local.get $out) (local.get $s0))
        (v128.store offset=16 (local.get $out) (local.get $s1))
        (v128.store offset=32 (local.get $out) (local.get $s2))
        (v128.store offset=48 (local.get $out) (local.get $s3))
        (local.set $xr (i32.add (local.get $xr) (i32.const 64)))
        (local.set $out (i32.add (local.get $out) (i32.const 64)))
        (local.set $nv (i32.sub (local.get $nv) (i32.const 4)))
        (br $passes))))

  ;; dosage(xr, wr, out, xo, n, kpb, k): the dosage entries of Newton's first step from the null start
  ;; (logistic.ts nullStep): with d = X[i][0] and WR = (w0_i, r0_i) interleaved (the null start's weights
  ;; and residuals), out[j] = sum over i of d (w0_i X[i][j]) for j < k (passes of 14 columns; a pass
  ;; may also fill up to 13 entries past k, scratch: its loads past a row's k columns read the next
  ;; row, or past the last row the slot's XC), xo[0] = sum (w0_i d) d and xo[1] = sum (r0_i d) 1
  ;; (X[i][0..1] = (d, 1)); each sum in sample order. k <= 8: one pass of 8 columns.
  (func $dosage (export "dosage")
    (param $xr i32) (param $wr i32) (param $out i32) (param $xo i32) (param $n i32) (param $kpb i32) (param $k i32)
    (local $end i32) (local $cb i32) (local $row i32) (local $col i32) (local $p i32) (local $o i32)
    (local $d v128) (local $v v128) (local $w0 v128) (local $sx v128)
    (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128) (local $s4 v128) (local $s5 v128) (local $s6 v128)
    (local.set $end (i32.add (local.get $wr) (i32.shl (local.get $n) (i32.const 4))))
    (block $passes_done
      (loop $passes
        (br_if $passes_done (i32.ge_u (local.get $cb) (i32.shl (local.get $k) (i32.const 3))))
        (local.set $row (local.get $xr))
        (local.set $col (i32.add (local.get $xr) (local.get $cb)))
        (local.set $p (local.get $wr))
        (local.set $o (i32.add (local.get $out) (local.get $cb)))
        (local.set $sx (v128.const i64x2 0 0))
        (local.set $s0 (v128.const i64x2 0 0)) (local.set $s1 (v128.const i64x2 0 0)) (local.set $s2 (v128.const i64x2 0 0)) (local.set $s3 (v128.const i64x2 0 0))
        (local.set $s4 (v128.const i64x2 0 0)) (local.set $s5 (v128.const i64x2 0 0)) (local.set $s6 (v128.const i64x2 0 0))
        (if (i32.le_u (local.get $k) (i32.const 8))
          (then
            (block $rows4_done
              (loop $rows4
                (br_if $rows4_done (i32.ge_u (local.get $p) (local.get $end)))
                (local.set $d (v128.load64_splat (local.get $row)))
                ;; ((w0_i d) d, (r0_i d) 1)
                (local.set $v (f64x2.mul (v128.load (local.get $p)) (local.get $d)))
                (local.set $sx (f64x2.add (local.get $sx) (f64x2.mul (local.get $v) (v128.load (local.get $row)))))
                (local.set $w0 (v128.load64_splat (local.get $p)))
                (local.set $s0 (f64x2.add (local.get $s0) (f64x2.mul (local.get $d) (f64x2.mul (local.get $w0) (v128.load (local.get $col))))))
                (local.set $s1 (f64x2.add (local.get $s1) (f64x2.mul (local.get $d) (f64x2.mul (local.get $w0) (v128.load offset=16 (local.get $col))))))
                (local.set $s2 (f64x2.add (local.get $s2) (f64x2.mul (local.get $d) (f64x2.mul (local.get $w0) (v128.load offset=32 (local.get $col))))))
                (local.set $s3 (f64x2.add (local.get $s3) (f64x2.mul (local.get $d) (f64x2.mul (local.get $w0) (v128.load offset=48 (local.get $col))))))
                (local.set $row (i32.add (local.get $row) (local.get $kpb)))
                (local.set $col (i32.add (local.get $col) (local.get $kpb)))
                (local.set $p (i32.add (local.get $p) (i32.const 16)))
                (br $rows4)))
            (v128.store (local.get $o) (local.get $s0))
            (v128.store offset=16 (local.get $o) (local.get $s1))
            (v128.store offset=32 (local.get $o) (local.get $s2))
            (v128.store offset=48 (local.get $o) (local.get $s3))
            (local.set $cb (i32.const 112)))
          (else
            (block $rows7_done
              (loop $rows7
                (br_if $rows7_done (i32.ge_u (local.get $p) (local.get $end)))
                (local.set $d (v128.load64_splat (local.get $row)))
                ;; ((w0_i d) d, (r0_i d) 1)
                (local.set $v (f64x2.mul (v128.load (local.get $p)) (local.get $d)))
                (local.set $sx (f64x2.add (local.get $sx) (f64x2.mul (local.get $v) (v128.load (local.get $row)))))
                (local.set $w0 (v128.load64_splat (local.get $p)))
                (local.set $s0 (f64x2.add (local.get $s0) (f64x2.mul (local.get $d) (f64x2.mul (local.get $w0) (v128.load (local.get $col))))))
                (local.set $s1 (f64x2.add (local.get $s1) (f64x2.mul (local.get $d) (f64x2.mul (local.get $w0) (v128.load offset=16 (local.get $col))))))
                (local.set $s2 (f64x2.add (local.get $s2) (f64x2.mul (local.get $d) (f64x2.mul (local.get $w0) (v128.load offset=32 (local.get $col))))))
                (local.set $s3 (f64x2.add (local.get $s3) (f64x2.mul (local.get $d) (f64x2.mul (local.get $w0) (v128.load offset=48 (local.get $col))))))
                (local.set $s4 (f64x2.add (local.get $s4) (f64x2.mul (local.get $d) (f64x2.mul (local.get $w0) (v128.load offset=64 (local.get $col))))))
                (local.set $s5 (f64x2.add (local.get $s5) (f64x2.mul (local.get $d) (f64x2.mul (local.get $w0) (v128.load offset=80 (local.get $col))))))
                (local.set $s6 (f64x2.add (local.get $s6) (f64x2.mul (local.get $d) (f64x2.mul (local.get $w0) (v128.load offset=96 (local.get $col))))))
                (local.set $row (i32.add (local.get $row) (local.get $kpb)))
                (local.set $col (i32.add (local.get $col) (local.get $kpb)))
                (local.set $p (i32.add (local.get $p) (i32.const 16)))
                (br $rows7)))
            (v128.store (local.get $o) (local.get $s0))
            (v128.store offset=16 (local.get $o) (local.get $s1))
            (v128.store offset=32 (local.get $o) (local.get $s2))
            (v128.store offset=48 (local.get $o) (local.get $s3))
            (v128.store offset=64 (local.get $o) (local.get $s4))
            (v128.store offset=80 (local.get $o) (local.get $s5))
            (v128.store offset=96 (local.get $o) (local.get $s6))
            (local.set $cb (i32.add (local.get $cb) (i32.const 112)))))
        (br $passes)))
    (v128.store (local.get $xo) (local.get $sx)))


  ;; firthr(xc, ldb, li, k, w, act, y, pr, r, n8): Firth's modified residual from the hat diagonal by
  ;; the inverse Cholesky factor li = L^-1 (k x k row-major, lower triangle read): for i < n8,
  ;; z_a = sum over c <= a of li[a][c] X[i][c] (in order), h = w[i] (sum over a of z_a z_a, in order),
  ;; r[i] = act[i] ((y[i] - pr[i]) + h (1/2 - pr[i])); eight samples a pass (four f64x2 chains).
  ;; X column-major (columns of ldb bytes; padding samples zeros, act 0). The twin of firthResidual in src/stats/logistic.ts.
  (func (export "firthr")
    (param $xc i32) (param $ldb i32) (param $li i32) (param $k i32) (param $w i32) (param $act i32)
    (param $y i32) (param $pr i32) (param $r i32) (param $n8 i32)
    (local $i i32) (local $iend i32) (local $a i32) (local $la i32) (local $lc i32) (local $lend i32) (local $pc i32)
    (local $iv v128)
    (local $z0 v128) (local $z1 v128) (local $z2 v128) (local $z3 v128)
    (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128)
    (local.set $iend (i32.shl (local.get $n8) (i32.const 3)))
    (local.set $i (i32.const 0))
    (block $samples_done
      (loop $samples
        (br_if $samples_done (i32.ge_u (local.get $i) (local.get $iend)))
        (local.set $s0 (v128.const i64x2 0 0)) (local.set $s1 (v128.const i64x2 0 0))
        (local.set $s2 (v128.const i64x2 0 0)) (local.set $s3 (v128.const i64x2 0 0))
        (local.set $la (local.get $li))
        (local.set $a (i32.const 0))
        (block $a_done
          (loop $as
            (br_if $a_done (i32.ge_u (local.get $a) (local.get $k)))
            (local.set $z0 (v128.const i64x2 0 0)) (local.set $z1 (v128.const i64x2 0 0))
            (local.set $z2 (v128.const i64x2 0 0)) (local.set $z3 (v128.const i64x2 0 0))
            (local.set $pc (i32.add (local.get $xc) (local.get $i)))
            (local.set $lc (local.get $la))
            ;; columns c = 0..a of row a
            (local.set $lend (i32.add (local.get $la) (i32.shl (local.get $a) (i32.const 3))))
            (loop $cs
              (local.set $iv (v128.load64_splat (local.get $lc)))
              (local.set $z0 (f64x2.add (local.get $z0) (f64x2.mul (local.get $iv) (v128.load (local.get $pc)))))
              (local.set $z1 (f64x2.add (local.get $z1) (f64x2.mul (local.get $iv) (v128.load offset=16 (local.get $pc)))))
              (local.set $z2 (f64x2.add (local.get $z2) (f64x2.mul (local.get $iv) (v128.load offset=32 (local.get $pc)))))
              (local.set $z3 (f64x2.add (local.get $z3) (f64x2.mul (local.get $iv) (v128.load offset=48 (local.get $pc)))))
              (local.set $pc (i32.add (local.get $pc) (local.get $ldb)))
              (local.set $lc (i32.add (local.get $lc) (i32.const 8)))
              (br_if $cs (i32.le_u (local.get $lc) (local.get $lend))))
            (local.set $s0 (f64x2.add (local.get $s0) (f64x2.mul (local.get $z0) (local.get $z0))))
            (local.set $s1 (f64x2.add (local.get $s1) (f64x2.mul (local.get $z1) (local.get $z1))))
            (local.set $s2 (f64x2.add (local.get $s2) (f64x2.mul (local.get $z2) (local.get $z2))))
            (local.set $s3 (f64x2.add (local.get $s3) (f64x2.mul (local.get $z3) (local.get $z3))))
            (local.set $la (i32.add (local.get $la) (i32.shl (local.get $k) (i32.const 3))))
            (local.set $a (i32.add (local.get $a) (i32.const 1)))
            (br $as)))
        (call $firth_resid (i32.add (local.get $w) (local.get $i)) (i32.add (local.get $act) (local.get $i))
          (i32.add (local.get $y) (local.get $i)) (i32.add (local.get $pr) (local.get $i)) (i32.add (local.get $r) (local.get $i))
          (local.get $s0) (local.get $s1))
        (call $firth_resid (i32.add (local.get $w) (i32.add (local.get $i) (i32.const 32)))
          (i32.add (local.get $act) (i32.add (local.get $i) (i32.const 32)))
          (i32.add (local.get $y) (i32.add (local.get $i) (i32.const 32)))
          (i32.add (local.get $pr) (i32.add (local.get $i) (i32.const 32)))
          (i32.add (local.get $r) (i32.add (local.get $i) (i32.const 32)))
          (local.get $s2) (local.get $s3))
        (local.set $i (i32.add (local.get $i) (i32.const 64)))
        (br $samples))))

  ;; firth_resid(w, act, y, pr, r, s0, s1): for the four samples at these addresses, h = w s and
  ;; r = act ((y - pr) + h (1/2 - pr)) (s0 the first two samples' sums, s1 the next two).
  (func $firth_resid
    (param $w i32) (param $act i32) (param $y i32) (param $pr i32) (param $r i32) (param $s0 v128) (param $s1 v128)
    (local $p v128) (local $h v128)
    (local.set $p (v128.load (local.get $pr)))
    (local.set $h (f64x2.mul (v128.load (local.get $w)) (local.get $s0)))
    (v128.store (local.get $r) (f64x2.mul (v128.load (local.get $act))
      (f64x2.add (f64x2.sub (v128.load (local.get $y)) (local.get $p)) (f64x2.mul (local.get $h) (f64x2.sub (global.get $HALF) (local.get $p))))))
    (local.set $p (v128.load offset=16 (local.get $pr)))
    (local.set $h (f64x2.mul (v128.load offset=16 (local.get $w)) (local.get $s1)))
    (v128.store offset=16 (local.get $r) (f64x2.mul (v128.load offset=16 (local.get $act))
      (f64x2.add (f64x2.sub (v128.load offset=16 (local.get $y)) (local.get $p)) (f64x2.mul (local.get $h) (f64x2.sub (global.get $HALF) (local.get $p)))))))

  ;; eta(xc, ldb, b, k, out, n8): out[i] = X[i][0] b[0] + X[i][1] b[1] + ... (in order) for i < n8,
  ;; eight samples a pass; X column-major (columns of ldb bytes).
  (func $eta (export "eta")
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

;; laststep(e, z, w, pr, n, out): the sums of logistic.ts lastStep, the twin of its JavaScript loop: for
  ;; i < n in order, qe = (w[i] (1 - 2 pr[i])) e[i] and (c2, c3) += qe (z[i] z[i], e[i] z[i]) (one lane
  ;; each) into out (two f64); returns the largest |e[i]| (NaN if any is NaN, as Math.max).
  (func $laststep (export "laststep")
    (param $e i32) (param $z i32) (param $w i32) (param $pr i32) (param $n i32) (param $out i32) (result f64)
    (local $i i32) (local $end i32) (local $acc v128) (local $m f64) (local $ei f64) (local $zi f64) (local $qe f64)
    (local.set $end (i32.shl (local.get $n) (i32.const 3)))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $ei (f64.load (i32.add (local.get $e) (local.get $i))))
        (local.set $zi (f64.load (i32.add (local.get $z) (local.get $i))))
        (local.set $qe (f64.mul
          (f64.mul (f64.load (i32.add (local.get $w) (local.get $i)))
            (f64.sub (f64.const 1) (f64.mul (f64.const 2) (f64.load (i32.add (local.get $pr) (local.get $i))))))
          (local.get $ei)))
        (local.set $acc (f64x2.add (local.get $acc) (f64x2.mul (f64x2.splat (local.get $qe))
          (f64x2.mul (f64x2.replace_lane 1 (f64x2.splat (local.get $zi)) (local.get $ei)) (f64x2.splat (local.get $zi))))))
        (local.set $m (f64.max (local.get $m) (f64.abs (local.get $ei))))
        (local.set $i (i32.add (local.get $i) (i32.const 8)))
        (br $each)))
    (v128.store (local.get $out) (local.get $acc))
    (local.get $m))

  ;; The constants of exp_neg, log1p_unit and sig, as in src/stats/logit-math.ts. Globals, not v128.const
  ;; in the loops: V8 rematerialises a v128.const inside the loop with three instructions (two on the
  ;; shuffle port) where a global is one load (n = 10,000: 8.5 -> 5 ns a sample).
  (global $LOG2E v128 (v128.const f64x2 0x1.71547652b82fep+0 0x1.71547652b82fep+0))
  (global $SHIFT v128 (v128.const f64x2 0x1.8p+52 0x1.8p+52))
  (global $SHIFT_BITS v128 (v128.const i64x2 0x4338000000000000 0x4338000000000000))
  (global $LN2_HI v128 (v128.const f64x2 0x1.62e42fefa38p-1 0x1.62e42fefa38p-1))
  (global $LN2_LO v128 (v128.const f64x2 0x1.ef35793c7673p-45 0x1.ef35793c7673p-45))
  (global $EXP_MIN v128 (v128.const f64x2 -746 -746))
  (global $BIAS v128 (v128.const i64x2 1023 1023))
  (global $HALF v128 (v128.const f64x2 0.5 0.5))
  (global $E3 v128 (v128.const f64x2 0x1.5555555555555p-3 0x1.5555555555555p-3))
  (global $E4 v128 (v128.const f64x2 0x1.5555555555555p-5 0x1.5555555555555p-5))
  (global $E5 v128 (v128.const f64x2 0x1.1111111111111p-7 0x1.1111111111111p-7))
  (global $E6 v128 (v128.const f64x2 0x1.6c16c16c16c17p-10 0x1.6c16c16c16c17p-10))
  (global $E7 v128 (v128.const f64x2 0x1.a01a01a01a01ap-13 0x1.a01a01a01a01ap-13))
  (global $E8 v128 (v128.const f64x2 0x1.a01a01a01a01ap-16 0x1.a01a01a01a01ap-16))
  (global $E9 v128 (v128.const f64x2 0x1.71de3a556c734p-19 0x1.71de3a556c734p-19))
  (global $E10 v128 (v128.const f64x2 0x1.27e4fb7789f5cp-22 0x1.27e4fb7789f5cp-22))
  (global $E11 v128 (v128.const f64x2 0x1.ae64567f544e4p-26 0x1.ae64567f544e4p-26))
  (global $E12 v128 (v128.const f64x2 0x1.1eed8eff8d898p-29 0x1.1eed8eff8d898p-29))
  (global $E13 v128 (v128.const f64x2 0x1.6124613a86d09p-33 0x1.6124613a86d09p-33))
  (global $SQRT2 v128 (v128.const f64x2 0x1.6a09e667f3bcdp+0 0x1.6a09e667f3bcdp+0))
  (global $L3 v128 (v128.const f64x2 0x1.5555555555555p-1 0x1.5555555555555p-1))
  (global $L5 v128 (v128.const f64x2 0x1.999999999999ap-2 0x1.999999999999ap-2))
  (global $L7 v128 (v128.const f64x2 0x1.2492492492492p-2 0x1.2492492492492p-2))
  (global $L9 v128 (v128.const f64x2 0x1.c71c71c71c71cp-3 0x1.c71c71c71c71cp-3))
  (global $L11 v128 (v128.const f64x2 0x1.745d1745d1746p-3 0x1.745d1745d1746p-3))
  (global $L13 v128 (v128.const f64x2 0x1.3b13b13b13b14p-3 0x1.3b13b13b13b14p-3))
  (global $L15 v128 (v128.const f64x2 0x1.1111111111111p-3 0x1.1111111111111p-3))
  (global $L17 v128 (v128.const f64x2 0x1.e1e1e1e1e1e1ep-4 0x1.e1e1e1e1e1e1ep-4))
  (global $L19 v128 (v128.const f64x2 0x1.af286bca1af28p-4 0x1.af286bca1af28p-4))
  (global $L21 v128 (v128.const f64x2 0x1.8618618618618p-4 0x1.8618618618618p-4))
  (global $L23 v128 (v128.const f64x2 0x1.642c8590b2164p-4 0x1.642c8590b2164p-4))
  (global $ZERO v128 (v128.const f64x2 0 0))
  (global $ONE v128 (v128.const f64x2 1 1))
  (global $TWO v128 (v128.const f64x2 2 2))

  ;; exp_neg(src, dst, n2): dst[i] = e^x with x = -|src[i]| clamped at -746 (pmax: NaN stays NaN; e^-746
  ;; rounds to 0) for i < n2 (even), one f64x2 a pass. The twin of expNeg in src/stats/logit-math.ts
  ;; (same constants, same operations). x = k ln2 + r: t = x log2(e) + 1.5 2^52 rounds k to the nearest
  ;; integer and leaves it in t's low bits; r = (x - k LN2_HI) - k LN2_LO, |r| <= ln2/2; e^r by its
  ;; Taylor series to r^13/13! (remainder < 0.05 ulp) as 1 + (r + r^2 P(r)), P(r) = 1/2! + r/3! + ...
  ;; + r^11/13! by Estrin's scheme (pairs c + c' r, then in r^2, then in r^4: a short dependency
  ;; chain); then times 2^k1 and 2^k2 made in the exponent bits, k1 = floor(k/2) and k2 = k - k1 both
  ;; >= -539, so only a subnormal result rounds.
  (func $exp_neg (param $src i32) (param $dst i32) (param $n2 i32)
    (local $end i32) (local $x v128) (local $t v128) (local $kf v128) (local $r v128) (local $r2 v128) (local $r4 v128)
    (local $p v128) (local $k v128) (local $k1 v128)
    (local.set $end (i32.add (local.get $src) (i32.shl (local.get $n2) (i32.const 3))))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $src) (local.get $end)))
        (local.set $x (f64x2.pmax (f64x2.neg (f64x2.abs (v128.load (local.get $src)))) (global.get $EXP_MIN)))
        (local.set $t (f64x2.add (f64x2.mul (local.get $x) (global.get $LOG2E)) (global.get $SHIFT)))
        (local.set $kf (f64x2.sub (local.get $t) (global.get $SHIFT)))
        (local.set $r (f64x2.sub
          (f64x2.sub (local.get $x) (f64x2.mul (local.get $kf) (global.get $LN2_HI)))
          (f64x2.mul (local.get $kf) (global.get $LN2_LO))))
        (local.set $r2 (f64x2.mul (local.get $r) (local.get $r)))
        (local.set $r4 (f64x2.mul (local.get $r2) (local.get $r2)))
        ;; P = (1/2! + r/3! + r^2 (1/4! + r/5!)) + r^4 ((1/6! + r/7! + r^2 (1/8! + r/9!))
        ;;     + r^4 (1/10! + r/11! + r^2 (1/12! + r/13!)))
        (local.set $p (f64x2.add
          (f64x2.add (f64x2.add (global.get $HALF) (f64x2.mul (global.get $E3) (local.get $r)))
            (f64x2.mul (local.get $r2) (f64x2.add (global.get $E4) (f64x2.mul (global.get $E5) (local.get $r)))))
          (f64x2.mul (local.get $r4) (f64x2.add
            (f64x2.add (f64x2.add (global.get $E6) (f64x2.mul (global.get $E7) (local.get $r)))
              (f64x2.mul (local.get $r2) (f64x2.add (global.get $E8) (f64x2.mul (global.get $E9) (local.get $r)))))
            (f64x2.mul (local.get $r4) (f64x2.add (f64x2.add (global.get $E10) (f64x2.mul (global.get $E11) (local.get $r)))
              (f64x2.mul (local.get $r2) (f64x2.add (global.get $E12) (f64x2.mul (global.get $E13) (local.get $r))))))))))
        (local.set $p (f64x2.add (global.get $ONE) (f64x2.add (local.get $r) (f64x2.mul (local.get $r2) (local.get $p)))))
        ;; k = bits(t) - bits(1.5 2^52); 2^j has the bits (j + 1023) << 52, of which the shift keeps
        ;; only the low 12 bits of j + 1023: so k1 = k >> 1 on 32-bit lanes (one instruction; the 64-bit
        ;; arithmetic shift is emulated by several on x64) is as good
        (local.set $k (i64x2.sub (local.get $t) (global.get $SHIFT_BITS)))
        (local.set $k1 (i32x4.shr_s (local.get $k) (i32.const 1)))
        (v128.store (local.get $dst) (f64x2.mul
          (f64x2.mul (local.get $p) (i64x2.shl (i64x2.add (local.get $k1) (global.get $BIAS)) (i32.const 52)))
          (i64x2.shl (i64x2.add (i64x2.sub (local.get $k) (local.get $k1)) (global.get $BIAS)) (i32.const 52))))
        (local.set $src (i32.add (local.get $src) (i32.const 16)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
        (br $each))))

  ;; log1p_unit(src, dst, n2): dst[i] = ln(1 + u), u = src[i] in [0, 1] (NaN stays NaN) for i < n2
  ;; (even), one f64x2 a pass; the twin of log1pUnit in src/stats/logit-math.ts. m = 1 + u rounded,
  ;; c = (u - (m - 1)) / m its rounding error; m = 2^j f with f in (sqrt(1/2), sqrt 2]; d = f - 1
  ;; (exact), s = d / (2 + d), ln f = 2 atanh s = d - s (d - q s^2) with q = 2/3 + 2/5 s^2 + ... +
  ;; 2/23 s^20 (Horner in z = s^2); ln(1 + u) = j LN2_HI + (ln f + (c + j LN2_LO)).
  (func $log1p_unit (param $src i32) (param $dst i32) (param $n2 i32)
    (local $end i32) (local $u v128) (local $m v128) (local $c v128) (local $big v128) (local $d v128) (local $s v128)
    (local $z v128) (local $q v128)
    (local.set $end (i32.add (local.get $src) (i32.shl (local.get $n2) (i32.const 3))))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $src) (local.get $end)))
        (local.set $u (v128.load (local.get $src)))
        (local.set $m (f64x2.add (global.get $ONE) (local.get $u)))
        (local.set $c (f64x2.div (f64x2.sub (local.get $u) (f64x2.sub (local.get $m) (global.get $ONE))) (local.get $m)))
        (local.set $big (f64x2.gt (local.get $m) (global.get $SQRT2)))
        (local.set $d (f64x2.sub
          (v128.bitselect (f64x2.mul (local.get $m) (global.get $HALF)) (local.get $m) (local.get $big))
          (global.get $ONE)))
        (local.set $s (f64x2.div (local.get $d) (f64x2.add (global.get $TWO) (local.get $d))))
        (local.set $z (f64x2.mul (local.get $s) (local.get $s)))
        ;; q: 2/23, 2/21, ..., 2/3
        (local.set $q (global.get $L23))
        (local.set $q (f64x2.add (f64x2.mul (local.get $q) (local.get $z)) (global.get $L21)))
        (local.set $q (f64x2.add (f64x2.mul (local.get $q) (local.get $z)) (global.get $L19)))
        (local.set $q (f64x2.add (f64x2.mul (local.get $q) (local.get $z)) (global.get $L17)))
        (local.set $q (f64x2.add (f64x2.mul (local.get $q) (local.get $z)) (global.get $L15)))
        (local.set $q (f64x2.add (f64x2.mul (local.get $q) (local.get $z)) (global.get $L13)))
        (local.set $q (f64x2.add (f64x2.mul (local.get $q) (local.get $z)) (global.get $L11)))
        (local.set $q (f64x2.add (f64x2.mul (local.get $q) (local.get $z)) (global.get $L9)))
        (local.set $q (f64x2.add (f64x2.mul (local.get $q) (local.get $z)) (global.get $L7)))
        (local.set $q (f64x2.add (f64x2.mul (local.get $q) (local.get $z)) (global.get $L5)))
        (local.set $q (f64x2.add (f64x2.mul (local.get $q) (local.get $z)) (global.get $L3)))
        (v128.store (local.get $dst) (f64x2.add
          (v128.and (local.get $big) (global.get $LN2_HI))
          (f64x2.add
            (f64x2.sub (local.get $d) (f64x2.mul (local.get $s) (f64x2.sub (local.get $d) (f64x2.mul (local.get $q) (local.get $z)))))
            (f64x2.add (local.get $c) (v128.and (local.get $big) (global.get $LN2_LO))))))
        (local.set $src (i32.add (local.get $src) (i32.const 16)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
        (br $each))))

  ;; sig(eta, act, y, pr, w, r, ex, lg, n4, ll): the sigmoid pass of a fit, the twin of sigmoid in
  ;; src/stats/logit-math.ts, for samples i < n4 (a multiple of 4; padding samples need act 0):
  ;; ex = e^-|eta| (exp_neg, into ex), pr = (eta >= 0 ? 1 : ex) / (1 + ex), w = act pr (1 - pr),
  ;; r = act (y - pr), two f64x2 a pass. With ll != 0 returns the log-likelihood: minus the sum over
  ;; samples with act != 0 of max(+-eta, 0) + ln(1 + ex) (-eta for cases; log1p_unit into lg), in
  ;; partial sums by i mod 4 (the lanes of two accumulators) added as (s0 + s2) + (s1 + s3); else 0.
  (func $sig (export "sig")
    (param $eta i32) (param $act i32) (param $y i32) (param $pr i32) (param $w i32) (param $r i32)
    (param $ex i32) (param $lg i32) (param $n4 i32) (param $ll i32)
    (result f64)
    (local $i i32) (local $iend i32) (local $sum0 v128) (local $sum1 v128)
    (local $e0 v128) (local $e1 v128) (local $x0 v128) (local $x1 v128) (local $p0 v128) (local $p1 v128)
    (local $a0 v128) (local $a1 v128) (local $y0 v128) (local $y1 v128) (local $ey v128)
    (call $exp_neg (local.get $eta) (local.get $ex) (local.get $n4))
    (if (local.get $ll) (then (call $log1p_unit (local.get $ex) (local.get $lg) (local.get $n4))))
    (local.set $iend (i32.shl (local.get $n4) (i32.const 3)))
    (local.set $i (i32.const 0))
    (block $samples_done
      (loop $samples
        (br_if $samples_done (i32.ge_u (local.get $i) (local.get $iend)))
        (local.set $e0 (v128.load (i32.add (local.get $eta) (local.get $i))))
        (local.set $e1 (v128.load offset=16 (i32.add (local.get $eta) (local.get $i))))
        (local.set $x0 (v128.load (i32.add (local.get $ex) (local.get $i))))
        (local.set $x1 (v128.load offset=16 (i32.add (local.get $ex) (local.get $i))))
        (local.set $p0 (f64x2.div
          (v128.bitselect (global.get $ONE) (local.get $x0) (f64x2.ge (local.get $e0) (global.get $ZERO)))
          (f64x2.add (global.get $ONE) (local.get $x0))))
        (local.set $p1 (f64x2.div
          (v128.bitselect (global.get $ONE) (local.get $x1) (f64x2.ge (local.get $e1) (global.get $ZERO)))
          (f64x2.add (global.get $ONE) (local.get $x1))))
        (local.set $a0 (v128.load (i32.add (local.get $act) (local.get $i))))
        (local.set $a1 (v128.load offset=16 (i32.add (local.get $act) (local.get $i))))
        (local.set $y0 (v128.load (i32.add (local.get $y) (local.get $i))))
        (local.set $y1 (v128.load offset=16 (i32.add (local.get $y) (local.get $i))))
        (v128.store (i32.add (local.get $pr) (local.get $i)) (local.get $p0))
        (v128.store offset=16 (i32.add (local.get $pr) (local.get $i)) (local.get $p1))
        (v128.store (i32.add (local.get $w) (local.get $i))
          (f64x2.mul (f64x2.mul (local.get $a0) (local.get $p0)) (f64x2.sub (global.get $ONE) (local.get $p0))))
        (v128.store offset=16 (i32.add (local.get $w) (local.get $i))
          (f64x2.mul (f64x2.mul (local.get $a1) (local.get $p1)) (f64x2.sub (global.get $ONE) (local.get $p1))))
        (v128.store (i32.add (local.get $r) (local.get $i))
          (f64x2.mul (local.get $a0) (f64x2.sub (local.get $y0) (local.get $p0))))
        (v128.store offset=16 (i32.add (local.get $r) (local.get $i))
          (f64x2.mul (local.get $a1) (f64x2.sub (local.get $y1) (local.get $p1))))
        (if (local.get $ll)
          (then
            ;; max(-eta for a case or eta for a control, 0) as pmax, + ln(1 + ex); 0 where act is 0
            (local.set $ey (v128.bitselect (f64x2.neg (local.get $e0)) (local.get $e0) (f64x2.ne (local.get $y0) (global.get $ZERO))))
            (local.set $sum0 (f64x2.add (local.get $sum0) (v128.and (f64x2.ne (local.get $a0) (global.get $ZERO))
              (f64x2.add (f64x2.pmax (local.get $ey) (global.get $ZERO)) (v128.load (i32.add (local.get $lg) (local.get $i)))))))
            (local.set $ey (v128.bitselect (f64x2.neg (local.get $e1)) (local.get $e1) (f64x2.ne (local.get $y1) (global.get $ZERO))))
            (local.set $sum1 (f64x2.add (local.get $sum1) (v128.and (f64x2.ne (local.get $a1) (global.get $ZERO))
              (f64x2.add (f64x2.pmax (local.get $ey) (global.get $ZERO)) (v128.load offset=16 (i32.add (local.get $lg) (local.get $i)))))))))
        (local.set $i (i32.add (local.get $i) (i32.const 32)))
        (br $samples)))
    (local.set $sum0 (f64x2.add (local.get $sum0) (local.get $sum1)))
    (select
      (f64.neg (f64.add (f64x2.extract_lane 0 (local.get $sum0)) (f64x2.extract_lane 1 (local.get $sum0))))
      (f64.const 0)
      (local.get $ll)))

  ;; chol(h, hs, l, k): the Cholesky factor of h (k rows of hs bytes, lower triangle read: X'WX as
  ;; xwx leaves it, or a k x k copy) into l's lower triangle (k x k row-major; the upper one is scratch), right-looking: column j is divided by its
  ;; pivot's square root (and copied into row j's upper part, so that it is contiguous), then each
  ;; entry (i, m) below it has l[i][j] l[m][j] subtracted, two m a step: entry (i, m) is h_im - l_i0
  ;; l_m0 - l_i1 l_m1 - ... in that order, the twin of cholesky in src/stats/logistic.ts. Returns 0 at
  ;; a pivot not > 0 (or NaN).
  (func (export "chol") (param $h i32) (param $hs i32) (param $l i32) (param $k i32) (result i32)
    (local $kb i32) (local $j i32) (local $i i32) (local $pj i32) (local $pi i32) (local $pm i32) (local $pa i32)
    (local $end i32) (local $stop i32)
    (local $s f64) (local $d f64) (local $lij f64) (local $lv v128)
    (local.set $kb (i32.shl (local.get $k) (i32.const 3)))
    ;; copy h's lower triangle, row i's entries 0..i
    (local.set $i (i32.const 0))
    (block $copied
      (loop $copy
        (br_if $copied (i32.ge_u (local.get $i) (local.get $k)))
        (local.set $pi (i32.add (local.get $l) (i32.mul (local.get $i) (local.get $kb))))
        (local.set $pm (i32.add (local.get $h) (i32.mul (local.get $i) (local.get $hs))))
        (local.set $end (i32.add (local.get $pi) (i32.shl (local.get $i) (i32.const 3))))
        (loop $entry
          (f64.store (local.get $pi) (f64.load (local.get $pm)))
          (local.set $pi (i32.add (local.get $pi) (i32.const 8)))
          (local.set $pm (i32.add (local.get $pm) (i32.const 8)))
          (br_if $entry (i32.le_u (local.get $pi) (local.get $end))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $copy)))
    (local.set $j (i32.const 0))
    (block $cols_done
      (loop $cols
        (br_if $cols_done (i32.ge_u (local.get $j) (local.get $k)))
        ;; pj = &l[j][j]
        (local.set $pj (i32.add (local.get $l) (i32.mul (local.get $j) (i32.add (local.get $kb) (i32.const 8)))))
        (local.set $s (f64.load (local.get $pj)))
        (if (i32.eqz (f64.gt (local.get $s) (f64.const 0))) (then (return (i32.const 0))))
        (local.set $d (f64.sqrt (local.get $s)))
        (f64.store (local.get $pj) (local.get $d))
        ;; l[i][j] /= d for i > j, also kept transposed in row j's unused upper part (l[j][i])
        (local.set $end (i32.add (local.get $l) (i32.mul (local.get $kb) (local.get $k))))
        (local.set $pi (i32.add (local.get $pj) (local.get $kb)))
        (local.set $pm (i32.add (local.get $pj) (i32.const 8)))
        (block $div_done
          (loop $div
            (br_if $div_done (i32.ge_u (local.get $pi) (local.get $end)))
            (local.set $s (f64.div (f64.load (local.get $pi)) (local.get $d)))
            (f64.store (local.get $pi) (local.get $s))
            (f64.store (local.get $pm) (local.get $s))
            (local.set $pi (i32.add (local.get $pi) (local.get $kb)))
            (local.set $pm (i32.add (local.get $pm) (i32.const 8)))
            (br $div)))
        ;; rows i > j: l[i][m] -= l[i][j] l[m][j] for j < m <= i, two m a step (l[m][j] read as l[j][m])
        (local.set $pi (i32.add (local.get $pj) (local.get $kb)))
        (local.set $i (i32.add (local.get $j) (i32.const 1)))
        (block $rows_done
          (loop $rows
            (br_if $rows_done (i32.ge_u (local.get $pi) (local.get $end)))
            (local.set $lij (f64.load (local.get $pi)))
            (local.set $lv (f64x2.splat (local.get $lij)))
            ;; pa walks l[i][m] (m = j+1..i), pm walks l[j][m]; stop = &l[i][i]
            (local.set $pa (i32.add (local.get $pi) (i32.const 8)))
            (local.set $pm (i32.add (local.get $pj) (i32.const 8)))
            (local.set $stop (i32.add (local.get $pi) (i32.shl (i32.sub (local.get $i) (local.get $j)) (i32.const 3))))
            (block $m_done
              (loop $ms
                (br_if $m_done (i32.ge_u (local.get $pa) (local.get $stop)))
                (v128.store (local.get $pa)
                  (f64x2.sub (v128.load (local.get $pa)) (f64x2.mul (local.get $lv) (v128.load (local.get $pm)))))
                (local.set $pm (i32.add (local.get $pm) (i32.const 16)))
                (local.set $pa (i32.add (local.get $pa) (i32.const 16)))
                (br $ms)))
            ;; the last m (= i) when i - j is odd
            (if (i32.eq (local.get $pa) (local.get $stop))
              (then
                (f64.store (local.get $pa)
                  (f64.sub (f64.load (local.get $pa)) (f64.mul (local.get $lij) (f64.load (local.get $pm)))))))
            (local.set $pi (i32.add (local.get $pi) (local.get $kb)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $rows)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $cols)))
    (i32.const 1))

  ;; solve(l, k, x): x = (L L')^-1 x in place (l from chol), forward then backward substitution, each
  ;; sum in the order of cholSolve in src/stats/logistic.ts (its twin).
  (func (export "solve") (param $l i32) (param $k i32) (param $x i32)
    (local $kb i32) (local $i i32) (local $m i32) (local $v f64)
    (local.set $kb (i32.shl (local.get $k) (i32.const 3)))
    (local.set $i (i32.const 0))
    (block $fwd_done
      (loop $fwd
        (br_if $fwd_done (i32.ge_u (local.get $i) (local.get $k)))
        (local.set $v (f64.load (i32.add (local.get $x) (i32.shl (local.get $i) (i32.const 3)))))
        (local.set $m (i32.const 0))
        (block $m_done
          (loop $ms
            (br_if $m_done (i32.ge_u (local.get $m) (local.get $i)))
            (local.set $v (f64.sub (local.get $v)
              (f64.mul (f64.load (i32.add (local.get $l) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $k)) (local.get $m)) (i32.const 3))))
                (f64.load (i32.add (local.get $x) (i32.shl (local.get $m) (i32.const 3)))))))
            (local.set $m (i32.add (local.get $m) (i32.const 1)))
            (br $ms)))
        (f64.store (i32.add (local.get $x) (i32.shl (local.get $i) (i32.const 3)))
          (f64.div (local.get $v) (f64.load (i32.add (local.get $l) (i32.shl (i32.mul (local.get $i) (i32.add (local.get $k) (i32.const 1))) (i32.const 3))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $fwd)))
    (local.set $i (local.get $k))
    (block $bwd_done
      (loop $bwd
        (br_if $bwd_done (i32.eqz (local.get $i)))
        (local.set $i (i32.sub (local.get $i) (i32.const 1)))
        (local.set $v (f64.load (i32.add (local.get $x) (i32.shl (local.get $i) (i32.const 3)))))
        (local.set $m (i32.add (local.get $i) (i32.const 1)))
        (block $m_done
          (loop $ms
            (br_if $m_done (i32.ge_u (local.get $m) (local.get $k)))
            (local.set $v (f64.sub (local.get $v)
              (f64.mul (f64.load (i32.add (local.get $l) (i32.shl (i32.add (i32.mul (local.get $m) (local.get $k)) (local.get $i)) (i32.const 3))))
                (f64.load (i32.add (local.get $x) (i32.shl (local.get $m) (i32.const 3)))))))
            (local.set $m (i32.add (local.get $m) (i32.const 1)))
            (br $ms)))
        (f64.store (i32.add (local.get $x) (i32.shl (local.get $i) (i32.const 3)))
          (f64.div (local.get $v) (f64.load (i32.add (local.get $l) (i32.shl (i32.mul (local.get $i) (i32.add (local.get $k) (i32.const 1))) (i32.const 3))))))
        (br $bwd))))
)
