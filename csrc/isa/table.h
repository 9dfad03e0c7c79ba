/* isa/table.h: the kernels of one instruction set as a table of function pointers, one
 * field per kernel of kernels.h and element type (dense_f32, dense_f64, ...).
 * Each set's compiled unit (isa/generic.c, isa/avx2.c, isa/avx512.c) exports its table;
 * cpu.c points nnf_table at the chosen one, once (nnf_isa_select), and the public entry
 * points (kernels.c) call through it. */
#ifndef NNFAST_ISA_TABLE_H
#define NNFAST_ISA_TABLE_H
#include "nnfast.h"

#define NNF_TABLE_FIELD(S, ret, name, ...) ret (*name##_##S)(NNF_PARAMS(__VA_ARGS__));
typedef struct {
    NNF_KERNELS(NNF_TABLE_FIELD, float, f32)
    NNF_KERNELS(NNF_TABLE_FIELD, double, f64)
} nnf_kernel_table;
#undef NNF_TABLE_FIELD

extern const nnf_kernel_table nnf_table_generic;
#if NNF_X86
extern const nnf_kernel_table nnf_table_avx2, nnf_table_avx512;
#endif
/* The table of nnf_isa_current. */
extern const nnf_kernel_table *nnf_table;

#endif
