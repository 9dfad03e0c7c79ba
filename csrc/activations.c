/* activations.c: element-wise activations (forward): ReLU and linear (a copy). */
#include <math.h>
#include "nnfast.h"

#define NNF_TEMPLATE "activations.inc"
#include "instantiate.h"
