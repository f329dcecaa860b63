// gen.c writes golden files from llama.cpp's own ggml libraries (the prebuilt
// CPU build that node-llama-cpp ships, see ../../../../../shared/bench), so
// that Plume's quantizers and dot products can be checked against the real
// thing without llama.cpp in CI. Build and run with gen.sh.
//
// Files (little-endian):
//   w.f32, x.f32              inputs: N weights and N activations (float32)
//   w_<type>.bin              ggml_quantize_chunk(type, w) (the *_ref quantizers)
//   x_<type>.bin              the CPU backend's from_float(x) for each vec_dot_type
//   dots.txt                  "<weight type> <vec_dot result as %a>" using the two files above
//   f16.bin, bf16.bin         for every float32 in conv.f32: the CPU backend's fp16 / bf16 bits
//   op_*.f32                  results of ggml ops on x.f32 / w.f32 (see ops() below)
//   mm_w.f32, mm_x.f32        an 8x1024 weight matrix and 8 activation rows (see matmuls() below)
//   mm_<type>_n<k>.f32        ggml_mul_mat(W as <type>, first k rows of X): k x 8 outputs
//   mmr_<type>_n<k>.f32       the same with W in the repack buffer type, as llama.cpp loads
//                             Q4_0 and Q4_K weights (rows % 8 == 0) on AVX2 machines
//   trig.f32                  (x, cosf(x), sinf(x)) triples from the system libm, which
//                             llama.cpp's rope cache calls
//   pow.f32                   (base, -2/n, powf(base, -2/n)): rope's theta_scale
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ggml.h"
#include "ggml-alloc.h"
#include "ggml-backend.h"
#include "ggml-cpu.h"

// The CPU backend's "repack" buffer type (C++ linkage in libggml-cpu): weights
// stored there are interleaved at load time and multiplied by other kernels.
extern ggml_backend_buffer_type_t repack_buffer_type(void) __asm__("_Z35ggml_backend_cpu_repack_buffer_typev");

#define N 1024

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static double uniform(void) {
    rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
    return ((rng >> 11) + 0.5) / 9007199254740992.0;
}
static float gauss(void) { return (float)(sqrt(-2 * log(uniform())) * cos(6.283185307179586 * uniform())); }

static void put(const char * name, const void * data, size_t size) {
    FILE * f = fopen(name, "wb");
    if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0) { perror(name); exit(1); }
}

static void save(const char * name, const struct ggml_tensor * t) { put(name, t->data, ggml_nbytes(t)); }

static struct ggml_tensor * vec(struct ggml_context * ctx, const float * v, int64_t n) {
    struct ggml_tensor * t = ggml_new_tensor_1d(ctx, GGML_TYPE_F32, n);
    memcpy(t->data, v, n * sizeof(float));
    return t;
}

