/* softmax_cce_fused.c: nnf_dense_softmax_cce_backward (a classifier's output layer and its
 * loss in one call) against its two calls, nnf_dense with the softmax then
 * nnf_softmax_cce_backward: probabilities, gradient, loss sum and correct count bitwise
 * equal, for 1 to 5 classes, k below and above a SIMD vector, 1 to 300 rows (blocks of
 * rows full and not), labels as indices (strided) and one-hot rows, with and without a
 * bias, rows of a copied (a_cs != 1), b read by rows or columns, p and d packed (rows n
 * apart) or p strided and d transposed, no loss asked, NaN, infinite and tied logits, bad
 * labels (same status and row), one and two threads, float32 and float64, on every
 * instruction set this CPU has.
 *
 * Usage: softmax_cce_fused   (prints one line per instruction set; exit 1 on a mismatch) */
#define PROGRAM "softmax_cce_fused"
#include <math.h>
#include <string.h>
#include "check.h"

/* What a case varies beyond the shape. */
typedef struct {
    int onehot, bias, a_strided, b_by_columns, loss, special, bad_label, packed;
} variant;

#define CASE(T, SFX)                                                                           \
    static int case_##SFX(nnf_idx m, nnf_idx n, nnf_idx k, variant v)                          \
    {                                                                                          \
        const nnf_idx a_cs = v.a_strided ? 2 : 1, a_rs = k * a_cs;                             \
        /* p and d packed rows, or p strided and d transposed */                              \
        const nnf_idx p_rs = v.packed ? n : n + 1, d_rs = v.packed ? n : 1;                    \
        const nnf_idx d_cs = v.packed ? 1 : m;                                                 \
        T *a = malloc(sizeof(T) * (size_t)(m * a_rs + 1)), *b = malloc(sizeof(T) * (size_t)(k * n)); \
        T *bias = malloc(sizeof(T) * (size_t)n), *oh = calloc((size_t)(m * n + 1), sizeof(T));   \
        T *p = malloc(sizeof(T) * (size_t)(2 * m * p_rs + 1)), *d = malloc(sizeof(T) * (size_t)(2 * m * n + 1)); \
        int64_t *idx = malloc(sizeof(int64_t) * (size_t)(2 * m + 1));                          \
        if (!a || !b || !bias || !oh || !p || !d || !idx)                                      \
            fail("out of memory", 0, NULL);                                                    \
        for (nnf_idx j = 0; j < m * a_rs; j++)                                                 \
            a[j] = (T)(3 * uniform());                                                         \
        for (nnf_idx j = 0; j < k * n; j++)                                                    \
            b[j] = (T)uniform();                                                               \
        for (nnf_idx j = 0; j < n; j++)                                                        \
            bias[j] = (T)uniform();                                                            \
        for (nnf_idx i = 0; i < m; i++) {                                                      \
            idx[2 * i] = (int64_t)((uniform() + 1) / 2 * (double)n) % n;                       \
            oh[i * n + idx[2 * i]] = 1;                                                        \
        }                                                                                      \
        if (v.special && m >= 4) { /* a NaN row, an infinite logit, a tie of all classes */    \
            a[0] = (T)NAN;                                                                     \
            a[a_rs] = (T)INFINITY;                                                             \
            for (nnf_idx j = 0; j < k; j++)                                                    \
                a[2 * a_rs + j * a_cs] = 0;                                                    \
            a[3 * a_rs] = (T)1e30;                                                             \
        }                                                                                      \
        if (v.bad_label && m > 0)                                                              \
            idx[2 * (m / 2)] = m % 2 ? -1 : n;                                                 \
        const nnf_idx b_rs = v.b_by_columns ? 1 : n, b_cs = v.b_by_columns ? k : 1;            \
        for (nnf_idx j = 0; j < 2 * m * p_rs + 1; j++)                                         \
            p[j] = (T)7;                                                                       \
        for (nnf_idx j = 0; j < 2 * m * n + 1; j++)                                            \
            d[j] = (T)7;                                                                       \
        const int64_t *labels = v.onehot ? NULL : idx;                                         \
        const T *onehot = v.onehot ? oh : NULL;                                                \
        const T *bs = v.bias ? bias : NULL;                                                    \
        double loss[2] = {-1, -1};                                                             \
        nnf_idx correct[2] = {-1, -1}, bad[2] = {-1, -1};                                      \
        nnf_status st0 = nnf_dense_##SFX(m, n, k, a, a_rs, a_cs, b, b_rs, b_cs, bs, 1,         \
                                         NNF_ACT_SOFTMAX, p, p_rs, 1);                         \
        if (st0 == NNF_OK)                                                                     \
            st0 = nnf_softmax_cce_backward_##SFX(m, n, p, p_rs, 1, labels, 2, onehot, n, 1, d,  \
                                                 d_rs, d_cs, v.loss ? &loss[0] : NULL,         \
                                                 &correct[0], &bad[0]);                        \
        T *p1 = p + m * p_rs, *d1 = d + m * n;                                                 \
        nnf_status st1 = nnf_dense_softmax_cce_backward_##SFX(                                 \
            m, n, k, a, a_rs, a_cs, b, b_rs, b_cs, bs, 1, labels, 2, onehot, n, 1, p1, p_rs, 1, \
            d1, d_rs, d_cs, v.loss ? &loss[1] : NULL, &correct[1], &bad[1]);                   \
        int same = st0 == st1 && memcmp(loss, loss + 1, sizeof *loss) == 0 &&                  \
                   correct[0] == correct[1] && bad[0] == bad[1];                               \
        if (st0 == NNF_OK)                                                                     \
            same = same && memcmp(p, p1, sizeof(T) * (size_t)(m * p_rs)) == 0 &&               \
                   memcmp(d, d1, sizeof(T) * (size_t)(m * n)) == 0;                            \
        if (!same)                                                                             \
            printf("FAIL %s m %ld n %ld k %ld onehot %d bias %d a_strided %d b_by_columns %d " \
                   "loss %d special %d bad %d packed %d: status %d/%d loss %.17g/%.17g correct %ld/%ld " \
                   "bad row %ld/%ld\n", #SFX, (long)m, (long)n, (long)k, v.onehot, v.bias,       \
                   v.a_strided, v.b_by_columns, v.loss, v.special, v.bad_label, v.packed, (int)st0,       \
                   (int)st1, loss[0], loss[1], (long)correct[0], (long)correct[1],             \
                   (long)bad[0], (long)bad[1]);                                                \
        free(a), free(b), free(bias), free(oh), free(p), free(d), free(idx);                   \
        return same;                                                                           \
    }
