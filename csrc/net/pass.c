/* net/pass.c: blocks.inc and pass.inc for float and double, and the network's table of each. */
#include <math.h>
/* NNF_PAR_MIN_WORK, the work from which the kernels' threads pay; not the GEMM's helpers */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#include "gemm/gemm.h"
#pragma GCC diagnostic pop
#include "net.h"

/* A uniform double in (0, 1) from splitmix64. */
static double net_uniform(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return (double)(((z ^ (z >> 31)) >> 11) | 1) * 0x1.0p-53;
}

/* An element's update in multiply-adds of a product's time (NNF_PAR_MIN_WORK's unit):
 * measured for Adam (3 divisions and a square root: 118k float32 elements 59 us, against
 * 50 multiply-adds a nanosecond for the MLP's products, one thread), the others scaled by
 * their divisions and square roots. */
static double net_update_cost(nnf_optimizer kind)
{
    return kind == NNF_OPT_ADAM ? 25 : kind == NNF_OPT_ADAGRAD || kind == NNF_OPT_RMSPROP ? 12 : 2;
}

#define T float
#define K(name) nnf_##name##_f32
#define P(name) name##_f32
#include "blocks.inc"
#include "split.inc"
#include "pass.inc"
#undef T
#undef K
#undef P

#define T double
#define K(name) nnf_##name##_f64
#define P(name) name##_f64
#include "blocks.inc"
#include "split.inc"
#include "pass.inc"
#undef T
#undef K
#undef P
