/* isa/avx512.c: the kernels compiled for AVX-512 F, VL, DQ and BW (x86-64); cpu.c uses them
 * only where the CPU has all four. */
#include "isa/common.h"

#if NNF_X86
NNF_TARGET_BEGIN("avx512f,avx512vl,avx512dq,avx512bw")
#define NNF_ISA avx512
#define NNF_VEC_BYTES 64
#define NNF_MR 8 /* 8 x 2 accumulators of the 32 zmm registers */
#include "isa/instantiate.h"
NNF_TARGET_END
#endif
