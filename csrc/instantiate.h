/* instantiate.h: compile one kernel template for float32 and for float64.
 *
 * Included by per_isa.h once per instruction set, with NNF_TEMPLATE (e.g. "activations.inc")
 * naming the template.
 * Inside the template, NNF_T is the element type, NNF_FN(name) the suffixed name
 * (name_f32 / name_f64, or name_<isa>_f32 when the file defines NNF_ISA to build one
 * template once per instruction set), NNF_EXP / NNF_LOG / NNF_SQRT the libm functions of
 * that type. */
#undef NNF_FN
#undef NNF_PUB
#define NNF_PUB(name) NNF_CAT(name, NNF_S) /* a public kernel of nnfast.h: name_f32 / name_f64 */
#define NNF_CAT_(a, b) a##_##b
#define NNF_CAT(a, b) NNF_CAT_(a, b)
#ifdef NNF_ISA
#define NNF_FN(name) NNF_CAT(NNF_CAT(name, NNF_ISA), NNF_S)
#else
#define NNF_FN(name) NNF_CAT(name, NNF_S)
#endif

#define NNF_T float
#define NNF_IS_F64 0
#define NNF_S f32
#define NNF_EXP expf
#define NNF_LOG logf
#define NNF_SQRT sqrtf
#include NNF_TEMPLATE
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
#include NNF_TEMPLATE
#undef NNF_T
#undef NNF_IS_F64
#undef NNF_S
#undef NNF_EXP
#undef NNF_LOG
#undef NNF_SQRT
