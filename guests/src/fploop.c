/* fploop: an FP-heavy loop for benchmarking (about 1e9 instructions per round): a small n-body
 * simulation in double precision (fmul/fadd/fsub, fsqrt, fdiv, fused multiply-adds, loads
 * and stores of f registers) plus a single-precision filter; prints a checksum. */
#include "rt.h"

#ifndef FPLOOP_ROUNDS
#define FPLOOP_ROUNDS 1
#endif
#define FPLOOP_STEPS (FPLOOP_ROUNDS * 1600000L)

#define BODIES 5
static double px[BODIES], py[BODIES], pz[BODIES], vx[BODIES], vy[BODIES], vz[BODIES], m[BODIES];

static void step(double dt)
{
    for (int i = 0; i < BODIES; i++) {
        for (int j = i + 1; j < BODIES; j++) {
            double dx = px[i] - px[j], dy = py[i] - py[j], dz = pz[i] - pz[j];
            double d2 = dx * dx + dy * dy + dz * dz;
            double mag = dt / (d2 * __builtin_sqrt(d2));
            vx[i] -= dx * m[j] * mag; vy[i] -= dy * m[j] * mag; vz[i] -= dz * m[j] * mag;
            vx[j] += dx * m[i] * mag; vy[j] += dy * m[i] * mag; vz[j] += dz * m[i] * mag;
        }
    }
    for (int i = 0; i < BODIES; i++) {
        px[i] += dt * vx[i]; py[i] += dt * vy[i]; pz[i] += dt * vz[i];
    }
}

int main(void)
{
    for (int i = 0; i < BODIES; i++) {
        px[i] = i * 1.5; py[i] = (i * i) % 3 - 1.0; pz[i] = 0.1 * i;
        vx[i] = 0.01 * (i - 2); vy[i] = 0.02 * i; vz[i] = -0.01; m[i] = 1.0 + 0.25 * i;
    }
    float acc = 0.0f, prev = 1.0f;
    for (long s = 0; s < FPLOOP_STEPS; s++) {
        step(0.001);
        float v = (float)px[s % BODIES];
        acc = __builtin_fmaf(acc, 0.999f, v - prev);
        prev = v;
    }
    u64 sum = 0;
    for (int i = 0; i < BODIES; i++) {
        u64 b;
        __builtin_memcpy(&b, &px[i], 8);
        sum = sum * 31 + b;
    }
    u32 a;
    __builtin_memcpy(&a, &acc, 4);
    uart_puts("fploop checksum ");
    uart_puthex(sum ^ a);
    uart_puts("\n");
    return 0;
}
