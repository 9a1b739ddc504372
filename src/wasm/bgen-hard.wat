;; BGEN 8-bit unphased diploid biallelic probabilities -> hard-call codes, when every sample is an
;; exact hard call (docs/decisions/0202-hard-calls.md). The JavaScript twin is hardCodes8 in
;; src/formats/bgen/probs.ts: same codes, same stopping sample (tested).
;; Compiled to bgen-hard.wasm by src/wasm/build.ts (wabt); wasm-source.test.ts checks the binary.
;;
;; h8(data, n, codes): data = the decompressed layout-2 block (ploidy bytes at data + 8, the
;; (x0, x1) byte pairs at data + 10 + n). For each sample: ploidy byte 2 and (255,0) -> 0,
;; (0,255) -> 1, (0,0) -> 2; ploidy byte 0x82 (missing) -> 3; anything else stops. Writes codes[i]
;; and returns the first sample that is none of these (n when all are), 16 samples a step (then one
;; at a time for the last n mod 16); the number of missing samples before it is stored at `codes - 4`.
(module
  (import "e" "m" (memory 1))

  (func $h8 (export "h8") (param $data i32) (param $n i32) (param $codes i32) (result i32)
    (local $i i32) (local $pb i32) (local $q i32) (local $nm i32) (local $end16 i32)
    (local $x0 v128) (local $x1 v128) (local $a v128) (local $b v128) (local $p v128)
    (local $hom2 v128) (local $het v128) (local $miss v128) (local $ok v128)
    (local $c0 i32) (local $c1 i32) (local $c i32)
    (local.set $end16 (i32.and (local.get $n) (i32.const -16)))
    (block $stop
      (block $tail
        (loop $blocks
          (br_if $tail (i32.ge_u (local.get $i) (local.get $end16)))
          (local.set $q (i32.add (i32.add (local.get $data) (i32.const 10))
            (i32.add (local.get $n) (i32.shl (local.get $i) (i32.const 1)))))
          (local.set $a (v128.load (local.get $q)))
          (local.set $b (v128.load offset=16 (local.get $q)))
          (local.set $x0 (i8x16.shuffle 0 2 4 6 8 10 12 14 16 18 20 22 24 26 28 30 (local.get $a) (local.get $b)))
          (local.set $x1 (i8x16.shuffle 1 3 5 7 9 11 13 15 17 19 21 23 25 27 29 31 (local.get $a) (local.get $b)))
          (local.set $p (v128.load offset=8 (i32.add (local.get $data) (local.get $i))))
          ;; (0,0): 2; (0,255): 1; (255,0): 0.
          (local.set $hom2 (v128.and (i8x16.eq (local.get $x0) (v128.const i64x2 0 0)) (i8x16.eq (local.get $x1) (v128.const i64x2 0 0))))
          (local.set $het (v128.and (i8x16.eq (local.get $x0) (v128.const i64x2 0 0)) (i8x16.eq (local.get $x1) (v128.const i64x2 -1 -1))))
          (local.set $ok (v128.or (v128.or (local.get $hom2) (local.get $het))
            (v128.and (i8x16.eq (local.get $x0) (v128.const i64x2 -1 -1)) (i8x16.eq (local.get $x1) (v128.const i64x2 0 0)))))
          (local.set $miss (i8x16.eq (local.get $p) (v128.const i8x16 0x82 0x82 0x82 0x82 0x82 0x82 0x82 0x82 0x82 0x82 0x82 0x82 0x82 0x82 0x82 0x82)))
          (br_if $tail (i32.eqz (i8x16.all_true (v128.or (local.get $miss)
            (v128.and (local.get $ok) (i8x16.eq (local.get $p) (v128.const i8x16 2 2 2 2 2 2 2 2 2 2 2 2 2 2 2 2)))))))
          (v128.store (i32.add (local.get $codes) (local.get $i))
            (v128.or (v128.or
              (v128.and (local.get $hom2) (v128.const i8x16 2 2 2 2 2 2 2 2 2 2 2 2 2 2 2 2))
              (v128.and (local.get $het) (v128.const i8x16 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1)))
              (v128.and (local.get $miss) (v128.const i8x16 3 3 3 3 3 3 3 3 3 3 3 3 3 3 3 3))))
          (local.set $nm (i32.add (local.get $nm) (i32.popcnt (i8x16.bitmask (local.get $miss)))))
          (local.set $i (i32.add (local.get $i) (i32.const 16)))
          (br $blocks)))
      ;; One sample at a time: the last n mod 16, or the block where the vector test failed.
      (loop $one
        (br_if $stop (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $pb (i32.load8_u offset=8 (i32.add (local.get $data) (local.get $i))))
        (local.set $q (i32.add (i32.add (local.get $data) (i32.const 10))
          (i32.add (local.get $n) (i32.shl (local.get $i) (i32.const 1)))))
        (local.set $c0 (i32.load8_u (local.get $q)))
        (local.set $c1 (i32.load8_u offset=1 (local.get $q)))
        (local.set $c (i32.const -1))
        (if (i32.eq (local.get $pb) (i32.const 0x82))
          (then
            (local.set $c (i32.const 3))
            (local.set $nm (i32.add (local.get $nm) (i32.const 1))))
          (else
            (if (i32.eq (local.get $pb) (i32.const 2))
              (then
                (if (i32.eqz (i32.or (local.get $c0) (local.get $c1))) (then (local.set $c (i32.const 2))))
                (if (i32.and (i32.eqz (local.get $c0)) (i32.eq (local.get $c1) (i32.const 255))) (then (local.set $c (i32.const 1))))
                (if (i32.and (i32.eq (local.get $c0) (i32.const 255)) (i32.eqz (local.get $c1))) (then (local.set $c (i32.const 0))))))))
        (br_if $stop (i32.lt_s (local.get $c) (i32.const 0)))
        (i32.store8 (i32.add (local.get $codes) (local.get $i)) (local.get $c))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $one)))
    (i32.store (i32.sub (local.get $codes) (i32.const 4)) (local.get $nm))
    (local.get $i)))