CASE(float, f32)
CASE(double, f64)

int main(void)
{
    static const nnf_idx ms[] = {1, 2, 5, 8, 9, 17, 300}, ks[] = {1, 7, 8, 16, 64, 67};
    int failed = 0;
    for (int isa = -1; next_isa(&isa);) {
        int cases = 0, bad = 0;
        for (int threads = 1; threads <= 2; threads++) {
            nnf_set_num_threads(threads);
            for (size_t a = 0; a < sizeof ms / sizeof *ms; a++)
                for (nnf_idx n = 1; n <= 5; n++)
                    for (size_t c = 0; c < sizeof ks / sizeof *ks; c++)
                        for (int bits = 0; bits < 256; bits += 1 + (threads == 2) * 6) {
                            variant v = {bits & 1, bits >> 1 & 1, bits >> 2 & 1, bits >> 3 & 1,
                                         !(bits >> 4 & 1), bits >> 5 & 1, bits >> 6 & 1,
                                         bits >> 7 & 1};
                            bad += !case_f32(ms[a], n, ks[c], v);
                            bad += !case_f64(ms[a], n, ks[c], v);
                            cases += 2;
                        }
            /* large enough for nnf_dense to split over two threads */
            variant plain = {0, 1, 0, 0, 1, 0, 0, 1};
            bad += !case_f32(20000, 3, 64, plain) + !case_f64(20000, 3, 64, plain);
            cases += 2;
        }
        failed |= report_isa(isa, cases, bad);
    }
    return failed;
}
