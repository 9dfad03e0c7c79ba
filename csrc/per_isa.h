/* per_isa.h: compile a kernel template once per instruction set, each for float32 and
 * float64, and pick one at run time (the set cpu.c selected).
 *
 * Usage in an op file:   #define NNF_TEMPLATE "dense.inc"
 *                        #include "per_isa.h"
 * The template sees NNF_ISA (generic, avx2, avx512: part of every NNF_FN name),
 * NNF_VEC_BYTES (the SIMD register width) and NNF_MR (the rows of a register tile that fit
 * the register file). x86-64 sets are compiled through target pragmas, so the build needs
 * no special flags and the generic set runs on any CPU of the architecture.
 * NNF_ISA_PICK(kernel, S) is the kernel_<isa>_S of the current set, to call. */
#define NNF_ISA generic
#define NNF_VEC_BYTES 16 /* SSE2 / NEON */
#define NNF_MR 4
#include "instantiate.h"
#undef NNF_ISA
#undef NNF_VEC_BYTES
#undef NNF_MR

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
#include "instantiate.h"
#undef NNF_ISA
#undef NNF_VEC_BYTES
#undef NNF_MR
#if defined(__clang__)
#pragma clang attribute pop
#pragma clang attribute push(__attribute__((target("avx512f,avx512vl,avx512dq,avx512bw"))), apply_to = function)
#else
#pragma GCC pop_options
#pragma GCC push_options
#pragma GCC target("avx512f,avx512vl,avx512dq,avx512bw")
#endif
#define NNF_ISA avx512
#define NNF_VEC_BYTES 64
#define NNF_MR 8 /* 8 x 2 accumulators of the 32 zmm registers */
#include "instantiate.h"
#undef NNF_ISA
#undef NNF_VEC_BYTES
#undef NNF_MR
#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif
#endif /* NNF_X86 */


#if NNF_X86
#define NNF_ISA_PICK(kernel, S)                                                                \
    (nnf_isa_current == NNF_ISA_AVX512 ? kernel##_avx512_##S                                   \
     : nnf_isa_current == NNF_ISA_AVX2 ? kernel##_avx2_##S                                     \
                                       : kernel##_generic_##S)
#else
#define NNF_ISA_PICK(kernel, S) kernel##_generic_##S
#endif
