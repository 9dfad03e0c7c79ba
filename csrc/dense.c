/* dense.c: c = act(a @ b + bias), the notes' dense layer and numpy.dot in one kernel.
 *
 * Blocking (Goto/BLIS style, simplified): B is packed, KC rows by NC columns at a time, into
 * NR-column panels that stay in L1/L2; the output is computed in MR x NR register tiles; the
 * bias and the activation are applied to each tile as it is stored (the epilogue), and the
 * softmax to each block of MR rows as soon as its last column is stored, so no second pass
 * over memory. Every c[i, j] sums its k products in order p = 0, 1, ..., k-1 whatever the
 * blocking, so results do not depend on the tiling.
 *
 * dense.inc is compiled once per instruction set (per_isa.h); nnf_dense_* calls the one
 * cpu.c selected.
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

#include "per_isa.h"

#define DENSE_DISPATCH(T, S)                                                                   \
    nnf_status nnf_dense_##S(nnf_idx m, nnf_idx n, nnf_idx k,                                  \
                             const T *a, nnf_idx a_rs, nnf_idx a_cs,                           \
                             const T *b, nnf_idx b_rs, nnf_idx b_cs,                           \
                             const T *bias, nnf_idx bias_s, nnf_activation act,                \
                             T *c, nnf_idx c_rs, nnf_idx c_cs)                                 \
    {                                                                                          \
        return NNF_ISA_PICK(dense_kernel, S)(m, n, k, a, a_rs, a_cs, b, b_rs, b_cs, bias,      \
                                             bias_s, act, c, c_rs, c_cs);                      \
    }
DENSE_DISPATCH(float, f32)
DENSE_DISPATCH(double, f64)
