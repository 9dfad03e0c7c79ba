/* isa/avx2.c: the kernels compiled for AVX2 with FMA (x86-64), through a target pragma, so the
 * build needs no special flags and runs on any CPU of the architecture (cpu.c uses this set
 * only where the CPU has it). */
#include "isa/common.h"

#if NNF_X86
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx2,fma")
#endif
#define NNF_ISA avx2
#define NNF_VEC_BYTES 32
#define NNF_MR 6 /* 6 x 2 accumulators of the 16 ymm registers */
#include "isa/instantiate.h"
#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif
#endif
