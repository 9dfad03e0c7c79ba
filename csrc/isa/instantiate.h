/* isa/instantiate.h: one instruction set's kernels, for float32 and float64, and its table.
 *
 * Included by the set's unit inside its target region, with NNF_ISA (generic, avx2, avx512:
 * part of every NNF_FN name), NNF_VEC_BYTES (the SIMD register width) and NNF_MR (the rows of
 * a register tile that fit the register file) defined. Inside the templates, NNF_T is the
 * element type, NNF_FN(name) the name of this set and type (name_<isa>_f32), NNF_EXP /
 * NNF_LOG / NNF_SQRT the libm functions of that type; a kernel of kernels.h is the
 * template's NNF_FN(<name>), and code calls its own set's functions directly. */
#define NNF_CAT_(a, b) a##_##b
#define NNF_CAT(a, b) NNF_CAT_(a, b)
#define NNF_FN(name) NNF_CAT(NNF_CAT(name, NNF_ISA), NNF_S)

#define NNF_T float
#define NNF_IS_F64 0
#define NNF_S f32
#define NNF_EXP expf
#define NNF_LOG logf
#define NNF_SQRT sqrtf
#include "isa/templates.inc"
#undef NNF_T
#undef NNF_IS_F64
#undef NNF_S
#undef NNF_EXP
#undef NNF_LOG
#undef NNF_SQRT

#define NNF_T double
#define NNF_IS_F64 1
#define NNF_S f64
#define NNF_EXP exp
#define NNF_LOG log
#define NNF_SQRT sqrt
#include "isa/templates.inc"
#undef NNF_T
#undef NNF_IS_F64
#undef NNF_S
#undef NNF_EXP
#undef NNF_LOG
#undef NNF_SQRT

/* The set's table: each kernel of kernels.h as compiled here. */
#define NNF_TABLE_ENTRY(S, ret, name, ...) .name##_##S = NNF_CAT(NNF_CAT(name, NNF_ISA), S),
const nnf_kernel_table NNF_CAT(nnf_table, NNF_ISA) = {
    NNF_KERNELS(NNF_TABLE_ENTRY, float, f32)
    NNF_KERNELS(NNF_TABLE_ENTRY, double, f64)
};
#undef NNF_TABLE_ENTRY
