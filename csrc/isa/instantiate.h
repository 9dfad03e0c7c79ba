/* isa/instantiate.h: one instruction set's kernels, for float32 and float64, and its table.
 *
 * Included by the set's unit inside its target region, with NNF_ISA (generic, avx2, avx512:
 * part of every NNF_FN name), NNF_VEC_BYTES (the SIMD register width) and NNF_MR (the rows of
 * a register tile that fit the register file) defined. Inside the templates, NNF_T is the
 * element type, NNF_IS_F64 whether it is double, NNF_FN(name) the name of this set and type
 * (name_<isa>_f32), NNF_EXP / NNF_LOG / NNF_SQRT the libm functions of that type; a kernel
 * of kernels.h is the template's NNF_FN(<name>), and code calls its own set's functions
 * directly. */
#define NNF_CAT_(a, b) a##_##b
#define NNF_CAT(a, b) NNF_CAT_(a, b)
#define NNF_FN(name) NNF_CAT(NNF_CAT(name, NNF_ISA), NNF_S)

/* NNF_BY_TYPE(f, d): f for float32, d for float64. */
#define NNF_BY_TYPE(f, d) NNF_BY_TYPE_(NNF_IS_F64, f, d)
#define NNF_BY_TYPE_(is_f64, f, d) NNF_BY_TYPE__(is_f64, f, d)
#define NNF_BY_TYPE__(is_f64, f, d) NNF_BY_TYPE_##is_f64(f, d)
#define NNF_BY_TYPE_0(f, d) f
#define NNF_BY_TYPE_1(f, d) d
#define NNF_T NNF_BY_TYPE(float, double)
#define NNF_S NNF_BY_TYPE(f32, f64)
#define NNF_EXP NNF_BY_TYPE(expf, exp)
#define NNF_LOG NNF_BY_TYPE(logf, log)
#define NNF_SQRT NNF_BY_TYPE(sqrtf, sqrt)

#define NNF_IS_F64 0
#include "isa/templates.inc"
#undef NNF_IS_F64
#define NNF_IS_F64 1
#include "isa/templates.inc"

/* The set's table: each kernel of kernels.h as compiled here. */
#define NNF_TABLE_ENTRY(S, ret, name, ...) .name##_##S = NNF_CAT(NNF_CAT(name, NNF_ISA), S),
const nnf_kernel_table NNF_CAT(nnf_table, NNF_ISA) = {
    NNF_KERNELS(NNF_TABLE_ENTRY, float, f32)
    NNF_KERNELS(NNF_TABLE_ENTRY, double, f64)
};
