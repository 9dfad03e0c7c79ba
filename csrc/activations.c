/* activations.c: element-wise and row-wise activations (forward). */
#include <math.h>
#include "nnfast.h"

#define NNF_TEMPLATE "activations.inc"
#include "instantiate.h"
