/* losses.c: categorical cross-entropy (alone and fused with softmax) and accuracy. */
#include <math.h>
#include "nnfast.h"

#define NNF_TEMPLATE "losses.inc"
#include "instantiate.h"
