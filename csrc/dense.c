/* dense.c: c = act(a @ b + bias), the notes' dense layer and numpy.dot in one kernel.
 *
 * Blocking (Goto/BLIS style, simplified): B is packed, KC rows by NC columns at a time, into
 * NR-column panels that stay in L1/L2, unless it fits in L2 with contiguous rows: then the
 * tiles read a and b in place (dense_direct); the output is computed in MR x NR register
 * tiles; the bias and the activation are applied to each tile as it is stored (the
 * epilogue), and the softmax to each block of MR rows as soon as its last column is stored,
 * so no second pass over memory. Every c[i, j] sums its k products in order p = 0, 1, ...,
 * k-1 whatever the blocking, so results do not depend on the tiling.
 *
 * dense.inc is compiled once per instruction set (per_isa.h); nnf_dense_* calls the one
 * cpu.c selected.
 */
#include <stdlib.h>
#include "nnfast.h"

#define NNF_NR (2 * NNF_VEC_BYTES / (int)sizeof(NNF_T)) /* tile columns: two vectors */
#define NNF_KC 128 /* rows of B per packed block: a KC x NR panel of b stays in L1 (16 KB) */
#define NNF_NC 512                                      /* columns of B per packed block */
#define NNF_NARROW 4 /* outputs at most this wide take dense_narrow (dot products along k) */
#define NNF_SMALLK 4 /* inner dimensions at most this long take dense_smallk */
#define NNF_DIRECT_B_BYTES (1 << 20) /* b smaller than this is read in place (dense_direct) */

static inline nnf_idx min_idx(nnf_idx a, nnf_idx b) { return a < b ? a : b; }

/* Scratch (packed panels) aligned to a cache line: malloc's 16-byte alignment made three
 * of four AVX-512 loads from it straddle two lines (square 2048 float32 ran 6% slower).
 * Below 4 KB plain malloc, which is faster (aligned_alloc cost a tiny product 0.05 us); free
 * releases either. */
static void *scratch_alloc(size_t bytes)
{
    if (bytes < 4096)
        return malloc(bytes ? bytes : 1);
    return aligned_alloc(64, (bytes / 64 + 1) * 64); /* C11: a multiple of the alignment */
}

#define NNF_TEMPLATE "dense.inc"

#include "per_isa.h"

/* Threads: below this many multiply-adds one thread does it all (waking the others costs
 * more than it saves). */
#define NNF_PAR_MIN_WORK 600000.0 /* measured crossover, 2 cores: 80^3 no gain, 96^3 +25% */
#define NNF_MAX_TASKS 64

/* [lo, hi) of 0 .. total for one of n_tasks tasks, cut at multiples of unit with the
 * remainder in the last part: every non-empty part has at least `unit` elements (or all of
 * them), so no part falls onto a different kernel path than the whole would take. */
static void share(nnf_idx total, nnf_idx unit, int task, int n_tasks, nnf_idx *lo, nnf_idx *hi)
{
    nnf_idx units = total / unit > 0 ? total / unit : 1;
    *lo = min_idx(total, units * task / n_tasks * unit);
    *hi = task + 1 == n_tasks ? total : min_idx(total, units * (task + 1) / n_tasks * unit);
}

/* nnf_dense_*: the chosen ISA's kernel, on one thread or split over threads: by rows of c
 * when a is the larger operand (each thread then reads only its rows of a), for softmax,
 * whose rows must stay whole, and for outputs too narrow to share; else by columns (each
 * thread packs only its part of b). Each c[i, j] is computed by the same
 * instructions whichever part it falls in, so the result is bitwise the same for any
 * number of threads. */
