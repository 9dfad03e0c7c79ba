/* kernels.c: the public entry points nnf_<name>_f32 / nnf_<name>_f64 of kernels.h, each one
 * call through the table of the instruction set cpu.c chose. */
#include "isa/table.h"

#define NNF_ENTRY(S, ret, name, ...)                                                           \
    ret nnf_##name##_##S(NNF_PARAMS(__VA_ARGS__))                                              \
    {                                                                                          \
        NNF_RETURN_##ret nnf_table->name##_##S(NNF_ARGS(__VA_ARGS__));                         \
    }
NNF_KERNELS(NNF_ENTRY, float, f32)
NNF_KERNELS(NNF_ENTRY, double, f64)
