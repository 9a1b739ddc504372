// Probe for docs/decisions/0302 (Session 10): inflate + CRC32 every BGZF block of a file with the
// system libdeflate, one thread. Build: gcc -O2 -o /tmp/bgzf bench/probes/libdeflate-bgzf.c -ldeflate
// (apt: libdeflate-dev). Run: /tmp/bgzf FILE.vcf.gz [crc]. Not part of the package or the tests.
// Measure: inflate every BGZF block of a file with libdeflate (+ its CRC32 check), single thread.
#include <libdeflate.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
int main(int argc, char **argv) {
  FILE *f = fopen(argv[1], "rb"); fseek(f, 0, SEEK_END); long n = ftell(f); fseek(f, 0, SEEK_SET);
  unsigned char *b = malloc(n); fread(b, 1, n, f); fclose(f);
  unsigned char out[65536];
  struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
  struct timespec t0, t1; clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
  long p = 0, total = 0, blocks = 0; int crc = argc > 2;
  while (p + 18 <= n) {
    int bsize = (b[p + 16] | (b[p + 17] << 8)) + 1;
    int xlen = b[p + 10] | (b[p + 11] << 8);
    unsigned isize = b[p + bsize - 4] | (b[p + bsize - 3] << 8) | (b[p + bsize - 2] << 16) | ((unsigned)b[p + bsize - 1] << 24);
    size_t got;
    if (libdeflate_deflate_decompress(d, b + p + 12 + xlen, bsize - 12 - xlen - 8, out, isize, &got) != LIBDEFLATE_SUCCESS) { fprintf(stderr, "bad block at %ld\n", p); return 1; }
    if (crc) { unsigned c = libdeflate_crc32(0, out, got); unsigned want = b[p + bsize - 8] | (b[p + bsize - 7] << 8) | (b[p + bsize - 6] << 16) | ((unsigned)b[p + bsize - 5] << 24); if (c != want) { fprintf(stderr, "crc\n"); return 1; } }
    total += got; blocks++; p += bsize;
  }
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
  double s = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
  printf("libdeflate%s: %ld blocks, %.1f MB out, %.3f s CPU, %.0f MB/s\n", crc ? "+crc" : "", blocks, total / 1e6, s, total / 1e6 / s);
  return 0;
}
