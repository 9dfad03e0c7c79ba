/* backward.c: the backward passes of training (the book, chapters 9-17): dense layer (with
 * L1/L2 regularization and an optional fused ReLU), element-wise activations, softmax +
 * categorical cross-entropy, the book's other losses (binary cross-entropy, mean squared and
 * mean absolute error) forward and backward, and dropout's masking. */
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
#include "instantiate.h"
