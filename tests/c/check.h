/* check.h: the test programs' exit on failure, and their random data. A program defines
 * PROGRAM (its name) before including this. */
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

#endif
