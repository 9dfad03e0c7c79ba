/* isa/avx512.c: the kernels compiled for AVX-512 (F, VL, DQ, BW; x86-64), through a target
 * pragma, so the build needs no special flags and runs on any CPU of the architecture
 * (cpu.c uses this set only where the CPU has it). */
#include "isa/common.h"

#if NNF_X86
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx512f,avx512vl,avx512dq,avx512bw"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx512f,avx512vl,avx512dq,avx512bw")
#endif
#define NNF_ISA avx512
#define NNF_VEC_BYTES 64
#define NNF_MR 8 /* 8 x 2 accumulators of the 32 zmm registers */
#include "isa/instantiate.h"
#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif
#endif
