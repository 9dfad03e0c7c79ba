/* dense.c: c = act(a @ b + bias), the notes' dense layer and numpy.dot in one kernel.
 *
 * Blocking (Goto/BLIS style, simplified): B is packed, KC rows by NC columns at a time, into
 * NR-column panels that stay in L1/L2; the output is computed in MR x NR register tiles; the
 * bias and the activation are applied to each tile as it is stored (the epilogue), and the
 * softmax to each block of MR rows as soon as its last column is stored, so no second pass
 * over memory. Every c[i, j] sums its k products in order p = 0, 1, ..., k-1 whatever the
 * blocking, so results do not depend on the tiling.
 *
 * dense.inc is compiled once per instruction set (generic C; on x86-64 also AVX2+FMA and
 * AVX-512 through target pragmas, so the build needs no special flags) and nnf_dense_* calls
 * the one nnf_isa_select chose.
 */
#include <stdlib.h>
#include "nnfast.h"

#define NNF_NR (2 * NNF_VEC_BYTES / (int)sizeof(NNF_T)) /* tile columns: two vectors */
#define NNF_KC 256                                      /* rows of B per packed block */
#define NNF_NC 512                                      /* columns of B per packed block */

/* Fully unroll a loop over tile rows, so each row's accumulators live in registers. */
#define NNF_UNROLL _Pragma("GCC unroll 16")

static inline nnf_idx min_idx(nnf_idx a, nnf_idx b) { return a < b ? a : b; }

#define NNF_TEMPLATE "dense.inc"

#define NNF_ISA generic
#define NNF_VEC_BYTES 16 /* SSE2 / NEON */
#define NNF_MR 4
#include "instantiate.h"
#undef NNF_ISA
#undef NNF_VEC_BYTES
#undef NNF_MR

#if NNF_X86
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx2,fma")
#endif
#define NNF_ISA avx2
#define NNF_VEC_BYTES 32
#define NNF_MR 6 /* 6 x 2 accumulators of the 16 ymm registers */
#include "instantiate.h"
#undef NNF_ISA
#undef NNF_VEC_BYTES
#undef NNF_MR
#if defined(__clang__)
#pragma clang attribute pop
#pragma clang attribute push(__attribute__((target("avx512f,avx512vl,avx512dq,avx512bw"))), apply_to = function)
#else
#pragma GCC pop_options
#pragma GCC push_options
#pragma GCC target("avx512f,avx512vl,avx512dq,avx512bw")
#endif
#define NNF_ISA avx512
#define NNF_VEC_BYTES 64
#define NNF_MR 8 /* 8 x 2 accumulators of the 32 zmm registers */
#include "instantiate.h"
#undef NNF_ISA
#undef NNF_VEC_BYTES
#undef NNF_MR
#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif
#endif /* NNF_X86 */

#define DENSE_ARGS m, n, k, a, a_rs, a_cs, b, b_rs, b_cs, bias, bias_s, act, c, c_rs, c_cs
#if NNF_X86
#define DENSE_X86(S)                                                                           \
    if (nnf_isa_current == NNF_ISA_AVX512)                                                     \
        return dense_kernel_avx512_##S(DENSE_ARGS);                                            \
    if (nnf_isa_current == NNF_ISA_AVX2)                                                       \
        return dense_kernel_avx2_##S(DENSE_ARGS);
#else
#define DENSE_X86(S)
#endif
#define DENSE_DISPATCH(T, S)                                                                   \
    nnf_status nnf_dense_##S(nnf_idx m, nnf_idx n, nnf_idx k,                                  \
                             const T *a, nnf_idx a_rs, nnf_idx a_cs,                           \
                             const T *b, nnf_idx b_rs, nnf_idx b_cs,                           \
                             const T *bias, nnf_idx bias_s, nnf_activation act,                \
                             T *c, nnf_idx c_rs, nnf_idx c_cs)                                 \
    {                                                                                          \
        DENSE_X86(S)                                                                           \
        return dense_kernel_generic_##S(DENSE_ARGS);                                           \
    }
DENSE_DISPATCH(float, f32)
DENSE_DISPATCH(double, f64)
