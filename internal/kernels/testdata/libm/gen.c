// gen.c prints the system libm's sinf, cosf and powf on the arguments
// llama.cpp's rope cache passes them, as hex float bits, one value a line:
//
//   libc <name> <version>                    (first line)
//   pow <base> <exponent> <powf(base, exponent)>
//   sc <x> <sinf(x)> <cosf(x)>
//
// The arguments: the theta scale powf(base, -2/n) of 6 bases and every even
// n up to 512; the thetas pos * scale^k of positions 0..47 and 18 larger ones
// for two bases and two head sizes; then every float32 from 2^-31 to 2^23
// (both signs) whose bits are a multiple of STEP apart (argv[1], default
// 262139). internal/kernels' TestLibm compiles and runs it with a step of 997
// where cc exists on a CPU with FMA and AVX2; libm.txt holds its output for
// the other machines, made on Debian 12 (glibc 2.36, x86-64 with FMA and AVX2):
//
//   cc -O2 gen.c -lm -o gen && ./gen | awk '!seen[$0]++' > libm.txt
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t bits(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }

static void sc(float x) {
    volatile float v = x; // keep the compiler from folding or pairing the calls
    printf("sc %08x %08x %08x\n", bits(x), bits(sinf(v)), bits(cosf(v)));
}

int main(int argc, char **argv) {
#ifdef __GLIBC__
    printf("libc glibc %d.%d\n", __GLIBC__, __GLIBC_MINOR__);
#else
    printf("libc other 0\n");
#endif
    static const float bases[6] = {10000, 1000000, 10, 1.5f, 123456.7f, 3e9f};
    for (int b = 0; b < 6; b++)
        for (int n = 2; n <= 512; n += 2) {
            volatile float base = bases[b], e = -2.0f / n;
            printf("pow %08x %08x %08x\n", bits(base), bits(e), bits(powf(base, e)));
        }
    const int dims[2] = {8, 64};
    for (int b = 0; b < 2; b++)
        for (int d = 0; d < 2; d++) {
            volatile float base = bases[b];
            float ts = powf(base, -2.0f / dims[d]);
            for (int p = 0; p < 4096; p += (p < 48 ? 1 : 211)) {
                float theta = (float)p;
                for (int i = 0; i < dims[d]; i += 2) {
                    sc(theta);
                    theta *= ts;
                }
            }
        }
    uint32_t step = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 0) : 262139;
    if (step == 0) step = 1;
    for (uint32_t u = 0x30000000; u < 0x4b000000; u += step) {
        float x;
        memcpy(&x, &u, 4);
        sc(x);
        sc(-x);
    }
    return 0;
}
