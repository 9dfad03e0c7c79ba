/* isa_default.c: without a call to nnf_isa_select, the kernels run on the best instruction
 * set the CPU supports (the library chooses it when it loads). Prints the set in use and the
 * best supported; tests/test_c_library.py compares them. */
#include <stdio.h>
#include "nnfast.h"

int main(void)
{
    nnf_isa best = NNF_ISA_GENERIC;
    for (int isa = 0; isa < NNF_ISA_COUNT; isa++)
        if (nnf_isa_supported((nnf_isa)isa))
            best = (nnf_isa)isa;
    printf("in use %s, best %s\n", nnf_isa_name(nnf_isa_current), nnf_isa_name(best));
    return 0;
}
