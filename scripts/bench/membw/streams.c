// Measures how one core's read bandwidth depends on the number of sequential streams it reads at once: the
// measurement behind the stream kernels of internal/kernels (streamEntry). A 1 GiB buffer (huge pages where the
// kernel gives them, as Plume's weights) is cut into k equal streams, read G bytes of each in turn (two 64-byte
// loads per 128 bytes with a few VNNI instructions on them, about a decode kernel's work per byte). Every
// configuration runs once per round, in the same order, for 5 rounds: compare within a round, this VM's
// bandwidth drifts from minute to minute.
//   gcc -O3 -mavx512f -mavx512bw -mavx512vnni streams.c -o streams && ./streams      (AVX-512 VNNI CPUs)
#include <immintrin.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#define N (1UL << 30) /* far larger than any cache */
#define ROUNDS 5
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
/* k streams of N/k bytes, g bytes of each a turn */
static long long run(const char *b, int k, size_t g) {
  __m512i s0 = _mm512_setzero_si512(), s1 = s0, m = _mm512_set1_epi8(3);
  size_t len = N / k;
  for (size_t i = 0; i < len; i += g)
    for (int j = 0; j < k; j++) {
      const char *p0 = b + j * len + i;
      for (const char *p = p0; p < p0 + g; p += 128) {
        __m512i a = _mm512_load_si512(p), c = _mm512_load_si512(p + 64);
        for (int w = 0; w < 3; w++) { a = _mm512_dpbusd_epi32(a, m, a); c = _mm512_dpbusd_epi32(c, m, c); }
        s0 = _mm512_add_epi64(s0, a);
        s1 = _mm512_add_epi64(s1, c);
      }
    }
  return _mm512_reduce_add_epi64(_mm512_add_epi64(s0, s1));
}
int main(void) {
  char *b = aligned_alloc(1 << 21, N);
  if (!b) { perror("alloc"); return 1; }
  madvise(b, N, MADV_HUGEPAGE);
  memset(b, 1, N);
  const int ks[] = {1, 2, 4, 8, 16, 4, 4};
  const size_t gs[] = {128, 128, 128, 128, 128, 1024, 8192};
  const int n = sizeof ks / sizeof ks[0];
  long long sink = 0;
  for (int r = 0; r < ROUNDS; r++) {
    for (int q = 0; q < n; q++) {
      double t = now();
      sink += run(b, ks[q], gs[q]);
      printf("%sk=%d/%zuB %.1f", q ? "  " : "", ks[q], gs[q], N / (now() - t) / 1e9);
    }
    printf("  GB/s\n");
  }
  return sink == 42; /* keeps the loads */
}
