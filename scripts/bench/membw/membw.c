// Measures memory read bandwidth (the physical limit of decode speed: weight bytes read per token / bandwidth).
// Same method as ../../../shared/bench/membw.c (1 GiB buffer, best of 5 passes, one slice per thread), but with
// 256-bit AVX2 loads, so it also runs on CPUs without AVX-512 (the shared copy needs AVX-512F), or on arm64 with
// 128-bit NEON loads (the same 128 bytes per step).
//   gcc -O3 -mavx2 -pthread membw.c -o membw && ./membw 1 && ./membw 2      (x86-64)
//   gcc -O3 -pthread membw.c -o membw                                        (arm64)
#if defined(__AVX2__)
#include <immintrin.h>
#elif defined(__aarch64__)
#include <arm_neon.h>
#else
#error "membw.c needs AVX2 (gcc -mavx2) or arm64"
#endif
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#define N (1UL << 30)  /* far larger than any cache */
#define PASSES 5
#define MAXTH 64
static char *buf;
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
typedef struct { size_t lo, hi; long long sink; } arg_t;
#if defined(__AVX2__)
static void *run(void *p) {
  arg_t *a = p;
  __m256i s0 = _mm256_setzero_si256(), s1 = s0, s2 = s0, s3 = s0;
  for (size_t i = a->lo; i < a->hi; i += 128) {
    s0 = _mm256_add_epi64(s0, _mm256_load_si256((const __m256i *)(buf + i)));
    s1 = _mm256_add_epi64(s1, _mm256_load_si256((const __m256i *)(buf + i + 32)));
    s2 = _mm256_add_epi64(s2, _mm256_load_si256((const __m256i *)(buf + i + 64)));
    s3 = _mm256_add_epi64(s3, _mm256_load_si256((const __m256i *)(buf + i + 96)));
  }
  s0 = _mm256_add_epi64(_mm256_add_epi64(s0, s1), _mm256_add_epi64(s2, s3));
  a->sink = _mm256_extract_epi64(s0, 0);
  return 0;
}
#else
static void *run(void *p) {
  arg_t *a = p;
  uint64x2_t s[8];
  for (int k = 0; k < 8; k++) s[k] = vdupq_n_u64(0);
  for (size_t i = a->lo; i < a->hi; i += 128)
    for (int k = 0; k < 8; k++) s[k] = vaddq_u64(s[k], vld1q_u64((const uint64_t *)(buf + i + 16 * k)));
  for (int k = 1; k < 8; k++) s[0] = vaddq_u64(s[0], s[k]);
  a->sink = (long long)vgetq_lane_u64(s[0], 0);
  return 0;
}
#endif
int main(int argc, char **argv) {
  int nth = argc > 1 ? atoi(argv[1]) : 1;
  if (nth < 1 || nth > MAXTH) { fprintf(stderr, "threads must be 1..%d\n", MAXTH); return 2; }
  buf = aligned_alloc(64, N);
  if (!buf) { perror("alloc"); return 1; }
  memset(buf, 1, N);
  double best = 0;
  for (int r = 0; r < PASSES; r++) {
    pthread_t th[MAXTH]; arg_t a[MAXTH];
    double t0 = now();
    for (int i = 0; i < nth; i++) { a[i].lo = N / nth * i; a[i].hi = N / nth * (i + 1); pthread_create(&th[i], 0, run, &a[i]); }
    for (int i = 0; i < nth; i++) pthread_join(th[i], 0);
    double gb = N / (now() - t0) / 1e9;
    if (gb > best) best = gb;
  }
  printf("threads=%d best read bandwidth %.1f GB/s\n", nth, best);
  return 0;
}
