/* isa/common.h: what each instruction set's unit (isa/generic.c, isa/avx2.c, isa/avx512.c)
 * includes before its target region: the C library, the public types, the kernel table, the
 * contraction regions, and the helpers that depend on neither the element type nor the set. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "nnfast.h"
#include "isa/table.h"
#include "isa/contract.h"
#include "gemm/gemm.h"
#if NNF_X86
#include <immintrin.h> /* any_lane's mask tests; each usable inside its set's target region */
#endif

/* Fully unroll a loop over registers (tile rows, vectors of columns), so that each one's
 * accumulators live in registers. */
#define NNF_UNROLL _Pragma("GCC unroll 16")
#define NNF_PRAGMA(...) _Pragma(#__VA_ARGS__)
/* A sum the compiler may split over SIMD lanes (OpenMP SIMD: -fopenmp-simd, no runtime). */
#define NNF_SIMD_SUM(v) NNF_PRAGMA(omp simd reduction(+ : v))

/* The target region of an x86 set's unit: the functions between NNF_TARGET_BEGIN and
 * NNF_TARGET_END are compiled for the instructions of `features` (a target string), so the
 * build needs no special flags and the other units run on any CPU of the architecture. */
#if defined(__clang__)
#define NNF_TARGET_BEGIN(features)                                                             \
    NNF_PRAGMA(clang attribute push(__attribute__((target(features))), apply_to = function))
#define NNF_TARGET_END _Pragma("clang attribute pop")
#else
#define NNF_TARGET_BEGIN(features) _Pragma("GCC push_options") NNF_PRAGMA(GCC target(features))
#define NNF_TARGET_END _Pragma("GCC pop_options")
#endif
/* Keep v in a register: without this the compiler may fold its load into each instruction
 * that uses it, loading it again for each (x86 has the memory operands to do so). */
#if NNF_X86
#define NNF_IN_REGISTER(v) __asm__("" : "+v"(v))
#else
#define NNF_IN_REGISTER(v) ((void)0)
#endif

/* Whether the rows of an (m, n) array lie back to back (rs == n, cs == 1): an element-wise
 * kernel then reads such arrays as one row of m * n. */
#define NNF_FLAT(rs, cs, n) ((cs) == 1 && (rs) == (n))
