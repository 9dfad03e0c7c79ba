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

/* Fully unroll a loop over registers (tile rows, vectors of columns), so that each one's
 * accumulators live in registers. */
#define NNF_UNROLL _Pragma("GCC unroll 16")
/* A sum the compiler may split over SIMD lanes (OpenMP SIMD: -fopenmp-simd, no runtime). */
#define NNF_PRAGMA(text) _Pragma(#text)
#define NNF_SIMD_SUM(v) NNF_PRAGMA(omp simd reduction(+ : v))
/* Keep v in a register: without this the compiler may fold its load into each instruction
 * that uses it, loading it again for each (x86 has the memory operands to do so). */
#if NNF_X86
#define NNF_IN_REGISTER(v) __asm__("" : "+v"(v))
#else
#define NNF_IN_REGISTER(v) ((void)0)
#endif

/* Rows of (m, n) arrays that lie back to back (rs == n, cs == 1) are one row of m * n. */
#define NNF_FLAT(rs, cs, n) ((cs) == 1 && (rs) == (n))
