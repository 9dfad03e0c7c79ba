/* backward_rows.c: nnf_dense_backward_rows, rows given a range at a time, against
 * nnf_dense_backward over the whole batch: dweights and dbiases bitwise equal, for 1 to 4
 * inputs, widths that do and do not fill SIMD vectors, batches shorter and longer than a
 * product's block of rows, ranges of several lengths (one row, a block, crossing blocks), with
 * regularization, float32 and float64, on every instruction set this CPU has.
 *
 * Usage: backward_rows   (prints one line per instruction set; exit 1 on a mismatch) */
#define PROGRAM "backward_rows"
#include <string.h>
#include "check.h"

#define CASE(T, SFX)                                                                           \
    static int case_##SFX(nnf_idx m, nnf_idx k, nnf_idx n, nnf_idx step)                       \
    {                                                                                          \
        T *x = malloc(sizeof(T) * (size_t)(m * k + 1)), *d = malloc(sizeof(T) * (size_t)(m * n + 1)); \
        T *w = malloc(sizeof(T) * (size_t)(k * n)), *b = malloc(sizeof(T) * (size_t)n);        \
        T *dw = malloc(sizeof(T) * (size_t)(2 * k * n)), *db = malloc(sizeof(T) * (size_t)(2 * n)); \
        T *sums = calloc((size_t)((2 * k + 1) * (n + 16)), sizeof(T));                         \
        if (!x || !d || !w || !b || !dw || !db || !sums)                                       \
            fail("out of memory", 0, NULL);                                                    \
        for (nnf_idx j = 0; j < m * k; j++)                                                    \
            x[j] = (T)uniform();                                                               \
        for (nnf_idx j = 0; j < m * n; j++) /* some exact zeros, as a ReLU leaves */           \
            d[j] = uniform() < -0.5 ? (T)0 : (T)uniform();                                     \
        for (nnf_idx j = 0; j < k * n; j++)                                                    \
            w[j] = (T)uniform();                                                               \
        for (nnf_idx j = 0; j < n; j++)                                                        \
            b[j] = (T)uniform();                                                               \
        const double reg[4] = {1e-3, 5e-4, 2e-3, 5e-4};                                        \
        nnf_status st = nnf_dense_backward_##SFX(m, k, n, d, n, 1, NULL, 0, 0, NULL, 0, 0, x, k, \
                                                 1, w, n, 1, b, 1, reg, dw, n, 1, db, 1, NULL, 0, 0); \
        if (st != NNF_OK)                                                                      \
            fail("nnf_dense_backward", (int)st, NULL);                                         \
        for (nnf_idx i = 0; i < m; i += step) {                                                \
            nnf_idx i1 = i + step < m ? i + step : m;                                          \
            nnf_dense_backward_rows_##SFX(m, k, n, i, i1, d + i * n, n, x, k, 1, w, b, reg,    \
                                          sums, dw + k * n, db + n);                           \
        }                                                                                      \
        int same = memcmp(dw, dw + k * n, sizeof(T) * (size_t)(k * n)) == 0 &&                 \
                   memcmp(db, db + n, sizeof(T) * (size_t)n) == 0;                             \
        if (!same)                                                                             \
            printf("FAIL %s m %ld k %ld n %ld rows at a time %ld\n", #SFX, (long)m, (long)k,   \
                   (long)n, (long)step);                                                       \
        free(x), free(d), free(w), free(b), free(dw), free(db), free(sums);                    \
        return same;                                                                           \
    }
CASE(float, f32)
CASE(double, f64)

int main(void)
{
    static const nnf_idx ms[] = {1, 2, 7, 129, 300, 1000}, ns[] = {1, 5, 8, 16, 37, 512};
    static const nnf_idx steps[] = {1, 3, 64, 100, 257, 100000};
    int failed = 0;
    for (int isa = -1; next_isa(&isa);) {
        int cases = 0, bad = 0;
        for (size_t a = 0; a < sizeof ms / sizeof *ms; a++)
            for (nnf_idx k = 1; k <= 4; k++)
                for (size_t c = 0; c < sizeof ns / sizeof *ns; c++)
                    for (size_t s = 0; s < sizeof steps / sizeof *steps; s++) {
                        bad += !case_f32(ms[a], k, ns[c], steps[s]);
                        bad += !case_f64(ms[a], k, ns[c], steps[s]);
                        cases += 2;
                    }
        failed |= report_isa(isa, cases, bad);
    }
    return failed;
}
