;; Cross-products of a subset of rows, for a variant with missing dosages (src/stats/gram.ts,
;; MissingSolver). A group's augmented matrix has rows [centred covariates, 1 | centred phenotypes,
;; zero padding] (the first c columns, then the phenotypes; W doubles a row, W a multiple of 4). The
;; rows listed by index are multiplied into sums out[j][k] += x_j x_k, k <= j < w, for every k < c
;; and for k in j's own block of 4 (so a phenotype gets its products with the covariates and its own
;; square, never all the phenotype pairs: linear in the phenotypes). (The missing rows' sums are taken
;; off the full-sample sums by starting from their negation: gram.ts.) Compiled to gram.wasm by
;; `npm run build:wasm` (wabt); test/wasm-source.test.ts checks the binary.
;;
;; Summation order (src/stats/matvec.ts gramJs does the same, so results are bit-identical): every
;; entry is one chain over the listed rows in list order, starting from the value already in out.
;; No fused multiply-add.
;; Blocking: 128 listed rows at a time are copied to a contiguous panel (L1), then swept in
;; register tiles over the panel: 4 x 4 (8 f64x2 accumulators; rows j..j+3 splatted, columns
;; k..k+3 as two vectors), 4 x 4 on the diagonal (6: only k <= j), and for a last pair of rows 2 x 4
;; and 2 x 2. Layout of out (rows ldo = K + 4 doubles apart, K = c rounded up to 4): entry (j, k) at
;; column k, except the diagonal block of rows j0 >= K, at columns K..K+3. Why: docs/decisions/0201.
(module
  (import "e" "m" (memory 1))

  ;; present(miss, n, out) -> count: the indices 0..n-1 not in the ascending list at miss (which
  ;; the caller ends with the sentinel n), written to out as i32; without a branch per index.
  (func $present (export "present") (param $miss i32) (param $n i32) (param $out i32) (result i32)
    (local $i i32) (local $c i32) (local $next i32) (local $hit i32)
    (local.set $next (i32.load (local.get $miss)))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $hit (i32.eq (local.get $i) (local.get $next)))
        (i32.store (i32.add (local.get $out) (i32.shl (local.get $c) (i32.const 2))) (local.get $i))
        (local.set $c (i32.add (local.get $c) (i32.xor (local.get $hit) (i32.const 1))))
        (local.set $miss (i32.add (local.get $miss) (i32.shl (local.get $hit) (i32.const 2))))
        (local.set $next (i32.load (local.get $miss)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $each)))
    (local.get $c))

  ;; gram(x, idx, count, out, w, W, c, panel): x = byte address of row 0 (rows of W doubles),
  ;; idx = byte address of count i32 row indices, out = byte address of the sums (W rows of ldo
  ;; doubles, see above), w = the columns used, c = the covariate columns, panel = byte address of
  ;; 128 x W doubles of scratch.
  (func $gram (export "gram")
    (param $x i32) (param $idx i32) (param $count i32) (param $out i32) (param $w i32) (param $W i32)
    (param $c i32) (param $panel i32)
    (local $ld i32) (local $end i32) (local $rows i32) (local $pend i32)
    (local.set $ld (i32.shl (local.get $W) (i32.const 3)))
    (local.set $end (i32.add (local.get $idx) (i32.shl (local.get $count) (i32.const 2))))
    (block $done
      (loop $blocks
        (br_if $done (i32.ge_u (local.get $idx) (local.get $end)))
        (local.set $rows (i32.shr_u (i32.sub (local.get $end) (local.get $idx)) (i32.const 2)))
        (if (i32.gt_u (local.get $rows) (i32.const 128)) (then (local.set $rows (i32.const 128))))
        (local.set $pend
          (call $fill (local.get $x) (local.get $idx) (local.get $rows) (local.get $ld) (local.get $panel)))
        (call $sweep (local.get $panel) (local.get $pend) (local.get $out) (local.get $w) (local.get $c) (local.get $ld))
        (local.set $idx (i32.add (local.get $idx) (i32.shl (local.get $rows) (i32.const 2))))
        (br $blocks))))

  ;; Copies `rows` listed rows to the panel; returns the panel's end (bytes).
  (func $fill (param $x i32) (param $idx i32) (param $rows i32) (param $ld i32) (param $dst i32) (result i32)
    (local $end i32) (local $src i32) (local $q i32)
    (local.set $end (i32.add (local.get $idx) (i32.shl (local.get $rows) (i32.const 2))))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $idx) (local.get $end)))
        (local.set $src (i32.add (local.get $x) (i32.mul (i32.load (local.get $idx)) (local.get $ld))))
        (local.set $q (i32.const 0))
        (block $row_done
          (loop $row
            (br_if $row_done (i32.ge_u (local.get $q) (local.get $ld)))
            (v128.store (i32.add (local.get $dst) (local.get $q)) (v128.load (i32.add (local.get $src) (local.get $q))))
            (v128.store offset=16 (i32.add (local.get $dst) (local.get $q)) (v128.load offset=16 (i32.add (local.get $src) (local.get $q))))
            (local.set $q (i32.add (local.get $q) (i32.const 32)))
            (br $row)))
        (local.set $dst (i32.add (local.get $dst) (local.get $ld)))
        (local.set $idx (i32.add (local.get $idx) (i32.const 4)))
        (br $each)))
    (local.get $dst))

  ;; The sums over the panel [p, pend): row blocks of 4 (the last of 2 when w mod 4 is 1 or 2), each
  ;; its tiles left of the diagonal with k < c, then its diagonal tile.
  (func $sweep (param $p i32) (param $pend i32) (param $out i32) (param $w i32) (param $c i32) (param $ld i32)
    (local $j i32) (local $k i32) (local $o i32) (local $ldo i32) (local $K i32) (local $kend i32) (local $d i32)
    (local.set $K (i32.and (i32.add (local.get $c) (i32.const 3)) (i32.const -4)))
    (local.set $ldo (i32.shl (i32.add (local.get $K) (i32.const 4)) (i32.const 3)))
    (block $done
      (loop $blocks
        (br_if $done (i32.ge_u (local.get $j) (local.get $w)))
        ;; o = &out[j][0]; tiles k < min(j, c); the diagonal tile at column min(j, K)
        (local.set $o (i32.add (local.get $out) (i32.mul (local.get $j) (local.get $ldo))))
        (local.set $kend (select (local.get $j) (local.get $c) (i32.lt_u (local.get $j) (local.get $c))))
        (local.set $d (i32.add (local.get $o)
          (i32.shl (select (local.get $j) (local.get $K) (i32.lt_u (local.get $j) (local.get $K))) (i32.const 3))))
        (local.set $k (i32.const 0))
        (if (i32.le_u (i32.sub (local.get $w) (local.get $j)) (i32.const 2))
          (then
            (block $pairs_done
              (loop $pairs
                (br_if $pairs_done (i32.ge_u (local.get $k) (local.get $kend)))
                (call $t24 (local.get $p) (local.get $pend) (i32.add (local.get $o) (i32.shl (local.get $k) (i32.const 3))) (local.get $ld) (local.get $ldo) (local.get $j) (local.get $k))
                (local.set $k (i32.add (local.get $k) (i32.const 4)))
                (br $pairs)))
            (call $d22 (local.get $p) (local.get $pend) (local.get $d) (local.get $ld) (local.get $ldo) (local.get $j)))
          (else
            (block $quads_done
              (loop $quads
                (br_if $quads_done (i32.ge_u (local.get $k) (local.get $kend)))
                (call $t44 (local.get $p) (local.get $pend) (i32.add (local.get $o) (i32.shl (local.get $k) (i32.const 3))) (local.get $ld) (local.get $ldo) (local.get $j) (local.get $k))
                (local.set $k (i32.add (local.get $k) (i32.const 4)))
                (br $quads)))
            (call $d44 (local.get $p) (local.get $pend) (local.get $d) (local.get $ld) (local.get $ldo) (local.get $j))))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $blocks))))

  ;; Tiles: p walks the panel (rows ld bytes apart); o = where the tile's first sum is (out's rows
  ;; ldo bytes apart); splats come from column j, vectors from column k.

  ;; 4 x 4 off the diagonal: out[j..j+3][k..k+3].
  (func $t44 (param $p i32) (param $pend i32) (param $o i32) (param $ld i32) (param $ldo i32) (param $j i32) (param $k i32)
    (local $sx i32) (local $xk i32) (local $step i32) (local $q i32)
    (local $x0 v128) (local $x1 v128) (local $x2 v128) (local $x3 v128) (local $v0 v128) (local $v1 v128)
    (local $a00 v128) (local $a01 v128) (local $a10 v128) (local $a11 v128)
    (local $a20 v128) (local $a21 v128) (local $a30 v128) (local $a31 v128)
    (local.set $step (local.get $ld))
    (local.set $sx (i32.add (local.get $p) (i32.shl (local.get $j) (i32.const 3))))
    (local.set $xk (i32.add (local.get $p) (i32.shl (local.get $k) (i32.const 3))))
    (local.set $q (local.get $o))
    (local.set $a00 (v128.load (local.get $q))) (local.set $a01 (v128.load offset=16 (local.get $q)))
    (local.set $q (i32.add (local.get $q) (local.get $ldo)))
    (local.set $a10 (v128.load (local.get $q))) (local.set $a11 (v128.load offset=16 (local.get $q)))
    (local.set $q (i32.add (local.get $q) (local.get $ldo)))
    (local.set $a20 (v128.load (local.get $q))) (local.set $a21 (v128.load offset=16 (local.get $q)))
    (local.set $q (i32.add (local.get $q) (local.get $ldo)))
    (local.set $a30 (v128.load (local.get $q))) (local.set $a31 (v128.load offset=16 (local.get $q)))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $p) (local.get $pend)))
        (local.set $x0 (v128.load64_splat (local.get $sx)))
        (local.set $x1 (v128.load64_splat offset=8 (local.get $sx)))
        (local.set $x2 (v128.load64_splat offset=16 (local.get $sx)))
        (local.set $x3 (v128.load64_splat offset=24 (local.get $sx)))
        (local.set $v0 (v128.load (local.get $xk)))
        (local.set $v1 (v128.load offset=16 (local.get $xk)))
        (local.set $a00 (f64x2.add (local.get $a00) (f64x2.mul (local.get $x0) (local.get $v0))))
        (local.set $a01 (f64x2.add (local.get $a01) (f64x2.mul (local.get $x0) (local.get $v1))))
        (local.set $a10 (f64x2.add (local.get $a10) (f64x2.mul (local.get $x1) (local.get $v0))))
        (local.set $a11 (f64x2.add (local.get $a11) (f64x2.mul (local.get $x1) (local.get $v1))))
        (local.set $a20 (f64x2.add (local.get $a20) (f64x2.mul (local.get $x2) (local.get $v0))))
        (local.set $a21 (f64x2.add (local.get $a21) (f64x2.mul (local.get $x2) (local.get $v1))))
        (local.set $a30 (f64x2.add (local.get $a30) (f64x2.mul (local.get $x3) (local.get $v0))))
        (local.set $a31 (f64x2.add (local.get $a31) (f64x2.mul (local.get $x3) (local.get $v1))))
        (local.set $p (i32.add (local.get $p) (local.get $step)))
        (local.set $sx (i32.add (local.get $sx) (local.get $step)))
        (local.set $xk (i32.add (local.get $xk) (local.get $step)))
        (br $each)))
    (local.set $q (local.get $o))
    (v128.store (local.get $q) (local.get $a00)) (v128.store offset=16 (local.get $q) (local.get $a01))
    (local.set $q (i32.add (local.get $q) (local.get $ldo)))
    (v128.store (local.get $q) (local.get $a10)) (v128.store offset=16 (local.get $q) (local.get $a11))
    (local.set $q (i32.add (local.get $q) (local.get $ldo)))
    (v128.store (local.get $q) (local.get $a20)) (v128.store offset=16 (local.get $q) (local.get $a21))
    (local.set $q (i32.add (local.get $q) (local.get $ldo)))
    (v128.store (local.get $q) (local.get $a30)) (v128.store offset=16 (local.get $q) (local.get $a31)))

  ;; 4 x 4 on the diagonal (o = where out[j][j] is): rows j, j+1 need columns j, j+1; rows j+2, j+3 all four.
  (func $d44 (param $p i32) (param $pend i32) (param $o i32) (param $ld i32) (param $ldo i32) (param $j i32)
    (local $sx i32) (local $xk i32) (local $step i32) (local $q i32)
    (local $x0 v128) (local $x1 v128) (local $x2 v128) (local $x3 v128) (local $v0 v128) (local $v1 v128)
    (local $a00 v128) (local $a10 v128) (local $a20 v128) (local $a21 v128) (local $a30 v128) (local $a31 v128)
    (local.set $step (local.get $ld))
    (local.set $sx (i32.add (local.get $p) (i32.shl (local.get $j) (i32.const 3))))
    (local.set $xk (i32.add (local.get $p) (i32.shl (local.get $j) (i32.const 3))))
    (local.set $q (local.get $o))
    (local.set $a00 (v128.load (local.get $q)))
    (local.set $q (i32.add (local.get $q) (local.get $ldo)))
    (local.set $a10 (v128.load (local.get $q)))
    (local.set $q (i32.add (local.get $q) (local.get $ldo)))
    (local.set $a20 (v128.load (local.get $q))) (local.set $a21 (v128.load offset=16 (local.get $q)))
    (local.set $q (i32.add (local.get $q) (local.get $ldo)))
    (local.set $a30 (v128.load (local.get $q))) (local.set $a31 (v128.load offset=16 (local.get $q)))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $p) (local.get $pend)))
        (local.set $x0 (v128.load64_splat (local.get $sx)))
        (local.set $x1 (v128.load64_splat offset=8 (local.get $sx)))
        (local.set $x2 (v128.load64_splat offset=16 (local.get $sx)))
        (local.set $x3 (v128.load64_splat offset=24 (local.get $sx)))
        (local.set $v0 (v128.load (local.get $xk)))
        (local.set $v1 (v128.load offset=16 (local.get $xk)))
        (local.set $a00 (f64x2.add (local.get $a00) (f64x2.mul (local.get $x0) (local.get $v0))))
        (local.set $a10 (f64x2.add (local.get $a10) (f64x2.mul (local.get $x1) (local.get $v0))))
        (local.set $a20 (f64x2.add (local.get $a20) (f64x2.mul (local.get $x2) (local.get $v0))))
        (local.set $a21 (f64x2.add (local.get $a21) (f64x2.mul (local.get $x2) (local.get $v1))))
        (local.set $a30 (f64x2.add (local.get $a30) (f64x2.mul (local.get $x3) (local.get $v0))))
        (local.set $a31 (f64x2.add (local.get $a31) (f64x2.mul (local.get $x3) (local.get $v1))))
        (local.set $p (i32.add (local.get $p) (local.get $step)))
        (local.set $sx (i32.add (local.get $sx) (local.get $step)))
        (local.set $xk (i32.add (local.get $xk) (local.get $step)))
        (br $each)))
    (local.set $q (local.get $o))
    (v128.store (local.get $q) (local.get $a00))
    (local.set $q (i32.add (local.get $q) (local.get $ldo)))
    (v128.store (local.get $q) (local.get $a10))
    (local.set $q (i32.add (local.get $q) (local.get $ldo)))
    (v128.store (local.get $q) (local.get $a20)) (v128.store offset=16 (local.get $q) (local.get $a21))
    (local.set $q (i32.add (local.get $q) (local.get $ldo)))
    (v128.store (local.get $q) (local.get $a30)) (v128.store offset=16 (local.get $q) (local.get $a31)))

  ;; 2 x 4 off the diagonal (the last pair of rows): out[j..j+1][k..k+3].
  (func $t24 (param $p i32) (param $pend i32) (param $o i32) (param $ld i32) (param $ldo i32) (param $j i32) (param $k i32)
    (local $sx i32) (local $xk i32) (local $step i32) (local $q i32)
    (local $x0 v128) (local $x1 v128) (local $v0 v128) (local $v1 v128)
    (local $a00 v128) (local $a01 v128) (local $a10 v128) (local $a11 v128)
    (local.set $step (local.get $ld))
    (local.set $sx (i32.add (local.get $p) (i32.shl (local.get $j) (i32.const 3))))
    (local.set $xk (i32.add (local.get $p) (i32.shl (local.get $k) (i32.const 3))))
    (local.set $q (local.get $o))
    (local.set $a00 (v128.load (local.get $q))) (local.set $a01 (v128.load offset=16 (local.get $q)))
    (local.set $q (i32.add (local.get $q) (local.get $ldo)))
    (local.set $a10 (v128.load (local.get $q))) (local.set $a11 (v128.load offset=16 (local.get $q)))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $p) (local.get $pend)))
        (local.set $x0 (v128.load64_splat (local.get $sx)))
        (local.set $x1 (v128.load64_splat offset=8 (local.get $sx)))
        (local.set $v0 (v128.load (local.get $xk)))
        (local.set $v1 (v128.load offset=16 (local.get $xk)))
        (local.set $a00 (f64x2.add (local.get $a00) (f64x2.mul (local.get $x0) (local.get $v0))))
        (local.set $a01 (f64x2.add (local.get $a01) (f64x2.mul (local.get $x0) (local.get $v1))))
        (local.set $a10 (f64x2.add (local.get $a10) (f64x2.mul (local.get $x1) (local.get $v0))))
        (local.set $a11 (f64x2.add (local.get $a11) (f64x2.mul (local.get $x1) (local.get $v1))))
        (local.set $p (i32.add (local.get $p) (local.get $step)))
        (local.set $sx (i32.add (local.get $sx) (local.get $step)))
        (local.set $xk (i32.add (local.get $xk) (local.get $step)))
        (br $each)))
    (local.set $q (local.get $o))
    (v128.store (local.get $q) (local.get $a00)) (v128.store offset=16 (local.get $q) (local.get $a01))
    (local.set $q (i32.add (local.get $q) (local.get $ldo)))
    (v128.store (local.get $q) (local.get $a10)) (v128.store offset=16 (local.get $q) (local.get $a11)))

  ;; 2 x 2 on the diagonal (o = where out[j][j] is).
  (func $d22 (param $p i32) (param $pend i32) (param $o i32) (param $ld i32) (param $ldo i32) (param $j i32)
    (local $sx i32) (local $xk i32) (local $step i32)
    (local $v0 v128) (local $a00 v128) (local $a10 v128)
    (local.set $step (local.get $ld))
    (local.set $sx (i32.add (local.get $p) (i32.shl (local.get $j) (i32.const 3))))
    (local.set $xk (i32.add (local.get $p) (i32.shl (local.get $j) (i32.const 3))))
    (local.set $a00 (v128.load (local.get $o)))
    (local.set $a10 (v128.load (i32.add (local.get $o) (local.get $ldo))))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $p) (local.get $pend)))
        (local.set $v0 (v128.load (local.get $xk)))
        (local.set $a00 (f64x2.add (local.get $a00) (f64x2.mul (v128.load64_splat (local.get $sx)) (local.get $v0))))
        (local.set $a10 (f64x2.add (local.get $a10) (f64x2.mul (v128.load64_splat offset=8 (local.get $sx)) (local.get $v0))))
        (local.set $p (i32.add (local.get $p) (local.get $step)))
        (local.set $sx (i32.add (local.get $sx) (local.get $step)))
        (local.set $xk (i32.add (local.get $xk) (local.get $step)))
        (br $each)))
    (v128.store (local.get $o) (local.get $a00))
    (v128.store (i32.add (local.get $o) (local.get $ldo)) (local.get $a10))))
