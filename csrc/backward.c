/* backward.c: the backward passes of training (the book, chapters 9-17): dense layer (with
 * L1/L2 regularization and an optional fused ReLU), element-wise activations, softmax +
 * categorical cross-entropy, the book's other losses (binary cross-entropy, mean squared and
 * mean absolute error) forward and backward, and dropout's masking.
 *
 * Compiled per instruction set (per_isa.h) so the element-wise loops run in the widest SIMD
 * registers. Contraction into FMAs (which AVX2 and AVX-512 have) is off here, as in
 * optimizers.c, so that each expression rounds as the book's NumPy code does on every set. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("fp-contract=off")
#elif defined(__clang__)
#pragma clang fp contract(off)
#endif
#include <math.h>
#include <stdint.h>
#include "nnfast.h"

/* Runs STMT(ia, ib, iy) for j = 0 .. n-1, ia/ib/iy being the element offsets of column j in
 * three rows. When all three are contiguous the loop is its own copy, which vectorizes. */
#define NNF_ROW3(n, acs, bcs, ycs, STMT)                                                       \
    do {                                                                                       \
        if ((acs) == 1 && (bcs) == 1 && (ycs) == 1) {                                          \
            for (nnf_idx j = 0; j < (n); j++)                                                  \
                STMT(j, j, j);                                                                 \
        } else {                                                                               \
            for (nnf_idx j = 0; j < (n); j++)                                                  \
                STMT(j * (acs), j * (bcs), j * (ycs));                                         \
        }                                                                                      \
    } while (0)

/* Rows of (m, n) arrays that lie back to back (rs == n, cs == 1) are one row of m * n. */
#define NNF_FLAT(rs, cs, n) ((cs) == 1 && (rs) == (n))

#define NNF_TEMPLATE "backward.inc"
#include "per_isa.h"

#define BACKWARD_DISPATCH(T, S)                                                                \
    nnf_status nnf_dense_backward_##S(nnf_idx m, nnf_idx k, nnf_idx n, const T *dv,           \
                                      nnf_idx dv_rs, nnf_idx dv_cs, const T *relu_out,         \
                                      nnf_idx ro_rs, nnf_idx ro_cs, T *drelu, nnf_idx dr_rs,   \
                                      nnf_idx dr_cs, const T *x, nnf_idx x_rs, nnf_idx x_cs,   \
                                      const T *w, nnf_idx w_rs, nnf_idx w_cs, const T *b,      \
                                      nnf_idx b_s, const double reg[4], T *dw, nnf_idx dw_rs,  \
                                      nnf_idx dw_cs, T *db, nnf_idx db_s, T *dx, nnf_idx dx_rs,\
                                      nnf_idx dx_cs)                                           \
    {                                                                                          \
        return NNF_ISA_PICK(dense_backward, S)(m, k, n, dv, dv_rs, dv_cs, relu_out, ro_rs,     \
                                               ro_cs, drelu, dr_rs, dr_cs, x, x_rs, x_cs, w,   \
                                               w_rs, w_cs, b, b_s, reg, dw, dw_rs, dw_cs, db,  \
                                               db_s, dx, dx_rs, dx_cs);                        \
    }                                                                                          \
    void nnf_elementwise_##S(nnf_elementwise op, nnf_idx m, nnf_idx n, const T *a,             \
                             nnf_idx a_rs, nnf_idx a_cs, const T *b, nnf_idx b_rs,             \
                             nnf_idx b_cs, T *y, nnf_idx y_rs, nnf_idx y_cs)                   \
    {                                                                                          \
        NNF_ISA_PICK(elementwise, S)(op, m, n, a, a_rs, a_cs, b, b_rs, b_cs, y, y_rs, y_cs);   \
    }                                                                                          \
    nnf_status nnf_softmax_cce_backward_##S(nnf_idx m, nnf_idx n, const T *p, nnf_idx p_rs,    \
                                            nnf_idx p_cs, const int64_t *idx, nnf_idx idx_s,   \
                                            const T *onehot, nnf_idx oh_rs, nnf_idx oh_cs,     \
                                            T *d, nnf_idx d_rs, nnf_idx d_cs,                  \
                                            double *loss_sum, nnf_idx *correct,                \
                                            nnf_idx *bad_row)                                  \
    {                                                                                          \
        return NNF_ISA_PICK(softmax_cce_backward, S)(m, n, p, p_rs, p_cs, idx, idx_s, onehot,  \
                                                     oh_rs, oh_cs, d, d_rs, d_cs, loss_sum,    \
                                                     correct, bad_row);                        \
    }                                                                                          \
    nnf_status nnf_cce_backward_##S(nnf_idx m, nnf_idx n, const T *dv, nnf_idx dv_rs,          \
                                    nnf_idx dv_cs, const int64_t *idx, nnf_idx idx_s,          \
                                    const T *onehot, nnf_idx oh_rs, nnf_idx oh_cs, T *d,       \
                                    nnf_idx d_rs, nnf_idx d_cs, nnf_idx *bad_row)              \
    {                                                                                          \
        return NNF_ISA_PICK(cce_backward, S)(m, n, dv, dv_rs, dv_cs, idx, idx_s, onehot,       \
                                             oh_rs, oh_cs, d, d_rs, d_cs, bad_row);            \
    }                                                                                          \
    void nnf_pair_loss_##S(nnf_pair_loss kind, nnf_idx m, nnf_idx n, const T *p, nnf_idx p_rs, \
                           nnf_idx p_cs, const T *t, nnf_idx t_rs, nnf_idx t_cs,               \
                           nnf_reduction reduction, T *loss, nnf_idx loss_s)                   \
    {                                                                                          \
        NNF_ISA_PICK(pair_loss, S)(kind, m, n, p, p_rs, p_cs, t, t_rs, t_cs, reduction, loss,  \
                                   loss_s);                                                    \
    }                                                                                          \
    void nnf_pair_loss_backward_##S(nnf_pair_loss kind, nnf_idx m, nnf_idx n, const T *dv,    \
                                    nnf_idx dv_rs, nnf_idx dv_cs, const T *t, nnf_idx t_rs,    \
                                    nnf_idx t_cs, T *d, nnf_idx d_rs, nnf_idx d_cs)            \
    {                                                                                          \
        NNF_ISA_PICK(pair_loss_backward, S)(kind, m, n, dv, dv_rs, dv_cs, t, t_rs, t_cs, d,    \
                                            d_rs, d_cs);                                       \
    }                                                                                          \
    void nnf_dropout_##S(nnf_idx m, nnf_idx n, const T *x, nnf_idx x_rs, nnf_idx x_cs,         \
                         const int64_t *mask, nnf_idx mk_rs, nnf_idx mk_cs, double keep,       \
                         T *bm, nnf_idx bm_rs, nnf_idx bm_cs, T *y, nnf_idx y_rs,              \
                         nnf_idx y_cs)                                                         \
    {                                                                                          \
        NNF_ISA_PICK(dropout, S)(m, n, x, x_rs, x_cs, mask, mk_rs, mk_cs, keep, bm, bm_rs,     \
                                 bm_cs, y, y_rs, y_cs);                                        \
    }
BACKWARD_DISPATCH(float, f32)
BACKWARD_DISPATCH(double, f64)