// ops computes the float32 ops of a llama forward pass with ggml's CPU backend:
// rms_norm(x, 1e-5)*w, soft_max(x[32:]), swiglu(x[:512], x[512:]), and rope on x viewed
// as [64 dims, 4 heads, 4 tokens] at positions 0, 1, 7, 1000 (normal and neox).
static void ops(const float * x, const float * w) {
    struct ggml_init_params ip = { 64 << 20, NULL, false };
    struct ggml_context * ctx = ggml_init(ip);
    struct ggml_tensor * X = vec(ctx, x, N), * W = vec(ctx, w, N);
    struct ggml_tensor * rms = ggml_mul(ctx, ggml_rms_norm(ctx, X, 1e-5f), W);
    struct ggml_tensor * sm = ggml_soft_max(ctx, vec(ctx, x + 32, N - 32)); // past the tie block (x[0] = 127)
    struct ggml_tensor * sw = ggml_swiglu_split(ctx, vec(ctx, x, N / 2), vec(ctx, x + N / 2, N / 2));
    struct ggml_tensor * X3 = ggml_new_tensor_3d(ctx, GGML_TYPE_F32, 64, 4, 4);
    memcpy(X3->data, x, N * sizeof(float));
    struct ggml_tensor * pos = ggml_new_tensor_1d(ctx, GGML_TYPE_I32, 4);
    const int32_t p[4] = { 0, 1, 7, 1000 };
    memcpy(pos->data, p, sizeof p);
    struct ggml_tensor * rn = ggml_rope_ext(ctx, X3, pos, NULL, 64, 0, 4096, 10000, 1, 0, 1, 32, 1);
    struct ggml_tensor * rx = ggml_rope_ext(ctx, X3, pos, NULL, 64, GGML_ROPE_TYPE_NEOX, 4096, 1e6f, 1, 0, 1, 32, 1);
    struct ggml_cgraph * gf = ggml_new_graph(ctx);
    ggml_build_forward_expand(gf, rms);
    ggml_build_forward_expand(gf, sm);
    ggml_build_forward_expand(gf, sw);
    ggml_build_forward_expand(gf, rn);
    ggml_build_forward_expand(gf, rx);
    if (ggml_graph_compute_with_ctx(ctx, gf, 1) != GGML_STATUS_SUCCESS) { fprintf(stderr, "compute failed\n"); exit(1); }
    save("op_rms_norm_mul.f32", rms);
    save("op_soft_max.f32", sm);
    save("op_swiglu.f32", sw);
    save("op_rope_norm.f32", rn);
    save("op_rope_neox.f32", rx);
    ggml_free(ctx);
}

// matmuls runs ggml_mul_mat through the CPU backend (and so through
// llamafile's sgemm where llama.cpp uses it) for every weight type.
static void matmuls(const float * x, const float * w) {
    enum { R = 8, T = 8 };
    static float W[R * N], X[T * N];
    for (int r = 0; r < R; r++)
        for (int i = 0; i < N; i++) W[r * N + i] = w[(i + 37 * r) % N] * (1 + 0.1f * r);
    for (int t = 0; t < T; t++)
        for (int i = 0; i < N; i++) X[t * N + i] = x[(i + 101 * t) % N];
    put("mm_w.f32", W, sizeof W);
    put("mm_x.f32", X, sizeof X);
    const enum ggml_type types[] = { GGML_TYPE_F32, GGML_TYPE_F16, GGML_TYPE_BF16, GGML_TYPE_Q4_0, GGML_TYPE_Q4_1,
        GGML_TYPE_Q5_0, GGML_TYPE_Q5_1, GGML_TYPE_Q8_0, GGML_TYPE_Q2_K, GGML_TYPE_Q3_K, GGML_TYPE_Q4_K, GGML_TYPE_Q5_K,
        GGML_TYPE_Q6_K };
    for (size_t k = 0; k < sizeof types / sizeof types[0]; k++) {
        static const int nts[] = { 1, 3, 8 };
        for (int q = 0; q < 3; q++) {
            const int nt = nts[q];
            struct ggml_init_params ip = { 64 << 20, NULL, false };
            struct ggml_context * ctx = ggml_init(ip);
            struct ggml_tensor * Wt = ggml_new_tensor_2d(ctx, types[k], N, R);
            ggml_quantize_chunk(types[k], W, Wt->data, 0, R, N, NULL);
            struct ggml_tensor * Xt = ggml_new_tensor_2d(ctx, GGML_TYPE_F32, N, nt);
            memcpy(Xt->data, X, (size_t)nt * N * sizeof(float));
            struct ggml_tensor * Y = ggml_mul_mat(ctx, Wt, Xt);
            struct ggml_cgraph * gf = ggml_new_graph(ctx);
            ggml_build_forward_expand(gf, Y);
            if (ggml_graph_compute_with_ctx(ctx, gf, 1) != GGML_STATUS_SUCCESS) { fprintf(stderr, "mul_mat failed\n"); exit(1); }
            char name[64];
            snprintf(name, sizeof name, "mm_%s_n%d.f32", ggml_type_name(types[k]), nt);
            save(name, Y);
            ggml_free(ctx);
        }
    }
}

