/* cpu.c: which instruction set the kernels use: its table of kernels (isa/table.h) is the one
 * the public entry points call through until the next choice. The best the CPU supports,
 * chosen when the library loads, unless the caller forces one (the binding passes the
 * NNFAST_ISA environment variable) so that tests can run every path this machine can run. */
#include <string.h>
#include "isa/table.h"

nnf_isa nnf_isa_current = NNF_ISA_GENERIC;
const nnf_kernel_table *nnf_table = &nnf_table_generic;

/* The table of each set, by nnf_isa. */
static const nnf_kernel_table *isa_table(nnf_isa isa)
{
#if NNF_X86
    if (isa == NNF_ISA_AVX512)
        return &nnf_table_avx512;
    if (isa == NNF_ISA_AVX2)
        return &nnf_table_avx2;
#endif
    return &nnf_table_generic;
}

static const char *const isa_names[] = {"generic", "avx2", "avx512"};

const char *nnf_isa_name(nnf_isa isa) { return isa_names[isa]; }

int nnf_isa_supported(nnf_isa isa)
{
    if (isa == NNF_ISA_GENERIC)
        return 1;
#if NNF_X86
    __builtin_cpu_init();
    if (isa == NNF_ISA_AVX2)
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    if (isa == NNF_ISA_AVX512)
        return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
               __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512bw");
#endif
    return 0;
}

int nnf_isa_select(const char *name)
{
    if (name == NULL || name[0] == '\0') {
        nnf_isa_current = nnf_isa_supported(NNF_ISA_AVX512) ? NNF_ISA_AVX512
                          : nnf_isa_supported(NNF_ISA_AVX2)  ? NNF_ISA_AVX2
                                                             : NNF_ISA_GENERIC;
        nnf_table = isa_table(nnf_isa_current);
        return 0;
    }
    for (int i = 0; i < NNF_ISA_COUNT; i++)
        if (strcmp(name, isa_names[i]) == 0) {
            if (!nnf_isa_supported((nnf_isa)i))
                return -2;
            nnf_isa_current = (nnf_isa)i;
            nnf_table = isa_table(nnf_isa_current);
            return 0;
        }
    return -1;
}

/* The choice when the library loads, so that a C program runs on the widest SIMD its CPU has
 * without a call; the generic table above serves until then. */
__attribute__((constructor)) static void select_at_load(void) { nnf_isa_select(NULL); }
