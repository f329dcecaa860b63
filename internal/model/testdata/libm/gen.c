// gen.c prints glibc's sinf/cosf/powf on RoPE-like arguments, as hex float
// bits, for internal/model's rope tests: gcc -O2 gen.c -lm && ./a.out | awk '!seen[$0]++' > sincosf.txt
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <stdint.h>
static uint32_t bits(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }
int main(void) {
    const float bases[2] = {10000.f, 1000000.f};
    const int dims[2] = {8, 64};
    for (int b = 0; b < 2; b++)
        for (int d = 0; d < 2; d++) {
            volatile float base = bases[b];
            float ts = powf(base, -2.0f / dims[d]);
            printf("pow %08x %d %08x\n", bits(bases[b]), dims[d], bits(ts));
            for (int p = 0; p < 4096; p += (p < 48 ? 1 : 211)) {
                float theta = (float)p;
                for (int i = 0; i < dims[d]; i += 2) {
                    volatile float t = theta;
                    printf("%08x %08x %08x\n", bits(t), bits(sinf(t)), bits(cosf(t)));
                    theta *= ts;
                }
            }
        }
    return 0;
}
