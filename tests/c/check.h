/* check.h: the test programs' exit on failure, their random data, the loop over instruction
 * sets and the classifier head their networks share. A program defines PROGRAM (its name)
 * before including this. */
#ifndef NNF_TEST_CHECK_H
#define NNF_TEST_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include "nnfast.h"

/* Prints what failed, its status and the network's message; exits with the status (100 for
 * a failure that has none). */
static _Noreturn void fail(const char *what, int status, const nnf_net *net)
{
    fprintf(stderr, PROGRAM ": %s: status %d: %s\n", what, status, net ? nnf_net_error(net) : "");
    exit(status ? status : 100);
}

/* Uniform in [-1, 1), a fixed xorshift stream: the programs' random data, the same each run. */
static inline double uniform(void)
{
    static uint64_t state = 88172645463325252ull;
    state ^= state << 13, state ^= state >> 7, state ^= state << 17;
    return (double)(state >> 11) / 4503599627370496.0 - 1;
}

/* Calls fail unless the call, in a scope with the network `net`, returns NNF_OK. */
#define CHECK(call)                                                                            \
    do {                                                                                       \
        nnf_status s_ = (call);                                                                \
        if (s_ != NNF_OK)                                                                      \
            fail(#call, (int)s_, net);                                                         \
    } while (0)

/* Selects the next instruction set this CPU has after *isa (start from -1); 0 when none is
 * left: the programs that compare kernels run their cases once on each. */
static inline int next_isa(int *isa)
{
    while (++*isa < NNF_ISA_COUNT)
        if (nnf_isa_supported((nnf_isa)*isa) && nnf_isa_select(nnf_isa_name((nnf_isa)*isa)) == 0)
            return 1;
    return 0;
}

/* Prints a set's line "<isa> N cases, M differ" (tests/test_c_library.py reads it); returns
 * whether any case differed. */
static inline int report_isa(int isa, int cases, int bad)
{
    printf("%s %d cases, %d differ\n", nnf_isa_name((nnf_isa)isa), cases, bad);
    return bad > 0;
}

/* The networks' classifier head: dense (classes) -> softmax, categorical cross-entropy and
 * accuracy, and the optimizer opt. */
static inline void add_classifier_head(nnf_net *net, nnf_idx classes, const nnf_net_optimizer *opt)
{
    CHECK(nnf_net_add_dense(net, classes, 0, 0, 0, 0));
    CHECK(nnf_net_add_activation(net, NNF_LAYER_SOFTMAX));
    CHECK(nnf_net_set_loss(net, NNF_NET_CCE));
    CHECK(nnf_net_set_accuracy(net, NNF_ACC_CATEGORICAL, 0));
    CHECK(nnf_net_set_optimizer(net, opt));
}

#endif
