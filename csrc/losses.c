/* losses.c: categorical cross-entropy (alone and fused with softmax) and accuracy.
 * Compiled per instruction set (per_isa.h), contraction into FMAs off as in backward.c. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("fp-contract=off")
#elif defined(__clang__)
#pragma clang fp contract(off)
#endif
#include <math.h>
#include "nnfast.h"

#define NNF_TEMPLATE "losses.inc"
#include "per_isa.h"

#define LOSSES_DISPATCH(T, S)                                                                  \
    nnf_status nnf_cce_##S(nnf_idx m, nnf_idx n, const T *p, nnf_idx p_rs, nnf_idx p_cs,       \
                           const int64_t *idx, nnf_idx idx_s, const T *onehot, nnf_idx oh_rs,  \
                           nnf_idx oh_cs, nnf_reduction reduction, T *loss, nnf_idx loss_s,    \
                           nnf_idx *bad_row)                                                   \
    {                                                                                          \
        return NNF_ISA_PICK(cce, S)(m, n, p, p_rs, p_cs, idx, idx_s, onehot, oh_rs, oh_cs,     \
                                    reduction, loss, loss_s, bad_row);                         \
    }                                                                                          \
    nnf_status nnf_softmax_cce_##S(nnf_idx m, nnf_idx n, const T *logits, nnf_idx l_rs,        \
                                   nnf_idx l_cs, const int64_t *idx, nnf_idx idx_s,            \
                                   const T *onehot, nnf_idx oh_rs, nnf_idx oh_cs, T *probs,    \
                                   nnf_idx p_rs, nnf_idx p_cs, T *mean_loss, nnf_idx *bad_row) \
    {                                                                                          \
        return NNF_ISA_PICK(softmax_cce, S)(m, n, logits, l_rs, l_cs, idx, idx_s, onehot,      \
                                            oh_rs, oh_cs, probs, p_rs, p_cs, mean_loss,        \
                                            bad_row);                                          \
    }                                                                                          \
    void nnf_accuracy_##S(nnf_idx m, nnf_idx n, const T *p, nnf_idx p_rs, nnf_idx p_cs,        \
                          const int64_t *idx, nnf_idx idx_s, const T *onehot, nnf_idx oh_rs,   \
                          nnf_idx oh_cs, nnf_idx *correct)                                     \
    {                                                                                          \
        NNF_ISA_PICK(accuracy, S)(m, n, p, p_rs, p_cs, idx, idx_s, onehot, oh_rs, oh_cs,       \
                                  correct);                                                    \
    }
LOSSES_DISPATCH(float, f32)
LOSSES_DISPATCH(double, f64)
