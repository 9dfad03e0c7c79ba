/* isa/avx2.c: the kernels compiled for AVX2 with FMA (x86-64); cpu.c uses them only where the
 * CPU has both. */
#include "isa/common.h"

#if NNF_X86
NNF_TARGET_BEGIN("avx2,fma")
#define NNF_ISA avx2
#define NNF_VEC_BYTES 32
#define NNF_MR 6 /* 6 x 2 accumulators of the 16 ymm registers */
#include "isa/instantiate.h"
NNF_TARGET_END
#endif
