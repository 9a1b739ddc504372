;; The .gen probability parser: the same arithmetic as the JavaScript parser (GenLineDecoder's
;; fastProbs in src/formats/gen/decode.ts), so the dosages are bit-identical (tested), without
;; JavaScript's per-byte bounds checks. Compiled to gen-probs.wasm by src/wasm/build.ts (wabt);
;; wasm-source.test.ts checks the committed binary is this source's.
;;
;; Two parsers of one line's probabilities [p, end) for n samples, writing n dosages (f64, NaN =
;; missing) at `out`:
;;   probsq  plink2 precision (the default): probabilities to 1/32768, dosage to 1/16384, ties to even.
;;   probs   exact dosages (--dosage-precision exact): (P(AB) + 2 P(BB)) / (P(AA) + P(AB) + P(BB)).
;; Both return 1 when the line was parsed, 0 when it holds anything unusual (exponents, more than 9
;; digits, values above 1, odd spacing, wrong count): the JavaScript parsers then take the line and
;; explain what is wrong.
;;
;; Memory: imported, shared (the main thread may decompress chunks straight into it, and several
;; workers' parsers read it). Bytes [0, 22656) hold read-only tables the JavaScript side writes at
;; the addresses exported below (each parser writes the same values); the caller gives every other
;; address: the chunk, the dosage output and the blank index (3n + 8 i32s).
;;
;;   0      qtab    u16 plink2 quanta rhe(m / 10^k * 32768) for every m <= 10^k, k = 0..4, by k
;;   22272  qoff    i32 where k's run of qtab starts (entries); qoff[4] = 1115: k = 4 at byte 2230
;;   22336  qlim    i32 10^k, the largest m qtab holds for k
;;   22400  pow10   f64 10^k, k = 0..22
;;   22592  lenMask i32 the low i bytes of a word, i = 0..4
;;   22656  end
(module
  (import "e" "m" (memory 1 16384 shared))
  (global (export "qtab") i32 (i32.const 0))
  (global (export "qoff") i32 (i32.const 22272))
  (global (export "qlim") i32 (i32.const 22336))
  (global (export "pow10") i32 (i32.const 22400))
  (global (export "lenMask") i32 (i32.const 22592))
  (global (export "tablesEnd") i32 (i32.const 22656))

  ;; ASCII: blank ' ', tab, '\n', '\r', '.', '0'.
  ;; A separator ends a number: ' ', '\t', '\n' or '\r'.
  (func $isSep (param $c i32) (result i32)
    (i32.or
      (i32.or (i32.eq (local.get $c) (i32.const 32)) (i32.eq (local.get $c) (i32.const 9)))
      (i32.or (i32.eq (local.get $c) (i32.const 10)) (i32.eq (local.get $c) (i32.const 13)))))

  ;; The decimal at p, digit by digit (any shape the fast paths do not take): returns the mantissa,
  ;; the fraction digits and the byte after the number, or a position of 0 when it is no plain
  ;; decimal of at most 9 digits followed by a separator (the caller then gives up on the line).
  ;; Only the rare shapes come here (IMPUTE2 writes 3 decimals, the simulator 4), so it is a call.
  (func $decimal (param $p i32) (param $end i32) (result i32 i32 i32)
    (local $c i32) (local $m i32) (local $start i32) (local $fracStart i32) (local $scale i32) (local $digits i32)
    (local.set $start (local.get $p))
    (local.set $c (i32.load8_u (local.get $p)))
    ;; Integer digits: m = m * 10 + digit.
    (block $int_done
      (loop $int
        (br_if $int_done (i32.ge_u (i32.sub (local.get $c) (i32.const 48)) (i32.const 10)))
        (local.set $m (i32.sub (i32.add (i32.mul (local.get $m) (i32.const 10)) (local.get $c)) (i32.const 48)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (local.set $c (i32.load8_u (local.get $p)))
        (br $int)))
    (local.set $digits (i32.sub (local.get $p) (local.get $start)))
    ;; Fraction digits after a '.'.
    (if (i32.eq (local.get $c) (i32.const 46))
      (then
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (local.set $fracStart (local.get $p))
        (local.set $c (i32.load8_u (local.get $p)))
        (block $frac_done
          (loop $frac
            (br_if $frac_done (i32.ge_u (i32.sub (local.get $c) (i32.const 48)) (i32.const 10)))
            (local.set $m (i32.sub (i32.add (i32.mul (local.get $m) (i32.const 10)) (local.get $c)) (i32.const 48)))
            (local.set $p (i32.add (local.get $p) (i32.const 1)))
            (local.set $c (i32.load8_u (local.get $p)))
            (br $frac)))
        (local.set $scale (i32.sub (local.get $p) (local.get $fracStart)))
        (local.set $digits (i32.add (local.get $digits) (local.get $scale)))))
    ;; No digits, more than 9 (the i32 mantissa), past the line, or not followed by a separator.
    (if (i32.or
          (i32.or (i32.eqz (local.get $digits)) (i32.gt_u (local.get $digits) (i32.const 9)))
          (i32.or (i32.gt_u (local.get $p) (local.get $end)) (i32.eqz (call $isSep (local.get $c)))))
      (then (return (i32.const 0) (i32.const 0) (i32.const 0))))
    (local.get $m) (local.get $scale) (local.get $p))

  ;; plink2's quantum rhe(m / 10^scale * 32768) of a probability, from the table when it holds it;
  ;; -1 above 1.000001 (the JavaScript parsers explain that).
  (func $quantum (param $m i32) (param $scale i32) (result i32)
    (local $v f64)
    (if (result i32)
      (i32.or
        (i32.gt_u (local.get $scale) (i32.const 4))
        (i32.gt_u (local.get $m) (i32.load offset=22336 (i32.shl (local.get $scale) (i32.const 2)))))
      (then
        ;; Outside the table (more fraction digits than it covers, or above 1): computed as
        ;; decode.ts's quantum() does, f64.nearest being round-half-even.
        (local.set $v (f64.div (f64.convert_i32_s (local.get $m))
                               (f64.load offset=22400 (i32.shl (local.get $scale) (i32.const 3)))))
        (if (f64.gt (local.get $v) (f64.const 1.000001)) (then (return (i32.const -1))))
        (i32.trunc_f64_s (f64.nearest (f64.mul (local.get $v) (f64.const 32768)))))
      (else
        (i32.load16_u
          (i32.shl
            (i32.add (i32.load offset=22272 (i32.shl (local.get $scale) (i32.const 2))) (local.get $m))
            (i32.const 1))))))

  ;; ---------------------------------------------------------------------------------------------
  ;; probs(p, end, n, idx, out): exact dosages, number after number (idx unused).
  (func $probs (export "probs")
    (param $p i32) (param $end i32) (param $n i32) (param $idx i32) (param $out i32) (result i32)
    (local $s i32)          ;; sample
    (local $k i32)          ;; probability of the sample, 0..2
    (local $c i32)          ;; mem[p]
    (local $c1 i32)         ;; the byte after the number's first
    (local $ip i32)         ;; the integer digit, 0 or 1
    (local $w i32)          ;; the four bytes after "0." / "1."
    (local $len i32)        ;; how many of them are digits
    (local $x i32)          ;; their value, then the number in units of 1e-4
    (local $fracEnd i32)
    (local $m i32) (local $scale i32)
    (local $prob f64) (local $sum f64) (local $num f64)
    (local.set $s (i32.const 0))
    (block $samples_done
      (loop $samples
        (br_if $samples_done (i32.ge_u (local.get $s) (local.get $n)))
        ;; sum = ((0 + p0) + p1) + p2 and num = (0 + 1 p1) + 2 p2: the same doubles as p0 + p1 + p2
        ;; and p1 + 2 p2 (probabilities are >= 0, 0 + x = x exactly).
        (local.set $sum (f64.const 0))
        (local.set $num (f64.const 0))
        (local.set $k (i32.const 0))
        (loop $three
          ;; Skip blanks.
          (local.set $c (i32.load8_u (local.get $p)))
          (block $blanks_done
            (loop $blanks
              (br_if $blanks_done (i32.eqz (i32.or (i32.eq (local.get $c) (i32.const 32)) (i32.eq (local.get $c) (i32.const 9)))))
              (local.set $p (i32.add (local.get $p) (i32.const 1)))
              (local.set $c (i32.load8_u (local.get $p)))
              (br $blanks)))
          (block $parsed                 ;; $m, $scale set, $p past the number
            (block $general
              ;; "0", "1" and "0.d" .. "1.dddd" without a branch per digit (SWAR on the four bytes
              ;; after the point): the value in units of 1e-4 (m / 10^L and m * 10^(4 - L) / 10^4
              ;; are the same rational, so the same double). Parse 4.0 -> 3.7 us a 157-sample line.
              (local.set $ip (i32.sub (local.get $c) (i32.const 48)))
              (br_if $general (i32.gt_u (local.get $ip) (i32.const 1)))
              (local.set $c1 (i32.load8_u offset=1 (local.get $p)))
              (if (i32.eq (local.get $c1) (i32.const 46))
                (then
                  (local.set $w (i32.load offset=2 (local.get $p)))
                  (br_if $general (i32.and (local.get $w) (i32.const 0x80808080)))   ;; non-ASCII
                  ;; High bit of each byte that is no digit: (b + 0x46) reaches 0x80 above '9';
                  ;; (b | 0x80) - 0x30 loses it below '0' (no borrow crosses bytes).
                  (local.set $len
                    (i32.shr_u
                      (i32.ctz
                        (i32.and
                          (i32.or
                            (i32.add (local.get $w) (i32.const 0x46464646))
                            (i32.xor (i32.sub (i32.or (local.get $w) (i32.const 0x80808080)) (i32.const 0x30303030)) (i32.const -1)))
                          (i32.const 0x80808080)))
                      (i32.const 3)))
                  (br_if $general (i32.eqz (local.get $len)))
                  ;; The len digits (low nibbles), then pairs, then the four: d0d1d2d3.
                  (local.set $x
                    (i32.and
                      (i32.and (local.get $w) (i32.const 0x0f0f0f0f))
                      (i32.shr_u (i32.const -1) (i32.sub (i32.const 32) (i32.shl (local.get $len) (i32.const 3))))))
                  (local.set $x (i32.and (i32.add (i32.mul (local.get $x) (i32.const 10)) (i32.shr_u (local.get $x) (i32.const 8))) (i32.const 0x00ff00ff)))
                  (local.set $x (i32.and (i32.add (i32.mul (local.get $x) (i32.const 100)) (i32.shr_u (local.get $x) (i32.const 16))) (i32.const 0xffff)))
                  (local.set $x (i32.add (local.get $x) (i32.mul (local.get $ip) (i32.const 10000))))
                  (br_if $general (i32.gt_u (local.get $x) (i32.const 10000)))
                  ;; A separator must follow (a fifth digit sends the number to the general path).
                  (local.set $fracEnd (i32.add (i32.add (local.get $p) (i32.const 2)) (local.get $len)))
                  (local.set $c1 (i32.load8_u (local.get $fracEnd)))
                  (br_if $general (i32.eqz (i32.or
                    (i32.or (i32.eq (local.get $c1) (i32.const 32)) (i32.eq (local.get $c1) (i32.const 9)))
                    (i32.or (i32.eq (local.get $c1) (i32.const 10)) (i32.eq (local.get $c1) (i32.const 13))))))
                  (local.set $m (local.get $x))
                  (local.set $scale (i32.const 4))
                  (local.set $p (local.get $fracEnd))
                  (br $parsed)))
              ;; "0" or "1" alone.
              (br_if $general (i32.eqz (i32.or
                (i32.or (i32.eq (local.get $c1) (i32.const 32)) (i32.eq (local.get $c1) (i32.const 9)))
                (i32.or (i32.eq (local.get $c1) (i32.const 10)) (i32.eq (local.get $c1) (i32.const 13))))))
              (local.set $m (i32.mul (local.get $ip) (i32.const 10000)))
              (local.set $scale (i32.const 4))
              (local.set $p (i32.add (local.get $p) (i32.const 1)))
              (br $parsed))
            ;; $general: any other shape.
            (call $decimal (local.get $p) (local.get $end))
            (local.set $p)
            (local.set $scale)
            (local.set $m)
            (if (i32.eqz (local.get $p)) (then (return (i32.const 0)))))
          ;; $parsed
          (local.set $prob (f64.div (f64.convert_i32_s (local.get $m))
                                    (f64.load offset=22400 (i32.shl (local.get $scale) (i32.const 3)))))
          (if (f64.gt (local.get $prob) (f64.const 1.000001)) (then (return (i32.const 0))))
          (local.set $sum (f64.add (local.get $sum) (local.get $prob)))
          (local.set $num (f64.add (local.get $num) (f64.mul (f64.convert_i32_s (local.get $k)) (local.get $prob))))
          (local.set $k (i32.add (local.get $k) (i32.const 1)))
          (br_if $three (i32.lt_u (local.get $k) (i32.const 3))))
        (f64.store (i32.add (local.get $out) (i32.shl (local.get $s) (i32.const 3)))
          (if (result f64) (f64.eq (local.get $sum) (f64.const 0))
            (then (f64.const nan))
            (else (f64.div (local.get $num) (local.get $sum)))))
        (local.set $s (i32.add (local.get $s) (i32.const 1)))
        (br $samples)))
    ;; Nothing but blanks may follow the last probability.
    (block $tail_done
      (loop $tail
        (br_if $tail_done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $c (i32.load8_u (local.get $p)))
        (if (i32.eqz (i32.or (i32.or (i32.eq (local.get $c) (i32.const 32)) (i32.eq (local.get $c) (i32.const 9)))
                             (i32.eq (local.get $c) (i32.const 13))))
          (then (return (i32.const 0))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $tail)))
    (i32.const 1))

  ;; ---------------------------------------------------------------------------------------------
  ;; probsq(p, end, n, idx, out): plink2-precision dosages in two stages. Stage 1 finds the line's
  ;; blanks 16 bytes at a time (i8x16 compares and bitmask) and lists their positions at idx: exactly
  ;; 3n of them, one before each probability (more, or two in a row, and the line goes to
  ;; JavaScript). Stage 2 parses each token from its known bounds. Why two stages: token after
  ;; token, each start waited on the previous token's length (~15 cycles a token); from the index the
  ;; tokens are independent. 157-sample lines, one thread: byte loop 3.0 us a line, a token as one
  ;; word 2.5, two stages 2.3 (stage 1 ~0.6 of it).
  (func $probsq (export "probsq")
    (param $p i32) (param $end i32) (param $n i32) (param $idx i32) (param $out i32) (result i32)
    (local $c i32)
    (local $nt i32)          ;; tokens expected: 3n
    (local $cnt i32)         ;; blanks listed so far
    (local $blk i32)         ;; the 16-byte block being scanned
    (local $v v128)
    (local $bits i32)        ;; the block's blanks, one bit a byte
    (local $found i32)       ;; how many
    (local $at i32)          ;; where the next position goes in the index
    (local $s i32)           ;; sample
    (local $i i32)           ;; the sample's three token bounds in the index
    (local $q0 i32) (local $q1 i32) (local $q2 i32)   ;; the three quanta
    (local $tot i32)
    ;; Token scratch (the same block three times below: Node 20's V8 inlines no wasm calls).
    (local $tp i32)          ;; token start
    (local $stop i32)        ;; token end (the blank after it, or end)
    (local $w64 i64)         ;; the token's first 8 bytes
    (local $w i32)           ;; its low 4
    (local $len i32)
    (local $msk i32)         ;; the digit bytes of the word after "0."
    (local $x i32)

    ;; Blanks at the end of the line are no separators.
    (block $trim_done
      (loop $trim
        (br_if $trim_done (i32.le_u (local.get $end) (local.get $p)))
        (local.set $c (i32.load8_u (i32.sub (local.get $end) (i32.const 1))))
        (br_if $trim_done (i32.eqz (i32.or (i32.eq (local.get $c) (i32.const 32)) (i32.eq (local.get $c) (i32.const 9)))))
        (local.set $end (i32.sub (local.get $end) (i32.const 1)))
        (br $trim)))

    ;; ---- Stage 1: the blanks' positions into the index (bytes of a block past end masked off) ----
    (local.set $nt (i32.mul (local.get $n) (i32.const 3)))
    (local.set $cnt (i32.const 0))
    (local.set $blk (local.get $p))
    (block $scan_done
      (loop $scan
        (br_if $scan_done (i32.ge_u (local.get $blk) (local.get $end)))
        (local.set $v (v128.load (local.get $blk)))
        (local.set $bits
          (i8x16.bitmask
            (v128.or
              (i8x16.eq (local.get $v) (i8x16.splat (i32.const 32)))
              (i8x16.eq (local.get $v) (i8x16.splat (i32.const 9))))))
        (if (i32.lt_u (i32.sub (local.get $end) (local.get $blk)) (i32.const 16))
          (then
            (local.set $bits
              (i32.and (local.get $bits)
                (i32.sub (i32.shl (i32.const 1) (i32.sub (local.get $end) (local.get $blk))) (i32.const 1))))))
        (local.set $found (i32.popcnt (local.get $bits)))
        (if (i32.gt_u (i32.add (local.get $cnt) (local.get $found)) (local.get $nt)) (then (return (i32.const 0))))
        ;; Four positions are written whatever the count, then the rest one by one, and cnt moves by
        ;; the count (writes past it are overwritten or unused: the index has room for 7 more). A
        ;; block of .gen text holds about three blanks, so no loop exit to mispredict per block:
        ;; decode 2.88 -> 2.66 us a 157-sample line.
        (local.set $at (i32.add (local.get $idx) (i32.shl (local.get $cnt) (i32.const 2))))
        (i32.store (local.get $at) (i32.add (local.get $blk) (i32.ctz (local.get $bits))))
        (local.set $bits (i32.and (local.get $bits) (i32.sub (local.get $bits) (i32.const 1))))
        (i32.store offset=4 (local.get $at) (i32.add (local.get $blk) (i32.ctz (local.get $bits))))
        (local.set $bits (i32.and (local.get $bits) (i32.sub (local.get $bits) (i32.const 1))))
        (i32.store offset=8 (local.get $at) (i32.add (local.get $blk) (i32.ctz (local.get $bits))))
        (local.set $bits (i32.and (local.get $bits) (i32.sub (local.get $bits) (i32.const 1))))
        (i32.store offset=12 (local.get $at) (i32.add (local.get $blk) (i32.ctz (local.get $bits))))
        (local.set $bits (i32.and (local.get $bits) (i32.sub (local.get $bits) (i32.const 1))))
        (local.set $at (i32.add (local.get $at) (i32.const 16)))
        (block $rest_done
          (loop $rest
            (br_if $rest_done (i32.eqz (local.get $bits)))
            (i32.store (local.get $at) (i32.add (local.get $blk) (i32.ctz (local.get $bits))))
            (local.set $at (i32.add (local.get $at) (i32.const 4)))
            (local.set $bits (i32.and (local.get $bits) (i32.sub (local.get $bits) (i32.const 1))))
            (br $rest)))
        (local.set $cnt (i32.add (local.get $cnt) (local.get $found)))
        (local.set $blk (i32.add (local.get $blk) (i32.const 16)))
        (br $scan)))
    (if (i32.ne (local.get $cnt) (local.get $nt)) (then (return (i32.const 0))))
    ;; The first blank must be where the probabilities begin; the last token ends at end.
    (if (i32.ne (local.get $p) (i32.load (local.get $idx))) (then (return (i32.const 0))))
    (i32.store (i32.add (local.get $idx) (i32.shl (local.get $nt) (i32.const 2))) (local.get $end))

    ;; ---- Stage 2: every token from its bounds ----
    ;; A token [tp, stop): "0"/"1", or "0.d" .. "1.dddd" read as one 8-byte word (a 16-bit compare
    ;; for the "0."/"1.", a SWAR non-digit mask over the digits, their value by two multiplies), its
    ;; quantum from the 4-digit table at byte 2230 (m * 10^(4 - L) / 10^4 is the same rational as
    ;; m / 10^L, so the same quantum). Anything else: $decimal and $quantum; what they do not take,
    ;; JavaScript does.
    (local.set $s (i32.const 0))
    (local.set $i (local.get $idx))
    (block $samples_done
      (loop $samples
        (br_if $samples_done (i32.ge_u (local.get $s) (local.get $n)))

        ;; -- token 0 -> $q0 --
        (local.set $tp (i32.add (i32.load (local.get $i)) (i32.const 1)))
        (local.set $stop (i32.load offset=4 (local.get $i)))
        (block $done0
          (block $general0
            (local.set $w64 (i64.load (local.get $tp)))
            (local.set $w (i32.wrap_i64 (local.get $w64)))
            (local.set $len (i32.sub (local.get $stop) (local.get $tp)))
            (if (i32.eq (local.get $len) (i32.const 1))
              (then
                (br_if $general0 (i32.ne (i32.and (local.get $w) (i32.const 0xfe)) (i32.const 0x30)))
                (local.set $q0 (i32.shl (i32.and (local.get $w) (i32.const 1)) (i32.const 15)))
                (br $done0)))
            ;; 3 to 6 bytes, "0." or "1." then digits.
            (br_if $general0 (i32.gt_u (i32.sub (local.get $len) (i32.const 3)) (i32.const 3)))
            (br_if $general0 (i32.ne (i32.and (local.get $w) (i32.const 0xfeff)) (i32.const 0x2e30)))
            (local.set $msk (i32.load offset=22592 (i32.shl (i32.sub (local.get $len) (i32.const 2)) (i32.const 2))))
            ;; Bytes 2..5 XOR '0': a digit becomes its value; anything else is above 9 or has its high bit.
            (local.set $x (i32.xor (i32.wrap_i64 (i64.shr_u (local.get $w64) (i64.const 16))) (i32.const 0x30303030)))
            (br_if $general0
              (i32.and
                (i32.and
                  (i32.or (i32.add (i32.and (local.get $x) (i32.const 0x7f7f7f7f)) (i32.const 0x76767676)) (local.get $x))
                  (i32.const 0x80808080))
                (local.get $msk)))
            ;; d0 d1 d2 d3 (zeros past the digits) -> d0d1d2d3: pairs by one multiply, then the four.
            (local.set $x
              (i32.add
                (i32.shr_u
                  (i32.mul
                    (i32.and (i32.shr_u (i32.mul (i32.and (local.get $x) (local.get $msk)) (i32.const 0x0a01)) (i32.const 8)) (i32.const 0x00ff00ff))
                    (i32.const 0x00640001))
                  (i32.const 16))
                (i32.mul (i32.and (local.get $w) (i32.const 1)) (i32.const 10000))))
            (br_if $general0 (i32.gt_u (local.get $x) (i32.const 10000)))
            (local.set $q0 (i32.load16_u offset=2230 (i32.shl (local.get $x) (i32.const 1))))
            (br $done0))
          ;; $general0
          (local.set $q0 (call $tokenQuantum (local.get $tp) (local.get $stop) (local.get $end)))
          (if (i32.lt_s (local.get $q0) (i32.const 0)) (then (return (i32.const 0)))))

        ;; -- token 1 -> $q1 (the same) --
        (local.set $tp (i32.add (i32.load offset=4 (local.get $i)) (i32.const 1)))
        (local.set $stop (i32.load offset=8 (local.get $i)))
        (block $done1
          (block $general1
            (local.set $w64 (i64.load (local.get $tp)))
            (local.set $w (i32.wrap_i64 (local.get $w64)))
            (local.set $len (i32.sub (local.get $stop) (local.get $tp)))
            (if (i32.eq (local.get $len) (i32.const 1))
              (then
                (br_if $general1 (i32.ne (i32.and (local.get $w) (i32.const 0xfe)) (i32.const 0x30)))
                (local.set $q1 (i32.shl (i32.and (local.get $w) (i32.const 1)) (i32.const 15)))
                (br $done1)))
            (br_if $general1 (i32.gt_u (i32.sub (local.get $len) (i32.const 3)) (i32.const 3)))
            (br_if $general1 (i32.ne (i32.and (local.get $w) (i32.const 0xfeff)) (i32.const 0x2e30)))
            (local.set $msk (i32.load offset=22592 (i32.shl (i32.sub (local.get $len) (i32.const 2)) (i32.const 2))))
            (local.set $x (i32.xor (i32.wrap_i64 (i64.shr_u (local.get $w64) (i64.const 16))) (i32.const 0x30303030)))
            (br_if $general1
              (i32.and
                (i32.and
                  (i32.or (i32.add (i32.and (local.get $x) (i32.const 0x7f7f7f7f)) (i32.const 0x76767676)) (local.get $x))
                  (i32.const 0x80808080))
                (local.get $msk)))
            (local.set $x
              (i32.add
                (i32.shr_u
                  (i32.mul
                    (i32.and (i32.shr_u (i32.mul (i32.and (local.get $x) (local.get $msk)) (i32.const 0x0a01)) (i32.const 8)) (i32.const 0x00ff00ff))
                    (i32.const 0x00640001))
                  (i32.const 16))
                (i32.mul (i32.and (local.get $w) (i32.const 1)) (i32.const 10000))))
            (br_if $general1 (i32.gt_u (local.get $x) (i32.const 10000)))
            (local.set $q1 (i32.load16_u offset=2230 (i32.shl (local.get $x) (i32.const 1))))
            (br $done1))
          (local.set $q1 (call $tokenQuantum (local.get $tp) (local.get $stop) (local.get $end)))
          (if (i32.lt_s (local.get $q1) (i32.const 0)) (then (return (i32.const 0)))))

        ;; -- token 2 -> $q2 (the same) --
        (local.set $tp (i32.add (i32.load offset=8 (local.get $i)) (i32.const 1)))
        (local.set $stop (i32.load offset=12 (local.get $i)))
        (block $done2
          (block $general2
            (local.set $w64 (i64.load (local.get $tp)))
            (local.set $w (i32.wrap_i64 (local.get $w64)))
            (local.set $len (i32.sub (local.get $stop) (local.get $tp)))
            (if (i32.eq (local.get $len) (i32.const 1))
              (then
                (br_if $general2 (i32.ne (i32.and (local.get $w) (i32.const 0xfe)) (i32.const 0x30)))
                (local.set $q2 (i32.shl (i32.and (local.get $w) (i32.const 1)) (i32.const 15)))
                (br $done2)))
            (br_if $general2 (i32.gt_u (i32.sub (local.get $len) (i32.const 3)) (i32.const 3)))
            (br_if $general2 (i32.ne (i32.and (local.get $w) (i32.const 0xfeff)) (i32.const 0x2e30)))
            (local.set $msk (i32.load offset=22592 (i32.shl (i32.sub (local.get $len) (i32.const 2)) (i32.const 2))))
            (local.set $x (i32.xor (i32.wrap_i64 (i64.shr_u (local.get $w64) (i64.const 16))) (i32.const 0x30303030)))
            (br_if $general2
              (i32.and
                (i32.and
                  (i32.or (i32.add (i32.and (local.get $x) (i32.const 0x7f7f7f7f)) (i32.const 0x76767676)) (local.get $x))
                  (i32.const 0x80808080))
                (local.get $msk)))
            (local.set $x
              (i32.add
                (i32.shr_u
                  (i32.mul
                    (i32.and (i32.shr_u (i32.mul (i32.and (local.get $x) (local.get $msk)) (i32.const 0x0a01)) (i32.const 8)) (i32.const 0x00ff00ff))
                    (i32.const 0x00640001))
                  (i32.const 16))
                (i32.mul (i32.and (local.get $w) (i32.const 1)) (i32.const 10000))))
            (br_if $general2 (i32.gt_u (local.get $x) (i32.const 10000)))
            (local.set $q2 (i32.load16_u offset=2230 (i32.shl (local.get $x) (i32.const 1))))
            (br $done2))
          (local.set $q2 (call $tokenQuantum (local.get $tp) (local.get $stop) (local.get $end)))
          (if (i32.lt_s (local.get $q2) (i32.const 0)) (then (return (i32.const 0)))))

        ;; The dosage: rhe((q1 + 2 q2) * 16384 / tot) / 16384; NaN when all three are 0.
        (local.set $tot (i32.add (i32.add (local.get $q0) (local.get $q1)) (local.get $q2)))
        (f64.store (i32.add (local.get $out) (i32.shl (local.get $s) (i32.const 3)))
          (if (result f64) (i32.eqz (local.get $tot))
            (then (f64.const nan))
            (else
              (f64.mul
                (f64.nearest
                  (f64.div
                    (f64.mul (f64.convert_i32_s (i32.add (local.get $q1) (i32.shl (local.get $q2) (i32.const 1)))) (f64.const 16384))
                    (f64.convert_i32_s (local.get $tot))))
                (f64.const 0x1p-14)))))
        (local.set $i (i32.add (local.get $i) (i32.const 12)))
        (local.set $s (i32.add (local.get $s) (i32.const 1)))
        (br $samples)))
    (i32.const 1))

  ;; A token of another shape than probsq's word path: its quantum, or -1 when the line goes to
  ;; JavaScript. The number must fill the token [tp, stop) (a '\r' inside it ends the digits but is
  ;; no separator).
  (func $tokenQuantum (param $tp i32) (param $stop i32) (param $end i32) (result i32)
    (local $m i32) (local $scale i32) (local $p i32)
    (call $decimal (local.get $tp) (local.get $end))
    (local.set $p)
    (local.set $scale)
    (local.set $m)
    (if (i32.or (i32.eqz (local.get $p)) (i32.ne (local.get $p) (local.get $stop))) (then (return (i32.const -1))))
    (call $quantum (local.get $m) (local.get $scale))))
