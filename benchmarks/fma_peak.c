/* fma_peak.c: one core's fused multiply-add peak, float32 and float64, in the widest vectors
 * this CPU supports: 12 independent FMA chains, enough to cover latency x throughput.
 * Build: cc -O2 -ffp-contract=fast fma_peak.c -o fma_peak. Prints "isa f32_gflops f64_gflops". */
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <time.h>

static volatile double sink;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + 1e-9 * t.tv_nsec;
}

#define PEAK_FN(name, T, BYTES, TARGET)                                                        \
    __attribute__((target(TARGET))) static double name(long iters)                             \
    {                                                                                          \
        typedef T v __attribute__((vector_size(BYTES)));                                       \
        v c[12], m = (v){0} + (T)0.9999999, a = (v){0} + (T)1e-7;                              \
        for (int i = 0; i < 12; i++)                                                           \
            c[i] = (v){0} + (T)i;                                                              \
        double t0 = now();                                                                     \
        for (long it = 0; it < iters; it++) {                                                  \
            _Pragma("GCC unroll 12") for (int i = 0; i < 12; i++) c[i] = c[i] * m + a;         \
        }                                                                                      \
        double t = now() - t0;                                                                 \
        for (int i = 1; i < 12; i++)                                                           \
            c[0] += c[i];                                                                      \
        sink = c[0][0];                                                                        \
        return 2.0 * 12 * (BYTES / sizeof(T)) * iters / t / 1e9;                               \
    }

#if defined(__x86_64__)
PEAK_FN(peak_avx512_f32, float, 64, "avx512f")
PEAK_FN(peak_avx512_f64, double, 64, "avx512f")
PEAK_FN(peak_avx2_f32, float, 32, "avx2,fma")
PEAK_FN(peak_avx2_f64, double, 32, "avx2,fma")
#endif
PEAK_FN(peak_generic_f32, float, 16, "default")
PEAK_FN(peak_generic_f64, double, 16, "default")

static double best(double (*f)(long))
{
    double b = 0;
    for (int r = 0; r < 5; r++) {
        double g = f(20000000);
        b = g > b ? g : b;
    }
    return b;
}

int main(void)
{
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) {
        printf("avx512 %.1f %.1f\n", best(peak_avx512_f32), best(peak_avx512_f64));
        return 0;
    }
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
        printf("avx2 %.1f %.1f\n", best(peak_avx2_f32), best(peak_avx2_f64));
        return 0;
    }
#endif
    printf("generic %.1f %.1f\n", best(peak_generic_f32), best(peak_generic_f64));
    return 0;
}
