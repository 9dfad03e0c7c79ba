/* threads_default.c: without a call to nnf_set_num_threads, the thread count is the cores
 * this process may use when first asked, and stays so (asking each time would make a system
 * call on every kernel call, a tenth of the spiral's epoch in a C program). Prints the count
 * before and after the process is pinned to one core; tests/test_c_library.py compares
 * them. Prints "skip" where the process cannot be pinned or has one core already. */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include "nnfast.h"

int main(void)
{
#ifdef CPU_COUNT
    cpu_set_t allowed;
    if (sched_getaffinity(0, sizeof allowed, &allowed) != 0 || CPU_COUNT(&allowed) < 2) {
        puts("skip");
        return 0;
    }
    int first = nnf_get_num_threads();
    cpu_set_t one;
    CPU_ZERO(&one);
    for (int cpu = 0; cpu < CPU_SETSIZE; cpu++)
        if (CPU_ISSET(cpu, &allowed)) {
            CPU_SET(cpu, &one);
            break;
        }
    if (sched_setaffinity(0, sizeof one, &one) != 0) {
        puts("skip");
        return 0;
    }
    printf("first %d, pinned %d, cores %d\n", first, nnf_get_num_threads(),
           CPU_COUNT(&allowed));
#else
    puts("skip");
#endif
    return 0;
}
