/* softmax.c: row-wise softmax, the activation and the first half of the fused loss, and the
 * losses' -log. Compiled per instruction set (per_isa.h) because exp and log run in SIMD
 * registers of the set's width (vmath.inc). */
#include <math.h>
#include <stdint.h>
#include "nnfast.h"

/* A sum the compiler may split over SIMD lanes (OpenMP SIMD: -fopenmp-simd, no runtime). */
#define NNF_PRAGMA(text) _Pragma(#text)
#define NNF_SIMD_SUM(v) NNF_PRAGMA(omp simd reduction(+ : v))

#define NNF_TEMPLATE "softmax.inc"
#include "per_isa.h"

#define SOFTMAX_DISPATCH(T, S)                                                                 \
    void nnf_softmax_##S(nnf_idx m, nnf_idx n, const T *x, nnf_idx x_rs, nnf_idx x_cs, T *y,   \
                         nnf_idx y_rs, nnf_idx y_cs)                                           \
    {                                                                                          \
        NNF_ISA_PICK(softmax_kernel, S)(m, n, x, x_rs, x_cs, y, y_rs, y_cs);                   \
    }
SOFTMAX_DISPATCH(float, f32)
SOFTMAX_DISPATCH(double, f64)

#define NEG_LOG_DISPATCH(T, S)                                                                 \
    void nnf_neg_log_##S(nnf_idx len, const T *x, T *y) { NNF_ISA_PICK(neg_log, S)(len, x, y); }
NEG_LOG_DISPATCH(float, f32)
NEG_LOG_DISPATCH(double, f64)
