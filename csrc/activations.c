/* activations.c: element-wise activations (forward): ReLU and linear (a copy).
 * Compiled per instruction set (per_isa.h) so the loops run in the widest SIMD registers. */
#include <math.h>
#include <string.h>
#include "nnfast.h"

#define NNF_TEMPLATE "activations.inc"
#include "per_isa.h"

/* nnf_relu_* and nnf_copy_*: the kernel of the set cpu.c selected, x (m, n) -> y (m, n). */
#define ACTIVATION_DISPATCH(name, T, S)                                                        \
    void nnf_##name##_##S(nnf_idx m, nnf_idx n, const T *x, nnf_idx x_rs, nnf_idx x_cs, T *y,  \
                          nnf_idx y_rs, nnf_idx y_cs)                                          \
    {                                                                                          \
        NNF_ISA_PICK(name, S)(m, n, x, x_rs, x_cs, y, y_rs, y_cs);                             \
    }
#define ACTIVATIONS_DISPATCH(T, S) ACTIVATION_DISPATCH(relu, T, S) ACTIVATION_DISPATCH(copy, T, S)
ACTIVATIONS_DISPATCH(float, f32)
ACTIVATIONS_DISPATCH(double, f64)