static void repack_matmuls(void) {
    enum { R = 8, T = 8 };
    static float W[R * N], X[T * N];
    FILE * f = fopen("mm_w.f32", "rb");
    FILE * g = fopen("mm_x.f32", "rb");
    if (!f || !g || fread(W, 4, R * N, f) != R * N || fread(X, 4, T * N, g) != T * N) { perror("mm inputs"); exit(1); }
    fclose(f); fclose(g);
    const enum ggml_type types[] = { GGML_TYPE_Q4_0, GGML_TYPE_Q4_K };
    for (size_t k = 0; k < 2; k++) {
        static const int nts[] = { 1, 3, 8 };
        for (int q = 0; q < 3; q++) {
            const int nt = nts[q];
            struct ggml_init_params wp = { ggml_tensor_overhead() * 4, NULL, true };
            struct ggml_context * wctx = ggml_init(wp);
            struct ggml_tensor * Wt = ggml_new_tensor_2d(wctx, types[k], N, R);
            ggml_backend_buffer_t buf = ggml_backend_alloc_ctx_tensors_from_buft(wctx, repack_buffer_type());
            if (!buf) { fprintf(stderr, "repack alloc failed\n"); exit(1); }
            void * tmp = malloc(ggml_nbytes(Wt));
            ggml_quantize_chunk(types[k], W, tmp, 0, R, N, NULL);
            ggml_backend_tensor_set(Wt, tmp, 0, ggml_nbytes(Wt));
            free(tmp);
            struct ggml_init_params ip = { 64 << 20, NULL, false };
            struct ggml_context * ctx = ggml_init(ip);
            struct ggml_tensor * Xt = ggml_new_tensor_2d(ctx, GGML_TYPE_F32, N, nt);
            memcpy(Xt->data, X, (size_t)nt * N * sizeof(float));
            struct ggml_tensor * Y = ggml_mul_mat(ctx, Wt, Xt);
            struct ggml_cgraph * gf = ggml_new_graph(ctx);
            ggml_build_forward_expand(gf, Y);
            if (ggml_graph_compute_with_ctx(ctx, gf, 1) != GGML_STATUS_SUCCESS) { fprintf(stderr, "mul_mat failed\n"); exit(1); }
            char name[64];
            snprintf(name, sizeof name, "mmr_%s_n%d.f32", ggml_type_name(types[k]), nt);
            save(name, Y);
            ggml_free(ctx);
            ggml_backend_buffer_free(buf);
            ggml_free(wctx);
        }
    }
}

static void trig(void) {
    enum { NT = 4096 };
    static float t[3 * NT];
    for (int i = 0; i < NT; i++) {
        float x;
        switch (i % 4) {
        case 0: x = (float)(uniform() * 100); break;                     // the fast reduction
        case 1: x = (float)(uniform() * 65536); break;                   // the 4/pi table reduction
        case 2: x = (float)(uniform() * 0.8); break;                     // |x| < pi/4
        default: x = (float)((uniform() - 0.5) * 2e6); break;            // negative and large
        }
        volatile float vx = x; // keep GCC from folding or pairing the calls
        t[3 * i] = x;
        t[3 * i + 1] = cosf(vx);
        t[3 * i + 2] = sinf(vx);
    }
    put("trig.f32", t, sizeof t);

    static const float bases[] = { 10000, 500000, 1000000, 100000, 1e7f, 5000000, 150000, 75000, 40000, 8000000,
        25000, 2e6f };
    static float pw[12 * 256 * 3];
    int k = 0;
    for (int b = 0; b < 12; b++)
        for (int n = 2; n <= 512; n += 2) {
            volatile float e = -2.0f / n;
            pw[k++] = bases[b];
            pw[k++] = e;
            pw[k++] = powf(bases[b], e);
        }
    put("pow.f32", pw, sizeof pw);
}

