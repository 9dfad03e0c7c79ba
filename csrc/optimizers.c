/* optimizers.c: the book's optimizer steps (SGD with learning-rate decay and momentum,
 * Adagrad, RMSprop, Adam; chapter 10) as one fused in-place pass per parameter array, and the
 * regularization loss (chapter 14). The caller (nnfast.nn) keeps the book's state: decayed
 * learning rate, iterations, and the momentum/cache arrays as attributes of the layer.
 *
 * Contraction into FMAs is off here so that each update rounds exactly as the book's NumPy
 * expression does; math-errno is off so that sqrt vectorizes (its argument is never < 0). */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("fp-contract=off", "no-math-errno")
#elif defined(__clang__)
#pragma clang fp contract(off)
#endif
#include <math.h>
#include "nnfast.h"

#define NNF_TEMPLATE "optimizers.inc"
#include "instantiate.h"
