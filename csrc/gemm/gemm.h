/* gemm/gemm.h: the blocking of c = act(a @ b + bias), the notes' dense layer and numpy.dot
 * in one kernel (the gemm/ templates), and its helpers that do not depend on the element
 * type.
 *
 * Blocking (Goto/BLIS style, simplified): B is packed, KC rows by NC columns at a time, into
 * NR-column panels that stay in L1/L2, unless it fits in L2 with contiguous rows: then the
 * tiles read a and b in place (dense_direct); the output is computed in MR x NR register
 * tiles; the bias and the activation are applied to each tile as it is stored (the
 * epilogue), and the softmax to each block of MR rows as soon as its last column is stored,
 * so no second pass over memory. Every c[i, j] sums its k products in order p = 0, 1, ...,
 * k-1 whatever the blocking, so results do not depend on the tiling. Skinny and tiny shapes
 * take paths of their own (gemm/plan.inc chooses); the work is split over threads by
 * gemm/threads.inc. */
#ifndef NNFAST_GEMM_H
#define NNFAST_GEMM_H
#include <stdlib.h>
#include "nnfast.h"

#define NNF_NR (2 * NNF_LANES) /* tile columns: two vectors */
#define NNF_KC 128 /* rows of B per packed block: a KC x NR panel of b stays in L1 (16 KB) */
#define NNF_NC 512                                      /* columns of B per packed block */
#define NNF_NARROW 4 /* outputs at most this wide take dense_narrow (dot products along k) */
#define NNF_SMALLK 4 /* inner dimensions at most this long take dense_smallk */
#define NNF_SMALLK_W (NNF_MR / 2) /* vectors of columns per pass of dense_smallk */
#define NNF_DIRECT_B_BYTES (1 << 20) /* b smaller than this is read in place (dense_direct) */

/* Threads: below this many multiply-adds one thread does it all (waking the others costs
 * more than it saves). */
#define NNF_PAR_MIN_WORK 600000.0 /* measured crossover, 2 cores: 80^3 no gain, 96^3 +25% */
#define NNF_MAX_TASKS 64

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

/* [lo, hi) of 0 .. total for one of n_tasks tasks, cut at multiples of unit with the
 * remainder in the last part: every non-empty part has at least `unit` elements (or all of
 * them), so no part falls onto a different kernel path than the whole would take. */
static void share(nnf_idx total, nnf_idx unit, int task, int n_tasks, nnf_idx *lo, nnf_idx *hi)
{
    nnf_idx units = total / unit > 0 ? total / unit : 1;
    *lo = min_idx(total, units * task / n_tasks * unit);
    *hi = task + 1 == n_tasks ? total : min_idx(total, units * (task + 1) / n_tasks * unit);
}

#endif