int main(void) {
    ggml_cpu_init();
    static float w[N], x[N];
    for (int i = 0; i < N; i++) { w[i] = gauss(); x[i] = gauss(); }
    w[5] = 9; w[700] = -7.5f;                                   // outliers
    for (int i = 256; i < 288; i++) w[i] = 0;                   // an all-zero sub-block
    for (int i = 288; i < 320; i++) w[i] = 0.7f;                // a constant sub-block
    x[0] = 127;                                                 // amax 127: the scale is exactly 1 ...
    for (int i = 1; i < 32; i++) x[i] = (float)(i - 16) + 0.5f; // ... so these are all rounding ties
    put("w.f32", w, sizeof w);
    put("x.f32", x, sizeof x);
    ops(x, w);
    matmuls(x, w);
    repack_matmuls();
    trig();

    const enum ggml_type wt[] = { GGML_TYPE_F16, GGML_TYPE_BF16, GGML_TYPE_Q4_0, GGML_TYPE_Q4_1, GGML_TYPE_Q5_0,
        GGML_TYPE_Q5_1, GGML_TYPE_Q8_0, GGML_TYPE_Q2_K, GGML_TYPE_Q3_K, GGML_TYPE_Q4_K, GGML_TYPE_Q5_K, GGML_TYPE_Q6_K };
    FILE * dots = fopen("dots.txt", "w");
    for (size_t k = 0; k < sizeof wt / sizeof wt[0]; k++) {
        enum ggml_type t = wt[k];
        char name[64];
        size_t wsize = ggml_row_size(t, N);
        void * wq = malloc(wsize);
        ggml_quantize_chunk(t, w, wq, 0, 1, N, NULL);
        snprintf(name, sizeof name, "w_%s.bin", ggml_type_name(t));
        put(name, wq, wsize);

        const struct ggml_type_traits_cpu * tr = ggml_get_type_traits_cpu(t);
        enum ggml_type vt = tr->vec_dot_type;
        size_t xsize = ggml_row_size(vt, N);
        void * xq = malloc(xsize);
        ggml_get_type_traits_cpu(vt)->from_float(x, xq, N);
        snprintf(name, sizeof name, "x_%s.bin", ggml_type_name(vt));
        put(name, xq, xsize);

        float s = 0;
        tr->vec_dot(N, &s, 0, wq, 0, xq, 0, 1);
        fprintf(dots, "%s %a\n", ggml_type_name(t), s);
        free(wq); free(xq);
    }
    fclose(dots);

    // fp16 / bf16 conversions of special and random values.
    enum { NC = 4096 };
    static float c[NC];
    static uint16_t h[NC];
    const uint32_t special[] = { 0, 0x80000000, 0x3f800000, 0x477fe000, 0x477ff000, 0x477fefff, 0x7f800000, 0xff800000,
        0x7fc00000, 0xffc00000, 0x7f800001, 0x7fa50000, 0x33800000, 0x33000000, 0x33000001, 0x33c00000, 0x38800000,
        0x387fc000, 0x00000001, 0x3f801000, 0x3f803000, 0x3f808000, 0x3f818000, 0x7f7fffff, 0x00008000, 0x00018000 };
    size_t ns = sizeof special / sizeof special[0];
    for (size_t i = 0; i < ns; i++) memcpy(&c[i], &special[i], 4);
    for (size_t i = ns; i < NC; i++) c[i] = gauss() * (float)pow(2, (int)(uniform() * 50) - 30);
    put("conv.f32", c, sizeof c);
    ggml_cpu_fp32_to_fp16(c, (ggml_fp16_t *)h, NC);
    put("f16.bin", h, sizeof h);
    ggml_cpu_fp32_to_bf16(c, (ggml_bf16_t *)h, NC);
    put("bf16.bin", h, sizeof h);
    return 0;
}
