;; The VCF sample columns of one record -> DS dosages, for the common case (one ALT allele, dosage
;; from DS): the same rules and arithmetic as VcfDecoder.samples (src/formats/vcf/decode.ts), so the
;; dosages are bit-identical (tested: test/vcf-wasm.test.ts), without JavaScript's per-byte bounds
;; checks. Compiled to vcf-ds.wasm by src/wasm/build.ts (wabt); wasm-source.test.ts checks the
;; committed binary is this source's. Why: docs/decisions/0302-vcf-wasm-samples.md.
;;
;; ds(p, n, gtIdx, dsIdx, out, round): the n sample columns from p to the record's end, the first
;; '\n' (a worker's chunk has it there; a caller with a record's end writes one at it), FORMAT
;; keys GT at subfield gtIdx (-1: none) and DS at dsIdx. Nothing is read past that '\n': every scan
;; stops at it, so the caller need not find the record's end first. Writes n dosages (f64, NaN = missing) at
;; `out`; round = 1 rounds a DS value to 1/16384 half-to-even (plink2's precision). Per sample:
;;   GT  one or two alleles '0', '1' or '.', '/' or '|' between: the ploidy (1 or 2), the hard call
;;       (count of allele 1), missing when any allele is '.'. Absent: ploidy 2, no hard call.
;;   DS  digits with at most one '.', 1 to 15 digits in all: m / 10^scale (m and 10^scale are exact
;;       doubles, one correctly rounded division: parseDecimal's arithmetic); must be <= ploidy;
;;       doubled when haploid. '.' or absent: the hard call from GT, else NaN.
;; Returns the address of that '\n' when every sample was decoded, 0 on anything else (an exponent, a
;; sign, more than 15 digits, a DS above the ploidy, another GT, a column count that differs from n,
;; a '\r' before the '\n' after a parsed field...): the caller
;; then decodes the record in JavaScript, which gives the exact error or the unusual case's value.
;;
;; Memory: imported, the caller's. [0, 128) holds pow10 (f64 10^k, k = 0..15), written by the
;; caller at the address exported below; everything from `scratch` on is the caller's (the record,
;; with 16 readable bytes past its '\n' for the vector loads, and the output).
(module
  (import "e" "m" (memory 1))
  (global (export "pow10") i32 (i32.const 0))
  (global (export "scratch") i32 (i32.const 128))

  ;; The first ':', TAB or '\n' at or after p: the end of the subfield at p.
  (func $toField (param $p i32) (result i32)
    (local $v v128) (local $mask i32)
    (loop $blocks
      (local.set $v (v128.load (local.get $p)))
      (local.set $mask
        (i8x16.bitmask
          (v128.or
            (v128.or
              (i8x16.eq (local.get $v) (v128.const i8x16 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9))
              (i8x16.eq (local.get $v) (v128.const i8x16 10 10 10 10 10 10 10 10 10 10 10 10 10 10 10 10)))
            (i8x16.eq (local.get $v) (v128.const i8x16 58 58 58 58 58 58 58 58 58 58 58 58 58 58 58 58)))))
      (if (i32.eqz (local.get $mask))
        (then
          (local.set $p (i32.add (local.get $p) (i32.const 16)))
          (br $blocks))))
    (i32.add (local.get $p) (i32.ctz (local.get $mask))))

  ;; The decimal at p: digits with at most one '.', 1 to 15 digits in all (parseDecimal's fast
  ;; case). Returns m (the digits as an integer), the fraction digits and the byte after the number,
  ;; or a position of 0 when it is no such decimal.
  (func $decimal (param $p i32) (result i64 i32 i32)
    (local $start i32) (local $d i32) (local $m i64) (local $scale i32)
    (local.set $start (local.get $p))
    (block $int_done
      (loop $int
        (local.set $d (i32.sub (i32.load8_u (local.get $p)) (i32.const 48)))
        (br_if $int_done (i32.ge_u (local.get $d) (i32.const 10)))
        (local.set $m (i64.add (i64.mul (local.get $m) (i64.const 10)) (i64.extend_i32_u (local.get $d))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $int)))
    (if (i32.eq (i32.load8_u (local.get $p)) (i32.const 46))
      (then
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (local.set $scale (local.get $p))
        (block $frac_done
          (loop $frac
            (local.set $d (i32.sub (i32.load8_u (local.get $p)) (i32.const 48)))
            (br_if $frac_done (i32.ge_u (local.get $d) (i32.const 10)))
            (local.set $m (i64.add (i64.mul (local.get $m) (i64.const 10)) (i64.extend_i32_u (local.get $d))))
            (local.set $p (i32.add (local.get $p) (i32.const 1)))
            (br $frac)))
        (local.set $scale (i32.sub (local.get $p) (local.get $scale)))
        ;; The point is no digit.
        (local.set $start (i32.add (local.get $start) (i32.const 1)))))
    ;; Digits in all: p - start (less the point); 0 or more than 15 is no plain decimal.
    (if (i32.ge_u (i32.sub (i32.sub (local.get $p) (local.get $start)) (i32.const 1)) (i32.const 15))
      (then (return (i64.const 0) (i32.const 0) (i32.const 0))))
    (local.get $m) (local.get $scale) (local.get $p))

  ;; One function with the per-sample steps written out: V8 does not inline wasm calls, and a call
  ;; a sample costs ~10 % (measured for the skip to the TAB, docs/decisions/0302).
  (func (export "ds")
    (param $p i32) (param $n i32) (param $gtIdx i32) (param $dsIdx i32)
    (param $out i32) (param $round i32) (result i32)
    (local $s i32)          ;; sample
    (local $k i32)          ;; subfield of the sample
    (local $need i32)       ;; the last subfield read; the rest of the sample is skipped
    (local $c i32)
    (local $a i32)          ;; an allele: 0, 1, or 2 for '.'
    (local $hasGT i32) (local $missing i32) (local $ploidy i32) (local $count i32)
    (local $hasDS i32)
    (local $m i64) (local $scale i32)
    (local $w i64) (local $mask i64) (local $len i32)   ;; the 8 bytes after a DS's point
    (local $tabs i32)   ;; TABs and '\n's among 16 bytes, a bit each
    (local $v v128)
    (local $x f64)
    (if (i32.eqz (local.get $n)) (then (return (i32.const 0))))
    (local.set $need (select (local.get $gtIdx) (local.get $dsIdx) (i32.gt_s (local.get $gtIdx) (local.get $dsIdx))))
    (loop $samples
      (local.set $k (i32.const 0))
      (local.set $hasGT (i32.const 0))
      (local.set $missing (i32.const 0))
      (local.set $ploidy (i32.const 2))
      (local.set $hasDS (i32.const 0))
      (block $sample_done   ;; $p at the TAB ending the sample, or at the record's '\n'
        (loop $fields
          (if (i32.eq (local.get $k) (local.get $gtIdx))
            (then
              ;; GT: a, or a/b, a|b, with a and b in '0', '1', '.' ($a: 0, 1, 2 for '.').
              (local.set $a (i32.sub (i32.load8_u (local.get $p)) (i32.const 48)))
              (if (i32.gt_u (local.get $a) (i32.const 1))
                (then
                  (if (i32.ne (local.get $a) (i32.const -2)) (then (return (i32.const 0))))
                  (local.set $a (i32.const 2))))
              (local.set $missing (i32.eq (local.get $a) (i32.const 2)))
              (local.set $count (local.get $a))
              (local.set $ploidy (i32.const 1))
              (local.set $c (i32.load8_u offset=1 (local.get $p)))
              (if (i32.or (i32.eq (local.get $c) (i32.const 47)) (i32.eq (local.get $c) (i32.const 124)))
                (then
                  (local.set $a (i32.sub (i32.load8_u offset=2 (local.get $p)) (i32.const 48)))
                  (if (i32.gt_u (local.get $a) (i32.const 1))
                    (then
                      (if (i32.ne (local.get $a) (i32.const -2)) (then (return (i32.const 0))))
                      (local.set $a (i32.const 2))))
                  (local.set $missing (i32.or (local.get $missing) (i32.eq (local.get $a) (i32.const 2))))
                  (local.set $count (i32.add (local.get $count) (local.get $a)))
                  (local.set $ploidy (i32.const 2))
                  (local.set $p (i32.add (local.get $p) (i32.const 2)))))
              (local.set $p (i32.add (local.get $p) (i32.const 1)))
              (local.set $hasGT (i32.const 1)))
            (else
              (if (i32.eq (local.get $k) (local.get $dsIdx))
                (then
                  ;; DS: '.' alone (then ':', TAB or '\n') is absent; else digits and at most one '.'.
                  (local.set $c (i32.load8_u (local.get $p)))
                  (local.set $a (i32.load8_u offset=1 (local.get $p)))
                  (local.set $hasDS
                    (i32.eqz (i32.and (i32.eq (local.get $c) (i32.const 46))
                                      (i32.or (i32.eq (local.get $a) (i32.const 58)) (i32.lt_u (i32.sub (local.get $a) (i32.const 9)) (i32.const 2))))))
                  (if (local.get $hasDS)
                    (then
                      (block $parsed   ;; $m, $scale set, $p after the number
                        (block $general
                          ;; "d.ffff" with 0 to 7 fraction digits (what imputation servers and plink2
                          ;; write), without a branch per digit: the 8 bytes after the point at once,
                          ;; in units of 1e-8 (m / 10^len and m * 10^(8 - len) / 10^8 are the same
                          ;; rational, so the same correctly rounded double).
                          (local.set $c (i32.sub (local.get $c) (i32.const 48)))
                          (br_if $general (i32.gt_u (local.get $c) (i32.const 9)))
                          (if (i32.ne (local.get $a) (i32.const 46))
                            (then
                              ;; One digit alone ("0", "1", "2": plink2 writes hard calls so), then ':', TAB or '\n'.
                              (br_if $general (i32.eqz (i32.or (i32.eq (local.get $a) (i32.const 58)) (i32.lt_u (i32.sub (local.get $a) (i32.const 9)) (i32.const 2)))))
                              (local.set $m (i64.extend_i32_u (local.get $c)))
                              (local.set $scale (i32.const 0))
                              (local.set $p (i32.add (local.get $p) (i32.const 1)))
                              (br $parsed)))
                          (local.set $w (i64.load offset=2 (local.get $p)))
                          (br_if $general (i64.ne (i64.and (local.get $w) (i64.const 0x8080808080808080)) (i64.const 0)))   ;; non-ASCII
                          ;; High bit of each byte that is no digit: (b + 0x46) reaches 0x80 above '9';
                          ;; (b | 0x80) - 0x30 loses it below '0' (no carry or borrow crosses bytes).
                          (local.set $mask
                            (i64.and
                              (i64.or
                                (i64.add (local.get $w) (i64.const 0x4646464646464646))
                                (i64.xor (i64.sub (i64.or (local.get $w) (i64.const 0x8080808080808080)) (i64.const 0x3030303030303030))
                                         (i64.const -1)))
                              (i64.const 0x8080808080808080)))
                          (br_if $general (i64.eqz (local.get $mask)))   ;; 8 or more fraction digits
                          (local.set $len (i32.wrap_i64 (i64.shr_u (i64.ctz (local.get $mask)) (i64.const 3))))
                          ;; The len digits (low nibbles, the rest zero: d0 d1 .. d7), then pairs, fours, eight.
                          (local.set $w
                            (i64.and (i64.and (local.get $w) (i64.const 0x0f0f0f0f0f0f0f0f))
                                     (i64.sub (i64.shl (i64.const 1) (i64.extend_i32_u (i32.shl (local.get $len) (i32.const 3)))) (i64.const 1))))
                          (local.set $w (i64.and (i64.add (i64.mul (local.get $w) (i64.const 10)) (i64.shr_u (local.get $w) (i64.const 8))) (i64.const 0x00ff00ff00ff00ff)))
                          (local.set $w (i64.and (i64.add (i64.mul (local.get $w) (i64.const 100)) (i64.shr_u (local.get $w) (i64.const 16))) (i64.const 0x0000ffff0000ffff)))
                          (local.set $w (i64.and (i64.add (i64.mul (local.get $w) (i64.const 10000)) (i64.shr_u (local.get $w) (i64.const 32))) (i64.const 0xffffffff)))
                          (local.set $m (i64.add (i64.mul (i64.extend_i32_u (local.get $c)) (i64.const 100000000)) (local.get $w)))
                          (local.set $scale (i32.const 8))
                          (local.set $p (i32.add (i32.add (local.get $p) (i32.const 2)) (local.get $len)))
                          (br $parsed))
                        ;; $general: any other shape.
                        (call $decimal (local.get $p))
                        (local.set $p)
                        (local.set $scale)
                        (local.set $m)
                        (if (i32.eqz (local.get $p)) (then (return (i32.const 0)))))
                      ;; m < 10^15 < 2^53 is exact, so is 10^scale: one correctly rounded division.
                      (local.set $x (f64.div (f64.convert_i64_u (local.get $m))
                                             (f64.load (i32.shl (local.get $scale) (i32.const 3))))))
                    (else (local.set $p (i32.add (local.get $p) (i32.const 1))))))
                (else (local.set $p (call $toField (local.get $p)))))))
          ;; $p after the subfield: ':' goes on, TAB or '\n' ends the sample, anything else is unusual.
          (local.set $c (i32.load8_u (local.get $p)))
          (br_if $sample_done (i32.or (i32.eq (local.get $c) (i32.const 9)) (i32.eq (local.get $c) (i32.const 10))))
          (if (i32.ne (local.get $c) (i32.const 58)) (then (return (i32.const 0))))
          (local.set $p (i32.add (local.get $p) (i32.const 1)))
          (local.set $k (i32.add (local.get $k) (i32.const 1)))
          (br_if $fields (i32.le_s (local.get $k) (local.get $need)))
          ;; The rest of the sample: to its TAB or the record's '\n', 16 bytes at a time ($toTab
          ;; written out: V8 does not inline wasm calls, and this runs once a sample).
          (loop $blocks
            (local.set $v (v128.load (local.get $p)))
            (local.set $tabs
              (i8x16.bitmask (v128.or (i8x16.eq (local.get $v) (v128.const i8x16 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9))
                                      (i8x16.eq (local.get $v) (v128.const i8x16 10 10 10 10 10 10 10 10 10 10 10 10 10 10 10 10)))))
            (if (i32.eqz (local.get $tabs))
              (then
                (local.set $p (i32.add (local.get $p) (i32.const 16)))
                (br $blocks))))
          (local.set $p (i32.add (local.get $p) (i32.ctz (local.get $tabs))))))
      ;; The dosage.
      (if (local.get $hasDS)
        (then
          (if (i32.eqz (f64.le (local.get $x) (f64.convert_i32_u (local.get $ploidy)))) (then (return (i32.const 0))))
          (if (i32.eq (local.get $ploidy) (i32.const 1)) (then (local.set $x (f64.mul (f64.const 2) (local.get $x)))))
          (if (local.get $round)
            ;; x / 16384 is exact: * 2^-14.
            (then (local.set $x (f64.mul (f64.nearest (f64.mul (local.get $x) (f64.const 16384))) (f64.const 0x1p-14))))))
        (else
          (local.set $x
            (if (result f64) (i32.and (local.get $hasGT) (i32.eqz (local.get $missing)))
              (then (f64.convert_i32_u (i32.shl (local.get $count) (i32.eq (local.get $ploidy) (i32.const 1)))))
              (else (f64.const nan))))))
      (f64.store (i32.add (local.get $out) (i32.shl (local.get $s) (i32.const 3))) (local.get $x))
      ;; Only the last sample may end at the record's end.
      (local.set $s (i32.add (local.get $s) (i32.const 1)))
      (if (i32.ne (i32.eq (i32.load8_u (local.get $p)) (i32.const 10)) (i32.eq (local.get $s) (local.get $n))) (then (return (i32.const 0))))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (br_if $samples (i32.lt_u (local.get $s) (local.get $n))))
    (i32.sub (local.get $p) (i32.const 1)))
)
