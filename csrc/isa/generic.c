/* isa/generic.c: the kernels in the architecture's baseline SIMD (SSE2 on x86-64, NEON on
 * arm64), which every CPU of the architecture runs. */
#include "isa/common.h"

#define NNF_ISA generic
#define NNF_VEC_BYTES 16
#define NNF_MR 4
#include "isa/instantiate.h"
