/* pair_backward.c: nnf_dense_relu_dense_backward (x -> dense + ReLU -> dense, backward from
 * the second layer's dvalues, its dinputs never stored) against the two nnf_dense_backward
 * calls it stands for: both layers' dweights and dbiases bitwise equal, for 1 to 4 inputs and
 * 1 to 4 outputs, hidden widths that do and do not fill SIMD vectors (and past the fused
 * path's 256), batches of one row, of a few, past a product's block of rows and past the
 * fused path's size, the ReLU's output with zeros, negatives and NaN, dvalues with zeros,
 * with regularization, float32 and float64, on every instruction set this CPU has.
 *
 * Usage: pair_backward   (prints one line per instruction set; exit 1 on a mismatch) */
#define PROGRAM "pair_backward"
#include <math.h>
#include <string.h>
#include "check.h"

#define CASE(T, SFX)                                                                           \
    static int case_##SFX(nnf_idx m, nnf_idx k, nnf_idx n, nnf_idx c)                          \
    {                                                                                          \
        T *x = malloc(sizeof(T) * (size_t)(m * k)), *dv = malloc(sizeof(T) * (size_t)(m * c)); \
        T *ro = malloc(sizeof(T) * (size_t)(m * n)), *dh = malloc(sizeof(T) * (size_t)(m * n)); \
        T *w2 = malloc(sizeof(T) * (size_t)(n * c)), *w = malloc(sizeof(T) * (size_t)(k * n)); \
        T *b = malloc(sizeof(T) * (size_t)n), *dw = malloc(sizeof(T) * (size_t)(2 * k * n));   \
        T *db = malloc(sizeof(T) * (size_t)(2 * n)), *b2 = malloc(sizeof(T) * (size_t)c);      \
        T *dw2 = malloc(sizeof(T) * (size_t)(2 * n * c)), *db2 = malloc(sizeof(T) * (size_t)(2 * c)); \
        if (!x || !dv || !ro || !dh || !w2 || !w || !b || !dw || !db || !b2 || !dw2 || !db2)    \
            fail("out of memory", 0, NULL);                                                    \
        for (nnf_idx j = 0; j < m * k; j++)                                                    \
            x[j] = (T)uniform();                                                               \
        /* dvalues with exact zeros (as a softmax's gradient) and tiny values whose products   \
         * with w2's tiny columns underflow (to -0.0 where negative: the sums' zero signs) */  \
        const T tiny = sizeof(T) == 4 ? (T)1e-30 : (T)1e-200;                                  \
        for (nnf_idx j = 0; j < m * c; j++) {                                                  \
            double u = uniform();                                                              \
            dv[j] = u < -0.8 ? (T)0 : u < -0.7 ? (T)(u + 0.75) * tiny : (T)uniform();           \
        }                                                                                      \
        /* a ReLU's output: zeros, negatives, and NaN in the first column alone (NaN would     \
         * make every second layer's dweight of its column NaN) */                             \
        for (nnf_idx j = 0; j < m * n; j++) {                                                  \
            double u = uniform();                                                              \
            ro[j] = u < -0.4 ? (T)0 : u < -0.38 && j % n == 0 ? (T)NAN : u < -0.3 ? (T)-u : (T)u; \
        }                                                                                      \
        for (nnf_idx j = 0; j < n * c; j++)                                                    \
            w2[j] = j % 3 == 1 ? (T)uniform() * tiny : (T)uniform();                            \
        for (nnf_idx j = 0; j < k * n; j++)                                                    \
            w[j] = (T)uniform();                                                               \
        for (nnf_idx j = 0; j < n; j++)                                                        \
            b[j] = (T)uniform();                                                               \
        for (nnf_idx j = 0; j < c; j++)                                                        \
            b2[j] = (T)uniform();                                                              \
        const double reg[4] = {1e-3, 5e-4, 2e-3, 5e-4}, reg2[4] = {2e-3, 1e-3, 3e-3, 1e-4};   \
        nnf_status st = nnf_dense_backward_##SFX(m, n, c, dv, c, 1, NULL, 0, 0, NULL, 0, 0, ro, \
                                                 n, 1, w2, c, 1, b2, 1, reg2, dw2, c, 1, db2, \
                                                 1, dh, n, 1);                                 \
        if (st == NNF_OK)                                                                      \
            st = nnf_dense_backward_##SFX(m, k, n, dh, n, 1, ro, n, 1, NULL, 0, 0, x, k, 1, w, \
                                          n, 1, b, 1, reg, dw, n, 1, db, 1, NULL, 0, 0);       \
        if (st == NNF_OK)                                                                      \
            st = nnf_dense_relu_dense_backward_##SFX(m, k, n, c, x, k, 1, ro, n, dv, c, w, b,  \
                                                     reg, w2, b2, reg2, dw + k * n, db + n,    \
                                                     dw2 + n * c, db2 + c);                    \
        if (st != NNF_OK)                                                                      \
            fail("a kernel", (int)st, NULL);                                                   \
        int same = memcmp(dw, dw + k * n, sizeof(T) * (size_t)(k * n)) == 0 &&                 \
                   memcmp(db, db + n, sizeof(T) * (size_t)n) == 0 &&                           \
                   memcmp(dw2, dw2 + n * c, sizeof(T) * (size_t)(n * c)) == 0 &&               \
                   memcmp(db2, db2 + c, sizeof(T) * (size_t)c) == 0;                           \
        if (!same)                                                                             \
            printf("FAIL %s m %ld k %ld n %ld c %ld\n", #SFX, (long)m, (long)k, (long)n,       \
                   (long)c);                                                                   \
        free(x), free(dv), free(ro), free(dh), free(w2), free(w), free(b), free(dw), free(db); \
        free(b2), free(dw2), free(db2);                                                        \
        return same;                                                                           \
    }
CASE(float, f32)
CASE(double, f64)

int main(void)
{
    static const nnf_idx ms[] = {1, 2, 3, 5, 129, 300, 2100};
    static const nnf_idx ns[] = {1, 5, 8, 9, 13, 16, 17, 61, 64, 100, 256, 300};
    int failed = 0;
    for (int isa = -1; next_isa(&isa);) {
        int cases = 0, bad = 0;
        for (size_t a = 0; a < sizeof ms / sizeof *ms; a++)
            for (nnf_idx k = 1; k <= 4; k++)
                for (size_t j = 0; j < sizeof ns / sizeof *ns; j++)
                    for (nnf_idx c = 1; c <= 4; c++) {
                        bad += !case_f32(ms[a], k, ns[j], c);
                        bad += !case_f64(ms[a], k, ns[j], c);
                        cases += 2;
                    }
        failed |= report_isa(isa, cases, bad);
    }
    return failed;
}