#define DENSE_DISPATCH(T, S)                                                                   \
    typedef nnf_status (*dense_fn_##S)(nnf_idx, nnf_idx, nnf_idx, const T *, nnf_idx, nnf_idx, \
                                       const T *, nnf_idx, nnf_idx, const T *, nnf_idx,         \
                                       nnf_activation, T *, nnf_idx, nnf_idx);                 \
    typedef struct {                                                                           \
        dense_fn_##S kernel;                                                                   \
        nnf_idx m, n, k, a_rs, a_cs, b_rs, b_cs, bias_s, c_rs, c_cs;                            \
        const T *a, *b, *bias;                                                                 \
        T *c;                                                                                  \
        nnf_activation act;                                                                    \
        int by_rows;                                                                           \
        nnf_status status[NNF_MAX_TASKS];                                                      \
    } dense_job_##S;                                                                           \
    static void dense_task_##S(void *ctx, int task, int n_tasks)                               \
    {                                                                                          \
        dense_job_##S *j = ctx;                                                                \
        nnf_idx lo, hi;                                                                        \
        if (j->by_rows) {                                                                      \
            share(j->m, 8, task, n_tasks, &lo, &hi);                                           \
            j->status[task] = hi <= lo ? NNF_OK                                                \
                : j->kernel(hi - lo, j->n, j->k, j->a + lo * j->a_rs, j->a_rs, j->a_cs, j->b,  \
                            j->b_rs, j->b_cs, j->bias, j->bias_s, j->act,                      \
                            j->c + lo * j->c_rs, j->c_rs, j->c_cs);                            \
        } else {                                                                               \
            share(j->n, 16, task, n_tasks, &lo, &hi);                                          \
            j->status[task] = hi <= lo ? NNF_OK                                                \
                : j->kernel(j->m, hi - lo, j->k, j->a, j->a_rs, j->a_cs, j->b + lo * j->b_cs,  \
                            j->b_rs, j->b_cs, j->bias ? j->bias + lo * j->bias_s : NULL,       \
                            j->bias_s, j->act, j->c + lo * j->c_cs, j->c_rs, j->c_cs);         \
        }                                                                                      \
    }                                                                                          \
    nnf_status nnf_dense_##S(nnf_idx m, nnf_idx n, nnf_idx k,                                  \
                             const T *a, nnf_idx a_rs, nnf_idx a_cs,                           \
                             const T *b, nnf_idx b_rs, nnf_idx b_cs,                           \
                             const T *bias, nnf_idx bias_s, nnf_activation act,                \
                             T *c, nnf_idx c_rs, nnf_idx c_cs)                                 \
    {                                                                                          \
        dense_fn_##S kernel = NNF_ISA_PICK(dense_kernel, S);                                   \
        int threads = nnf_get_num_threads();                                                   \
        if (threads > NNF_MAX_TASKS)                                                           \
            threads = NNF_MAX_TASKS;                                                           \
        if (threads <= 1 || (double)m * n * (k > 0 ? k : 1) < NNF_PAR_MIN_WORK)               \
            return kernel(m, n, k, a, a_rs, a_cs, b, b_rs, b_cs, bias, bias_s, act, c, c_rs,   \
                          c_cs);                                                               \
        dense_job_##S job = {kernel, m, n, k, a_rs, a_cs, b_rs, b_cs, bias_s, c_rs, c_cs,      \
                             a, b, bias, c, act,                                               \
                             act == NNF_ACT_SOFTMAX || n < 64 * threads || m > n, {NNF_OK}};   \
        nnf_parallel(threads, dense_task_##S, &job);                                           \
        for (int t = 0; t < threads; t++)                                                      \
            if (job.status[t] != NNF_OK)                                                       \
                return job.status[t];                                                          \
        return NNF_OK;                                                                         \
    }
DENSE_DISPATCH(float, f32)
DENSE_DISPATCH(double, f64)

#define FEW_INPUTS_DISPATCH(T, S)                                                              \
    nnf_status nnf_dense_backward_few_inputs_##S(                                              \
        nnf_idx m, nnf_idx k, nnf_idx n, const T *dv, nnf_idx dv_rs, const T *relu_out,        \
        nnf_idx ro_rs, T *drelu, nnf_idx dr_rs, const T *x, nnf_idx x_rs, nnf_idx x_cs,        \
        const T *w, nnf_idx w_rs, T *dw, nnf_idx dw_rs, nnf_idx dw_cs, T *db, nnf_idx db_s,    \
        T *dx, nnf_idx dx_rs, nnf_idx dx_cs)                                                   \
    {                                                                                          \
        return NNF_ISA_PICK(backward_few_inputs, S)(m, k, n, dv, dv_rs, relu_out, ro_rs,       \
                                                    drelu, dr_rs, x, x_rs, x_cs, w, w_rs, dw,  \
                                                    dw_rs, dw_cs, db, db_s, dx, dx_rs, dx_cs); \
    }
FEW_INPUTS_DISPATCH(float, f32)
FEW_INPUTS_DISPATCH(double, f64)
