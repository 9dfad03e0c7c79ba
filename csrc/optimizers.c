/* optimizers.c: the book's optimizer steps (SGD with learning-rate decay and momentum,
 * Adagrad, RMSprop, Adam; chapter 10) as one fused in-place pass per parameter array, and the
 * regularization loss (chapter 14). The caller (nnfast.nn) keeps the book's state: decayed
 * learning rate, iterations, and the momentum/cache arrays as attributes of the layer.
 *
 * Contraction into FMAs is off here so that each update rounds exactly as the book's NumPy
 * expression does. (setup.py turns math-errno off, so that sqrt vectorizes.)
 * Compiled per instruction set (per_isa.h) so the steps run in the widest SIMD registers. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("fp-contract=off")
#elif defined(__clang__)
#pragma clang fp contract(off)
#endif
#include <math.h>
#include "nnfast.h"

#define NNF_TEMPLATE "optimizers.inc"
#include "per_isa.h"

#define OPTIMIZER_DISPATCH(T, S)                                                               \
    void nnf_optimizer_step_##S(const nnf_optim_params *o, nnf_idx m, nnf_idx n, T *p,         \
                                nnf_idx p_rs, nnf_idx p_cs, const T *g, nnf_idx g_rs,          \
                                nnf_idx g_cs, T *s1, nnf_idx s1_rs, nnf_idx s1_cs, T *s2,      \
                                nnf_idx s2_rs, nnf_idx s2_cs)                                  \
    {                                                                                          \
        NNF_ISA_PICK(optimizer_step, S)(o, m, n, p, p_rs, p_cs, g, g_rs, g_cs, s1, s1_rs,      \
                                        s1_cs, s2, s2_rs, s2_cs);                              \
    }                                                                                          \
    double nnf_regularization_loss_##S(nnf_idx m, nnf_idx n, const T *x, nnf_idx x_rs,         \
                                       nnf_idx x_cs, double l1, double l2)                     \
    {                                                                                          \
        return NNF_ISA_PICK(regularization_loss, S)(m, n, x, x_rs, x_cs, l1, l2);              \
    }
OPTIMIZER_DISPATCH(float, f32)
OPTIMIZER_DISPATCH(double, f64)
