/* fuzz_kernels.c: libFuzzer harness for nnfast's C core on its own (no Python).
 *
 * Each input is decoded into one kernel call: which kernel (first byte 0-127: dense with
 * each activation, relu, copy, softmax, cce with each reduction, softmax_cce, accuracy;
 * 128-255: the training kernels dense_backward, optimizer_step, softmax_cce_backward,
 * elementwise, cce_backward, pair_loss, pair_loss_backward, dropout, regularization_loss),
 * float32 or float64,
 * the instruction set, the sizes (0..39 per axis; rarely 104..127 with 1-3 threads, so
 * the product is split over the pool), every matrix's strides (row- or column-major, steps
 * 1-3, negative, zero for inputs), values from a table of ordinary and special numbers
 * (NaN, +-inf, -0.0, denormals, large) and labels (sometimes out of range).
 *
 * Every array is its own malloc of exactly the elements its strides can reach, so
 * AddressSanitizer reports any read or write outside it. The result is then checked
 * against a plain long-double computation with the same tolerances as the Python tests
 * (tests/api_registry.py); a wrong number aborts, which libFuzzer records as a crash.
 *
 * Build and run: see fuzz/README.md (fuzz/run.sh does both).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "nnfast.h"

typedef long double ld;

/* ---- input decoding ---------------------------------------------------------------- */

typedef struct {
    const uint8_t *p;
    size_t n;
} bytes;

static unsigned next(bytes *b)
{
    if (!b->n)
        return 0;
    b->n--;
    return *b->p++;
}

/* A matrix (m, n) with element strides; buf is the allocation, base = element (0, 0). */
typedef struct {
    nnf_idx m, n, rs, cs;
    void *buf, *base;
    size_t elems;
} matrix;

static void *xmalloc(size_t bytes_)
{
    void *p = malloc(bytes_ ? bytes_ : 1);
    if (!p)
        abort();
    return p;
}

/* Strides for (m, n) from a layout byte; zero strides only for inputs. */
static void layout(bytes *b, matrix *x, int input)
{
    unsigned code = next(b);
    nnf_idx step = 1 + (code >> 4) % 3;
    nnf_idx m = x->m, n = x->n;
    switch (code % 6) {
    case 0: x->rs = n * step; x->cs = step; break;                   /* row-major, stepped */
    case 1: x->rs = step; x->cs = m * step; break;                   /* column-major */
    case 2: x->rs = -n * step; x->cs = step; break;                  /* rows reversed */
    case 3: x->rs = n * step; x->cs = -step; break;                  /* columns reversed */
    case 4: x->rs = input ? 0 : n; x->cs = 1; break;                 /* rows broadcast */
    default: x->rs = input ? n : -step; x->cs = input ? 0 : -m * step; break;
    }
    if (x->rs == 0 && x->cs == 0 && !input)
        x->rs = n, x->cs = 1;
}

/* Allocates exactly the elements (i, j) can reach and points base at (0, 0). */
static void allocate(matrix *x, size_t elem)
{
    nnf_idx lo = 0, hi = 0;
    if (x->m > 0 && x->n > 0) {
        nnf_idx a = (x->m - 1) * x->rs, c = (x->n - 1) * x->cs;
        lo = (a < 0 ? a : 0) + (c < 0 ? c : 0);
        hi = (a > 0 ? a : 0) + (c > 0 ? c : 0);
        x->elems = (size_t)(hi - lo + 1);
    } else {
        x->elems = 0;
    }
    x->buf = xmalloc(x->elems * elem);
    x->base = (char *)x->buf - lo * (nnf_idx)elem;
}

static const double VALUES[16] = {0.0, -0.0, 1.0, -1.0, 0.5, -2.25, 3.0, 1e-3,
                                  0x1p-1060, -0x1p-1070, 1e10, -1e10, NAN, INFINITY, -INFINITY, 7.0};
static const double VALUES32[16] = {0.0, -0.0, 1.0, -1.0, 0.5, -2.25, 3.0, 1e-3,
                                    0x1p-140, -0x1p-148, 1e10, -1e10, NAN, INFINITY, -INFINITY, 7.0};
static const double ONEHOT[8] = {0.0, 1.0, 0.0, 1.0, 0.5, NAN, INFINITY, 1e10};

#define FAIL(...)                                                                              \
    do {                                                                                       \
        fprintf(stderr, "fuzz_kernels: " __VA_ARGS__);                                         \
        fprintf(stderr, "\n");                                                                 \
        abort();                                                                               \
    } while (0)

/* Finite values within bound; NaN and infinities exactly where the reference has them. */
static void expect(ld got, ld want, ld bound, const char *what, nnf_idx i, nnf_idx j)
{
    if (isnan(want)) {
        if (!isnan(got))
            FAIL("%s[%td,%td] = %Lg, expected NaN", what, i, j, got);
    } else if (isinf(want)) {
        if (got != want)
            FAIL("%s[%td,%td] = %Lg, expected %Lg", what, i, j, got, want);
    } else if (!(fabsl(got - want) <= bound)) {
        FAIL("%s[%td,%td] = %.20Lg, expected %.20Lg (bound %Lg)", what, i, j, got, want, bound);
    }
}

/* Long-double softmax of row z (n) into p; NaN row for NaN, +inf or all -inf as NumPy. */
static void softmax_ld(nnf_idx n, const ld *z, ld *p, ld *d)
{
    ld mx = n ? z[0] : 0;
    for (nnf_idx j = 1; j < n; j++)
        mx = (z[j] > mx || isnan(z[j])) ? z[j] : mx;
    ld s = 0;
    for (nnf_idx j = 0; j < n; j++) {
        d[j] = z[j] - mx;
        p[j] = expl(d[j]);
        s += p[j];
    }
    for (nnf_idx j = 0; j < n; j++)
        p[j] /= s;
}

static ld softmax_tol(ld p, ld d, nnf_idx n, ld eps, ld tiny)
{
    ld ad = isfinite(d) ? fabsl(d) : 0;
    return eps * (n + 10 + ad) * fabsl(p) + 2 * tiny;
}

#define HARNESS(T, S, EPS, TINY, VALS)                                                         \
    static T get_##S(const matrix *x, nnf_idx i, nnf_idx j)                                    \
    {                                                                                          \
        return ((const T *)x->base)[i * x->rs + j * x->cs];                                    \
    }                                                                                          \
    static void fill_##S(bytes *b, matrix *x, const double *vals, unsigned mask)               \
    {                                                                                          \
        for (size_t e = 0; e < x->elems; e++)                                                  \
            ((T *)x->buf)[e] = (T)vals[next(b) & mask];                                        \
    }                                                                                          \
    static void make_##S(bytes *b, matrix *x, nnf_idx m, nnf_idx n, int input)                \
    {                                                                                          \
        x->m = m;                                                                              \
        x->n = n;                                                                              \
        layout(b, x, input);                                                                   \
        allocate(x, sizeof(T));                                                                \
        if (input)                                                                             \
            fill_##S(b, x, VALS, 15);                                                          \
        else                                                                                   \
            for (size_t e = 0; e < x->elems; e++)                                              \
                ((T *)x->buf)[e] = (T)NAN;                                                     \
    }                                                                                          \
    static void run_dense_##S(bytes *b, nnf_idx m, nnf_idx n, nnf_idx k)                       \
    {                                                                                          \
        const ld eps = EPS, tiny = TINY;                                                       \
        matrix a, w, c, bias = {0};                                                            \
        make_##S(b, &a, m, k, 1);                                                              \
        make_##S(b, &w, k, n, 1);                                                              \
        int has_bias = next(b) & 1;                                                            \
        if (has_bias)                                                                          \
            make_##S(b, &bias, 1, n, 1);                                                       \
        nnf_activation act = (nnf_activation)(next(b) % 3);                                   \
        make_##S(b, &c, m, n, 0);                                                              \
        nnf_status st = nnf_dense_##S(m, n, k, a.base, a.rs, a.cs, w.base, w.rs, w.cs,         \
                                      has_bias ? bias.base : NULL, bias.cs, act, c.base,      \
                                      c.rs, c.cs);                                             \
        if (st != NNF_OK)                                                                      \
            FAIL("dense returned %d", (int)st);                                                \
        ld *z = xmalloc(sizeof(ld) * (size_t)(3 * n + 1)), *bd = z + n, *p = bd + n;           \
        ld *dd = xmalloc(sizeof(ld) * (size_t)(n + 1));                                        \
        /* big products: every 13th row and the last (the threads' parts all get checked) */ \
        nnf_idx row_step = m * n * k > 100000 ? 13 : 1;                                       \
        for (nnf_idx i = 0; i < m; i = (i + row_step < m || i == m - 1) ? i + row_step : m - 1) { \
            ld emax = 0;                                                                       \
            for (nnf_idx j = 0; j < n; j++) {                                                  \
                ld s = 0, mag = 0;                                                             \
                for (nnf_idx q = 0; q < k; q++) {                                              \
                    ld x = get_##S(&a, i, q), y = get_##S(&w, q, j);                           \
                    s += x * y;                                                                \
                    mag += fabsl(x) * fabsl(y);                                                \
                }                                                                              \
                if (has_bias) {                                                                \
                    s += get_##S(&bias, 0, j);                                                 \
                    mag += fabsl((ld)get_##S(&bias, 0, j));                                    \
                }                                                                              \
                z[j] = s;                                                                      \
                bd[j] = (k + 2) * eps * (isfinite(mag) ? mag : 0) + (k + 2) * tiny;            \
                emax = bd[j] > emax ? bd[j] : emax;                                            \
            }                                                                                  \
            if (act == NNF_ACT_SOFTMAX) {                                                      \
                softmax_ld(n, z, p, dd);                                                       \
                /* logits off by e move each probability by a factor in exp(+-2e) */          \
                ld f = expm1l(2 * emax);                                                       \
                for (nnf_idx j = 0; j < n; j++)                                                \
                    expect(get_##S(&c, i, j), p[j],                                            \
                           softmax_tol(p[j], dd[j], n, eps, tiny) +                            \
                               (f > 1 ? 1 : f * fabsl(p[j])),                                  \
                           "dense+softmax", i, j);                                             \
            } else {                                                                           \
                for (nnf_idx j = 0; j < n; j++) {                                              \
                    ld want = (act == NNF_ACT_RELU && z[j] < 0) ? 0 : z[j];                    \
                    expect(get_##S(&c, i, j), want, bd[j], "dense", i, j);                     \
                }                                                                              \
            }                                                                                  \
        }                                                                                      \
        free(z);                                                                               \
        free(dd);                                                                              \
        free(a.buf);                                                                           \
        free(w.buf);                                                                           \
        free(c.buf);                                                                           \
        free(bias.buf);                                                                        \
    }                                                                                          \
    static void run_unary_##S(bytes *b, int op, nnf_idx m, nnf_idx n)                          \
    {                                                                                          \
        const ld eps = EPS, tiny = TINY;                                                       \
        matrix x, y;                                                                           \
        make_##S(b, &x, m, n, 1);                                                              \
        int in_place = op != 1 && x.rs != 0 && x.cs != 0 && (next(b) & 1);                     \
        if (in_place) { /* y is x itself: keep a copy of the input */                          \
            y = x;                                                                             \
            x.buf = xmalloc(x.elems * sizeof(T));                                              \
            memcpy(x.buf, y.buf, x.elems * sizeof(T));                                         \
            x.base = (char *)x.buf + ((char *)y.base - (char *)y.buf);                         \
        } else {                                                                               \
            make_##S(b, &y, m, n, 0);                                                          \
        }                                                                                      \
        if (op == 0)                                                                           \
            nnf_relu_##S(m, n, y.base == x.base ? y.base : x.base, x.rs, x.cs, y.base, y.rs,   \
                         y.cs);                                                                \
        else if (op == 1)                                                                      \
            nnf_copy_##S(m, n, x.base, x.rs, x.cs, y.base, y.rs, y.cs);                        \
        else                                                                                   \
            nnf_softmax_##S(m, n, in_place ? y.base : x.base, x.rs, x.cs, y.base, y.rs, y.cs); \
        ld *z = xmalloc(sizeof(ld) * (size_t)(3 * n + 1)), *p = z + n, *dd = p + n;            \
        for (nnf_idx i = 0; i < m; i++) {                                                      \
            for (nnf_idx j = 0; j < n; j++)                                                    \
                z[j] = get_##S(&x, i, j);                                                      \
            if (op == 2)                                                                       \
                softmax_ld(n, z, p, dd);                                                       \
            for (nnf_idx j = 0; j < n; j++) {                                                  \
                T got = get_##S(&y, i, j);                                                     \
                if (op == 2) {                                                                 \
                    expect(got, p[j], softmax_tol(p[j], dd[j], n, eps, tiny), "softmax", i, j);\
                    continue;                                                                  \
                }                                                                              \
                T want = (T)z[j];                                                              \
                if (op == 0 && want < 0)                                                       \
                    want = 0;                                                                  \
                if (isnan(want) ? !isnan(got)                                                  \
                                : (got != want || signbit(got) != signbit(want)))              \
                    FAIL("%s[%td,%td] = %g, expected %g", op ? "copy" : "relu", i, j,          \
                         (double)got, (double)want);                                           \
            }                                                                                  \
        }                                                                                      \
        free(z);                                                                               \
        free(x.buf);                                                                           \
        free(y.buf);                                                                           \
    }                                                                                          \
    /* op 0: cce, 1: softmax_cce, 2: accuracy */                                               \
    static void run_loss_##S(bytes *b, int op, nnf_idx m, nnf_idx n)                           \
    {                                                                                          \
        const ld eps = EPS, tiny = TINY;                                                       \
        matrix p, oh = {0}, probs = {0}, loss = {0};                                           \
        make_##S(b, &p, m, n, 1);                                                              \
        int onehot = next(b) & 1;                                                              \
        int64_t *idx = NULL;                                                                   \
        nnf_idx idx_s = 1 + next(b) % 2, first_bad = -1;                                       \
        if (onehot) {                                                                          \
            oh.m = m;                                                                          \
            oh.n = n;                                                                          \
            layout(b, &oh, 1);                                                                 \
            allocate(&oh, sizeof(T));                                                          \
            fill_##S(b, &oh, ONEHOT, 7);                                                       \
        } else {                                                                               \
            idx = xmalloc(sizeof(int64_t) * (size_t)(m * idx_s + 1));                          \
            for (nnf_idx i = 0; i < m * idx_s; i++) {                                          \
                unsigned v = next(b);                                                          \
                idx[i] = v == 255 ? -1 : v == 254 ? INT64_MIN : v == 253 ? n : (n ? v % n : 0);\
            }                                                                                  \
            for (nnf_idx i = 0; i < m && first_bad < 0; i++)                                   \
                if (idx[i * idx_s] < 0 || idx[i * idx_s] >= n)                                 \
                    first_bad = i;                                                             \
        }                                                                                      \
        nnf_reduction red = (nnf_reduction)(next(b) % 3);                                      \
        T scalar = (T)NAN;                                                                     \
        nnf_idx bad = -7;                                                                      \
        nnf_status st = NNF_OK;                                                                \
        if (op == 0) {                                                                         \
            if (red == NNF_REDUCE_NONE) {                                                      \
                make_##S(b, &loss, 1, m, 0);                                                   \
            }                                                                                  \
            st = nnf_cce_##S(m, n, p.base, p.rs, p.cs, idx, idx_s, onehot ? oh.base : NULL,    \
                             oh.rs, oh.cs, red, red == NNF_REDUCE_NONE ? loss.base : &scalar,  \
                             loss.cs, &bad);                                                   \
        } else if (op == 1) {                                                                  \
            make_##S(b, &probs, m, n, 0);                                                      \
            st = nnf_softmax_cce_##S(m, n, p.base, p.rs, p.cs, idx, idx_s,                     \
                                     onehot ? oh.base : NULL, oh.rs, oh.cs, probs.base,        \
                                     probs.rs, probs.cs, &scalar, &bad);                       \
        } else {                                                                               \
            nnf_idx correct = -1, want = 0;                                                    \
            if (n == 0 && m > 0) /* the binding refuses this shape */                          \
                goto done;                                                                     \
            nnf_accuracy_##S(m, n, p.base, p.rs, p.cs, idx, idx_s, onehot ? oh.base : NULL,    \
                             oh.rs, oh.cs, &correct);                                          \
            for (nnf_idx i = 0; i < m; i++) {                                                  \
                nnf_idx am = 0, at = 0;                                                        \
                for (nnf_idx j = 0; j < n; j++) {                                              \
                    T v = get_##S(&p, i, j), best = get_##S(&p, i, am);                        \
                    if (!isnan(best) && (isnan(v) || v > best))                                \
                        am = j;                                                                \
                }                                                                              \
                if (onehot) {                                                                  \
                    for (nnf_idx j = 0; j < n; j++) {                                          \
                        T v = get_##S(&oh, i, j), best = get_##S(&oh, i, at);                  \
                        if (!isnan(best) && (isnan(v) || v > best))                            \
                            at = j;                                                            \
                    }                                                                          \
                } else {                                                                       \
                    at = (nnf_idx)idx[i * idx_s];                                              \
                }                                                                              \
                want += am == at;                                                              \
            }                                                                                  \
            if (correct != want)                                                               \
                FAIL("accuracy counted %td, expected %td", correct, want);                     \
            goto done;                                                                         \
        }                                                                                      \
        if (first_bad >= 0) {                                                                  \
            if (st != NNF_ELABEL || bad != first_bad)                                          \
                FAIL("label of row %td out of range: status %d, bad row %td", first_bad,       \
                     (int)st, bad);                                                            \
            goto done;                                                                         \
        }                                                                                      \
        if (st != NNF_OK)                                                                      \
            FAIL("loss returned %d", (int)st);                                                 \
        {                                                                                      \
            ld total = 0, btotal = 0;                                                          \
            ld *z = xmalloc(sizeof(ld) * (size_t)(3 * n + 1)), *q = z + n, *dd = q + n;        \
            for (nnf_idx i = 0; i < m; i++) {                                                  \
                ld maxd = 0;                                                                   \
                for (nnf_idx j = 0; j < n; j++)                                                \
                    z[j] = get_##S(&p, i, j);                                                  \
                if (op == 1) {                                                                 \
                    softmax_ld(n, z, q, dd);                                                   \
                    for (nnf_idx j = 0; j < n; j++) {                                          \
                        expect(get_##S(&probs, i, j), q[j],                                    \
                               softmax_tol(q[j], dd[j], n, eps, tiny), "softmax_cce probs",    \
                               i, j);                                                          \
                        ld ad = isfinite(dd[j]) ? fabsl(dd[j]) : 0;                            \
                        maxd = ad > maxd ? ad : maxd;                                          \
                        z[j] = q[j];                                                           \
                    }                                                                          \
                }                                                                              \
                ld conf = 0;                                                                   \
                const ld lo = (T)NNF_CLIP_EPS, hi = (T)(1.0 - NNF_CLIP_EPS);                   \
                for (nnf_idx j = 0; j < n; j++) {                                              \
                    ld v = z[j];                                                               \
                    v = v < lo ? lo : v > hi ? hi : v;                                         \
                    if (onehot)                                                                \
                        conf += v * (ld)get_##S(&oh, i, j);                                    \
                    else if (j == idx[i * idx_s])                                              \
                        conf = v;                                                              \
                }                                                                              \
                ld l = -logl(conf);                                                            \
                ld extra = op == 1 ? (maxd < 40 ? maxd : 40) + 10 + n : 0;                     \
                ld bound = eps * (n + 4 + extra) + 4 * eps * (isfinite(l) ? fabsl(l) : 0);     \
                if (op == 0 && red == NNF_REDUCE_NONE)                                         \
                    expect(get_##S(&loss, 0, i), l, bound, "cce", i, 0);                       \
                total += l;                                                                    \
                btotal += bound;                                                               \
            }                                                                                  \
            free(z);                                                                           \
            if (op == 1 || red == NNF_REDUCE_MEAN)                                             \
                expect(scalar, m ? total / m : NAN, m ? btotal / m : 0, "mean loss", 0, 0);    \
            else if (red == NNF_REDUCE_SUM)                                                    \
                expect(scalar, total, btotal, "summed loss", 0, 0);                            \
        }                                                                                      \
    done:                                                                                      \
        free(p.buf);                                                                           \
        free(oh.buf);                                                                          \
        free(idx);                                                                             \
        free(probs.buf);                                                                       \
        free(loss.buf);                                                                        \
        (void)tiny;                                                                            \
    }

HARNESS(float, f32, 0x1p-23L, 0x1p-126L, VALUES32)
HARNESS(double, f64, 0x1p-52L, 0x1p-1022L, VALUES)

/* ---- training kernels -------------------------------------------------------------- */

/* Regularization factors (a term only when > 0), optimizer hyperparameters. */
static const double REGS[4] = {0.0, 5e-4, 0.5, -1.0};
static const double LRS[4] = {1e-3, 0.05, 0.5, 1.0};
static const double MOMS[4] = {0.0, 0.5, 0.9, 0.99};
static const double OPT_EPS[4] = {1e-7, 1e-8, 1e-3, 1e-5};
static const double RHOS[4] = {0.9, 0.999, 0.0, 0.5};
static const double BETA1[4] = {0.9, 0.5, 0.0, 0.99};
static const double BETA2[4] = {0.999, 0.9, 0.5, 0.0};

#define TRAIN_HARNESS(T, S, EPS, TINY, VALS)                                                   \
    /* An in-place output (m, n) filled with values: an optimizer's parameter or state. */    \
    static void make_state_##S(bytes *b, matrix *x, nnf_idx m, nnf_idx n, int nonneg)         \
    {                                                                                          \
        x->m = m;                                                                              \
        x->n = n;                                                                              \
        layout(b, x, 0);                                                                       \
        allocate(x, sizeof(T));                                                                \
        fill_##S(b, x, VALS, 15);                                                              \
        if (nonneg) /* a cache: sums of squares, as the optimizer leaves it */                 \
            for (size_t e = 0; e < x->elems; e++)                                              \
                ((T *)x->buf)[e] = (T)fabsl((ld)((T *)x->buf)[e]);                              \
    }                                                                                          \
    /* A copy of x in a new allocation, same strides (x is then overwritten in place). */     \
    static matrix keep_copy_##S(const matrix *x)                                               \
    {                                                                                          \
        matrix c = *x;                                                                         \
        c.buf = xmalloc(x->elems * sizeof(T));                                                 \
        memcpy(c.buf, x->buf, x->elems * sizeof(T));                                           \
        c.base = (char *)c.buf + ((char *)x->base - (char *)x->buf);                           \
        return c;                                                                              \
    }                                                                                          \
    static void run_dense_backward_##S(bytes *b, nnf_idx m, nnf_idx n, nnf_idx k)              \
    {                                                                                          \
        const ld eps = EPS, tiny = TINY;                                                       \
        matrix dv, ro = {0}, dr = {0}, x, w, bias = {0}, dw, db, dx = {0};                     \
        unsigned fl = next(b);                                                                 \
        int relu = fl & 1, has_b = (fl >> 1) & 1, has_dx = !((fl >> 2) & 1);                  \
        double reg[4] = {REGS[(fl >> 3) & 3], REGS[(fl >> 5) & 3], 0, 0};                      \
        if (has_b) {                                                                           \
            unsigned r = next(b);                                                              \
            reg[2] = REGS[r & 3];                                                              \
            reg[3] = REGS[(r >> 2) & 3];                                                       \
        }                                                                                      \
        make_##S(b, &dv, m, n, 1);                                                             \
        if (relu) {                                                                            \
            make_##S(b, &ro, m, n, 1);                                                         \
            make_##S(b, &dr, m, n, 0);                                                         \
        }                                                                                      \
        make_##S(b, &x, m, k, 1);                                                              \
        make_##S(b, &w, k, n, 1);                                                              \
        if (has_b)                                                                             \
            make_##S(b, &bias, 1, n, 1);                                                       \
        make_##S(b, &dw, k, n, 0);                                                             \
        make_##S(b, &db, 1, n, 0);                                                             \
        if (has_dx)                                                                            \
            make_##S(b, &dx, m, k, 0);                                                         \
        nnf_status st = nnf_dense_backward_##S(                                                \
            m, k, n, dv.base, dv.rs, dv.cs, relu ? ro.base : NULL, ro.rs, ro.cs,               \
            relu ? dr.base : NULL, dr.rs, dr.cs, x.base, x.rs, x.cs, w.base, w.rs, w.cs,       \
            has_b ? bias.base : NULL, bias.cs, reg, dw.base, dw.rs, dw.cs, db.base, db.cs,     \
            has_dx ? dx.base : NULL, dx.rs, dx.cs);                                            \
        if (st != NNF_OK)                                                                      \
            FAIL("dense_backward returned %d", (int)st);                                       \
        /* the ReLU's backward as nnf_elementwise documents it: b <= 0 ? 0 : a */             \
        ld *g = xmalloc(sizeof(ld) * (size_t)(m * n + 1));                                     \
        for (nnf_idx i = 0; i < m; i++)                                                        \
            for (nnf_idx j = 0; j < n; j++) {                                                  \
                ld v = get_##S(&dv, i, j);                                                     \
                if (relu) {                                                                    \
                    if (get_##S(&ro, i, j) <= 0)                                               \
                        v = 0;                                                                 \
                    expect(get_##S(&dr, i, j), v, 0, "dense_backward drelu", i, j);            \
                }                                                                              \
                g[i * n + j] = v;                                                              \
            }                                                                                  \
        const ld wl1 = (T)reg[0], wl2 = (T)(2 * reg[1]), bl1 = (T)reg[2], bl2 = (T)(2 * reg[3]);\
        nnf_idx step = m * n * k > 100000 ? 13 : 1;                                           \
        for (nnf_idx p = 0; p < k; p = (p + step < k || p == k - 1) ? p + step : k - 1)       \
            for (nnf_idx j = 0; j < n; j++) {                                                  \
                ld s = 0, mag = 0;                                                             \
                for (nnf_idx i = 0; i < m; i++) {                                              \
                    ld xv = get_##S(&x, i, p);                                                 \
                    s += xv * g[i * n + j];                                                    \
                    mag += fabsl(xv) * fabsl(g[i * n + j]);                                    \
                }                                                                              \
                ld wv = get_##S(&w, p, j);                                                     \
                if (reg[0] > 0) {                                                              \
                    s += wv < 0 ? -wl1 : wl1;                                                  \
                    mag += wl1;                                                                \
                }                                                                              \
                if (reg[1] > 0) {                                                              \
                    s += wl2 * wv;                                                             \
                    mag += fabsl(wl2 * wv);                                                    \
                }                                                                              \
                expect(get_##S(&dw, p, j), s,                                                  \
                       (m + 4) * eps * (isfinite(mag) ? mag : 0) + (m + 4) * tiny,             \
                       "dense_backward dw", p, j);                                             \
            }                                                                                  \
        for (nnf_idx j = 0; j < n; j++) {                                                      \
            ld s = 0, mag = 0;                                                                 \
            for (nnf_idx i = 0; i < m; i++) {                                                  \
                s += g[i * n + j];                                                             \
                mag += fabsl(g[i * n + j]);                                                    \
            }                                                                                  \
            if (has_b) {                                                                       \
                ld bv = get_##S(&bias, 0, j);                                                  \
                if (reg[2] > 0) {                                                              \
                    s += bv < 0 ? -bl1 : bl1;                                                  \
                    mag += bl1;                                                                \
                }                                                                              \
                if (reg[3] > 0) {                                                              \
                    s += bl2 * bv;                                                             \
                    mag += fabsl(bl2 * bv);                                                    \
                }                                                                              \
            }                                                                                  \
            expect(get_##S(&db, 0, j), s,                                                      \
                   (m + 4) * eps * (isfinite(mag) ? mag : 0) + (m + 4) * tiny,                 \
                   "dense_backward db", 0, j);                                                 \
        }                                                                                      \
        if (has_dx)                                                                            \
            for (nnf_idx i = 0; i < m; i = (i + step < m || i == m - 1) ? i + step : m - 1)   \
                for (nnf_idx p = 0; p < k; p++) {                                              \
                    ld s = 0, mag = 0;                                                         \
                    for (nnf_idx j = 0; j < n; j++) {                                          \
                        ld wv = get_##S(&w, p, j);                                             \
                        s += g[i * n + j] * wv;                                                \
                        mag += fabsl(g[i * n + j]) * fabsl(wv);                                \
                    }                                                                          \
                    expect(get_##S(&dx, i, p), s,                                              \
                           (n + 2) * eps * (isfinite(mag) ? mag : 0) + (n + 2) * tiny,         \
                           "dense_backward dx", i, p);                                         \
                }                                                                              \
        free(g);                                                                               \
        free(dv.buf);                                                                          \
        free(ro.buf);                                                                          \
        free(dr.buf);                                                                          \
        free(x.buf);                                                                           \
        free(w.buf);                                                                           \
        free(bias.buf);                                                                        \
        free(dw.buf);                                                                          \
        free(db.buf);                                                                          \
        free(dx.buf);                                                                          \
    }                                                                                          \
    /* nnf_elementwise, each op; y sometimes a or b itself (same strides). */                  \
    static void run_elementwise_##S(bytes *b, nnf_idx m, nnf_idx n)                            \
    {                                                                                          \
        const ld eps = EPS, tiny = TINY;                                                       \
        nnf_elementwise op = (nnf_elementwise)(next(b) % 5);                                   \
        unsigned where = next(b) % 3; /* 0: own y, 1: y is a, 2: y is b */                     \
        matrix a, bb = {0}, y, a0, b0 = {0};                                                   \
        make_##S(b, &a, m, n, 1);                                                              \
        if (op != NNF_EW_SIGMOID)                                                              \
            make_##S(b, &bb, m, n, 1);                                                         \
        if (where == 2 && (op == NNF_EW_SIGMOID || bb.rs == 0 || bb.cs == 0))                  \
            where = 0;                                                                         \
        if (where == 1 && (a.rs == 0 || a.cs == 0))                                            \
            where = 0;                                                                         \
        a0 = keep_copy_##S(&a);                                                                \
        if (op != NNF_EW_SIGMOID)                                                              \
            b0 = keep_copy_##S(&bb);                                                           \
        if (where == 0)                                                                        \
            make_##S(b, &y, m, n, 0);                                                          \
        else                                                                                   \
            y = where == 1 ? a : bb;                                                           \
        /* b unused by the sigmoid: NULL */                                                    \
        nnf_elementwise_##S(op, m, n, a.base, a.rs, a.cs,                                      \
                            op == NNF_EW_SIGMOID ? NULL : bb.base, bb.rs, bb.cs, y.base, y.rs, \
                            y.cs);                                                             \
        for (nnf_idx i = 0; i < m; i++) {                                                      \
            ld s = 0, sabs = 0;                                                                \
            if (op == NNF_EW_SOFTMAX_BACKWARD)                                                 \
                for (nnf_idx j = 0; j < n; j++) {                                              \
                    ld av = get_##S(&a0, i, j), bv = get_##S(&b0, i, j);                       \
                    s += av * bv;                                                              \
                    sabs += fabsl(av * bv);                                                    \
                }                                                                              \
            for (nnf_idx j = 0; j < n; j++) {                                                  \
                ld av = get_##S(&a0, i, j), bv = op == NNF_EW_SIGMOID ? 0 : get_##S(&b0, i, j);\
                ld want, bound;                                                                \
                switch (op) {                                                                  \
                case NNF_EW_RELU_BACKWARD:                                                     \
                    want = bv <= 0 ? 0 : av;                                                   \
                    bound = 0;                                                                 \
                    break;                                                                     \
                case NNF_EW_SIGMOID:                                                           \
                    want = 1 / (1 + expl(-av));                                                \
                    bound = 16 * eps * fabsl(want) + 2 * tiny;                                 \
                    break;                                                                     \
                case NNF_EW_SIGMOID_BACKWARD: /* (a * (1 - b)) * b, each rounded */            \
                    want = av * (1 - bv) * bv;                                                 \
                    bound = 4 * eps * fabsl(want) + 4 * tiny * (1 + fabsl(bv));                \
                    break;                                                                     \
                case NNF_EW_SOFTMAX_BACKWARD: /* s off by n eps sum|a b| */                    \
                    want = bv * (av - s);                                                      \
                    bound = fabsl(bv) * ((n + 2) * eps * (isfinite(sabs) ? sabs : 0) +         \
                                         (n + 2) * tiny + 2 * eps * fabsl(av)) +               \
                            2 * eps * (isfinite(want) ? fabsl(want) : 0) + tiny;               \
                    break;                                                                     \
                default:                                                                       \
                    want = av * bv;                                                            \
                    bound = eps * fabsl(want) + tiny;                                          \
                    break;                                                                     \
                }                                                                              \
                expect(get_##S(&y, i, j), want, bound, "elementwise", i, j);                   \
            }                                                                                  \
        }                                                                                      \
        free(a.buf);                                                                           \
        free(bb.buf);                                                                          \
        free(a0.buf);                                                                          \
        free(b0.buf);                                                                          \
        if (where == 0)                                                                        \
            free(y.buf);                                                                       \
    }                                                                                          \
    /* nnf_optimizer_step, each kind, in place; p, g, s1, s2 separate allocations. */          \
    static void run_optimizer_##S(bytes *b, nnf_idx m, nnf_idx n)                              \
    {                                                                                          \
        const ld eps = EPS, tiny = TINY;                                                       \
        unsigned h1 = next(b), h2 = next(b);                                                   \
        nnf_optim_params o = {0};                                                              \
        o.kind = (nnf_optimizer)(h1 % 5);                                                      \
        o.learning_rate = LRS[(h1 >> 3) & 3];                                                  \
        o.momentum = MOMS[(h1 >> 5) & 3];                                                      \
        o.epsilon = OPT_EPS[h2 & 3];                                                           \
        o.rho = RHOS[(h2 >> 2) & 3];                                                           \
        o.beta_1 = BETA1[(h2 >> 4) & 3];                                                       \
        o.beta_2 = BETA2[(h2 >> 6) & 3];                                                       \
        int iters = (int)(next(b) % 4) * 3; /* iterations: 0, 3, 6, 9 */                       \
        o.correction_1 = 1 - pow(o.beta_1, iters + 1);                                         \
        o.correction_2 = 1 - pow(o.beta_2, iters + 1);                                         \
        int has_s1 = o.kind != NNF_OPT_SGD, has_s2 = o.kind == NNF_OPT_ADAM;                   \
        matrix p, g, s1 = {0}, s2 = {0};                                                       \
        make_state_##S(b, &p, m, n, 0);                                                        \
        make_##S(b, &g, m, n, 1);                                                              \
        if (has_s1)                                                                            \
            make_state_##S(b, &s1, m, n,                                                       \
                           o.kind == NNF_OPT_ADAGRAD || o.kind == NNF_OPT_RMSPROP);            \
        if (has_s2)                                                                            \
            make_state_##S(b, &s2, m, n, 1);                                                   \
        matrix p0 = keep_copy_##S(&p), s10 = has_s1 ? keep_copy_##S(&s1) : s1,                 \
               s20 = has_s2 ? keep_copy_##S(&s2) : s2;                                         \
        nnf_optimizer_step_##S(&o, m, n, p.base, p.rs, p.cs, g.base, g.rs, g.cs,               \
                               has_s1 ? s1.base : NULL, s1.rs, s1.cs,                          \
                               has_s2 ? s2.base : NULL, s2.rs, s2.cs);                         \
        /* the hyperparameters rounded to T once, as the kernel documents */                  \
        const ld lr = (T)o.learning_rate, mom = (T)o.momentum, oe = (T)o.epsilon;              \
        const ld rho = (T)o.rho, omr = (T)(1 - o.rho), b1 = (T)o.beta_1,                       \
                 omb1 = (T)(1 - o.beta_1), b2 = (T)o.beta_2, omb2 = (T)(1 - o.beta_2),         \
                 c1 = (T)o.correction_1, c2 = (T)o.correction_2;                               \
        /* underflow in a numerator, amplified by a denominator >= epsilon */                  \
        const ld abs_tiny = 8 * tiny * (1 + 1 / c1) * (1 + lr / oe);                           \
        for (nnf_idx i = 0; i < m; i++)                                                        \
            for (nnf_idx j = 0; j < n; j++) {                                                  \
                ld pv = get_##S(&p0, i, j), gv = get_##S(&g, i, j);                            \
                ld v1 = has_s1 ? get_##S(&s10, i, j) : 0, v2 = has_s2 ? get_##S(&s20, i, j) : 0;\
                ld u = 0, eu = 0, e1 = 0, e2 = 0;                                              \
                switch (o.kind) {                                                              \
                case NNF_OPT_SGD:                                                              \
                    u = -lr * gv;                                                              \
                    eu = eps * fabsl(u);                                                       \
                    break;                                                                     \
                case NNF_OPT_SGD_MOMENTUM:                                                     \
                    u = mom * v1 - lr * gv;                                                    \
                    eu = 2 * eps * (fabsl(mom * v1) + fabsl(lr * gv)) + 2 * tiny;              \
                    v1 = u;                                                                    \
                    e1 = eu;                                                                   \
                    break;                                                                     \
                case NNF_OPT_ADAGRAD:                                                          \
                case NNF_OPT_RMSPROP: {                                                        \
                    v1 = o.kind == NNF_OPT_ADAGRAD ? v1 + gv * gv : rho * v1 + omr * (gv * gv);\
                    e1 = 3 * eps * v1 + 2 * tiny;                                              \
                    u = -lr * gv / (sqrtl(v1) + oe);                                           \
                    eu = 8 * eps * fabsl(u) + abs_tiny;                                        \
                    break;                                                                     \
                }                                                                              \
                default: { /* Adam */                                                          \
                    v1 = b1 * v1 + omb1 * gv;                                                  \
                    e1 = 2 * eps * (fabsl(b1 * get_##S(&s10, i, j)) + fabsl(omb1 * gv)) +      \
                         2 * tiny;                                                             \
                    v2 = b2 * v2 + omb2 * (gv * gv);                                           \
                    e2 = 3 * eps * v2 + 2 * tiny;                                              \
                    ld den = sqrtl(v2 / c2) + oe;                                              \
                    u = -lr * (v1 / c1) / den;                                                 \
                    eu = lr * (isfinite(e1) ? e1 : 0) / c1 / den + 10 * eps * fabsl(u) +       \
                         abs_tiny;                                                             \
                    break;                                                                     \
                }                                                                              \
                }                                                                              \
                ld want = pv + u;                                                              \
                if (!isfinite(eu))                                                             \
                    eu = 0;                                                                    \
                expect(get_##S(&p, i, j), want,                                                \
                       eu + 2 * eps * (fabsl(pv) + (isfinite(u) ? fabsl(u) : 0)) + tiny,       \
                       "optimizer p", i, j);                                                   \
                if (has_s1)                                                                    \
                    expect(get_##S(&s1, i, j), v1, isfinite(e1) ? e1 : 0, "optimizer s1", i, j);\
                if (has_s2)                                                                    \
                    expect(get_##S(&s2, i, j), v2, isfinite(e2) ? e2 : 0, "optimizer s2", i, j);\
            }                                                                                  \
        free(p.buf);                                                                           \
        free(p0.buf);                                                                          \
        free(g.buf);                                                                           \
        if (has_s1) {                                                                          \
            free(s1.buf);                                                                      \
            free(s10.buf);                                                                     \
        }                                                                                      \
        if (has_s2) {                                                                          \
            free(s2.buf);                                                                      \
            free(s20.buf);                                                                     \
        }                                                                                      \
    }                                                                                          \
    static nnf_idx argmax_##S(const matrix *x, nnf_idx i, nnf_idx n)                           \
    {                                                                                          \
        nnf_idx am = 0;                                                                        \
        for (nnf_idx j = 0; j < n; j++) {                                                      \
            T v = get_##S(x, i, j), best = get_##S(x, i, am);                                  \
            if (!isnan(best) && (isnan(v) || v > best))                                        \
                am = j;                                                                        \
        }                                                                                      \
        return am;                                                                             \
    }                                                                                          \
    /* Class labels for row i as the backward kernels read them: idx, or the first maximum   \
     * (or first NaN) of the one-hot row, as numpy.argmax; -1 when out of range. */            \
    static nnf_idx label_##S(nnf_idx i, nnf_idx n, const int64_t *idx, nnf_idx idx_s,          \
                             const matrix *oh)                                                 \
    {                                                                                          \
        if (idx)                                                                               \
            return (idx[i * idx_s] < 0 || idx[i * idx_s] >= n) ? -1 : (nnf_idx)idx[i * idx_s]; \
        return n ? argmax_##S(oh, i, n) : -1;                                                  \
    }                                                                                          \
    /* Labels (m) for an (m, n) problem: one-hot rows (values incl. NaN) or int64 indices,    \
     * sometimes out of range; returns the first row whose label is out of range, or -1. */   \
    static nnf_idx make_labels_##S(bytes *b, nnf_idx m, nnf_idx n, matrix *oh, int64_t **idx,  \
                                   nnf_idx *idx_s)                                             \
    {                                                                                          \
        *idx = NULL;                                                                           \
        *idx_s = 1 + next(b) % 2;                                                              \
        if (next(b) & 1) {                                                                     \
            oh->m = m;                                                                         \
            oh->n = n;                                                                         \
            layout(b, oh, 1);                                                                  \
            allocate(oh, sizeof(T));                                                           \
            fill_##S(b, oh, ONEHOT, 7);                                                        \
        } else {                                                                               \
            *idx = xmalloc(sizeof(int64_t) * (size_t)(m * *idx_s + 1));                        \
            for (nnf_idx i = 0; i < m * *idx_s; i++) {                                         \
                unsigned v = next(b);                                                          \
                (*idx)[i] = v == 255 ? -1 : v == 254 ? INT64_MIN : v == 253 ? n : (n ? v % n : 0);\
            }                                                                                  \
        }                                                                                      \
        for (nnf_idx i = 0; i < m; i++)                                                        \
            if (label_##S(i, n, *idx, *idx_s, oh) < 0)                                         \
                return i;                                                                      \
        return -1;                                                                             \
    }                                                                                          \
    /* nnf_softmax_cce_backward with and without the loss / accuracy; d sometimes p itself. */ \
    static void run_softmax_cce_backward_##S(bytes *b, nnf_idx m, nnf_idx n)                   \
    {                                                                                          \
        const ld eps = EPS, tiny = TINY;                                                       \
        matrix p, p0, oh = {0}, d;                                                             \
        int64_t *idx;                                                                          \
        nnf_idx idx_s;                                                                         \
        unsigned fl = next(b);                                                                 \
        int stats = fl & 1, in_place = (fl >> 1) & 1;                                          \
        make_##S(b, &p, m, n, 1);                                                              \
        nnf_idx first_bad = make_labels_##S(b, m, n, &oh, &idx, &idx_s);                       \
        if (p.rs == 0 || p.cs == 0)                                                            \
            in_place = 0;                                                                      \
        p0 = keep_copy_##S(&p);                                                                \
        if (in_place)                                                                          \
            d = p;                                                                             \
        else                                                                                   \
            make_##S(b, &d, m, n, 0);                                                          \
        double loss_sum = NAN;                                                                 \
        nnf_idx correct = -7, bad = -7;                                                        \
        nnf_status st = nnf_softmax_cce_backward_##S(                                          \
            m, n, p.base, p.rs, p.cs, idx, idx_s, idx ? NULL : oh.base, oh.rs, oh.cs, d.base,  \
            d.rs, d.cs, stats ? &loss_sum : NULL, stats ? &correct : NULL, &bad);              \
        if (first_bad >= 0) {                                                                  \
            if (st != NNF_ELABEL || bad != first_bad)                                          \
                FAIL("softmax_cce_backward: label of row %td out of range: status %d, bad "   \
                     "row %td", first_bad, (int)st, bad);                                      \
        } else {                                                                               \
            if (st != NNF_OK)                                                                  \
                FAIL("softmax_cce_backward returned %d", (int)st);                             \
            ld total = 0, tbound = 0;                                                          \
            nnf_idx hits = 0;                                                                  \
            const T lo = (T)NNF_CLIP_EPS, hi = (T)(1.0 - NNF_CLIP_EPS);                        \
            for (nnf_idx i = 0; i < m; i++) {                                                  \
                nnf_idx y = label_##S(i, n, idx, idx_s, &oh);                                  \
                for (nnf_idx j = 0; j < n; j++) {                                              \
                    ld pv = get_##S(&p0, i, j), want = (j == y ? pv - 1 : pv) / (T)m;          \
                    expect(get_##S(&d, i, j), want, 2 * eps * fabsl(want) + tiny,              \
                           "softmax_cce_backward d", i, j);                                    \
                }                                                                              \
                T c = get_##S(&p0, i, y);                                                      \
                c = c < lo ? lo : c > hi ? hi : c; /* clipped in T, NaN kept */                 \
                ld l = -logl(c);                                                               \
                total += l;                                                                    \
                tbound += 2 * eps * fabsl(l) + 0x1p-52L * fabsl(total);                        \
                hits += argmax_##S(&p0, i, n) == y;                                            \
            }                                                                                  \
            if (stats) {                                                                       \
                expect(loss_sum, total, tbound, "softmax_cce_backward loss_sum", 0, 0);        \
                if (correct != hits)                                                           \
                    FAIL("softmax_cce_backward counted %td correct, expected %td", correct,    \
                         hits);                                                                \
            }                                                                                  \
        }                                                                                      \
        free(p.buf);                                                                           \
        free(p0.buf);                                                                          \
        if (!in_place)                                                                         \
            free(d.buf);                                                                       \
        free(oh.buf);                                                                          \
        free(idx);                                                                             \
    }                                                                                          \
    /* nnf_cce_backward: d = -y_true / dv / m, the quotient rounded to T (it overflows where \
     * dv is denormal). */                                                                     \
    static void run_cce_backward_##S(bytes *b, nnf_idx m, nnf_idx n)                           \
    {                                                                                          \
        const ld eps = EPS, tiny = TINY;                                                       \
        matrix dv, oh = {0}, d;                                                                \
        int64_t *idx;                                                                          \
        nnf_idx idx_s;                                                                         \
        make_##S(b, &dv, m, n, 1);                                                             \
        nnf_idx first_bad = make_labels_##S(b, m, n, &oh, &idx, &idx_s);                       \
        if (!idx) /* one-hot rows are used as they are: no label to be out of range */        \
            first_bad = -1;                                                                    \
        make_##S(b, &d, m, n, 0);                                                              \
        nnf_idx bad = -7;                                                                      \
        nnf_status st = nnf_cce_backward_##S(m, n, dv.base, dv.rs, dv.cs, idx, idx_s,          \
                                             idx ? NULL : oh.base, oh.rs, oh.cs, d.base, d.rs, \
                                             d.cs, &bad);                                      \
        if (first_bad >= 0) {                                                                  \
            if (st != NNF_ELABEL || bad != first_bad)                                          \
                FAIL("cce_backward: label of row %td out of range: status %d, bad row %td",   \
                     first_bad, (int)st, bad);                                                 \
        } else {                                                                               \
            if (st != NNF_OK)                                                                  \
                FAIL("cce_backward returned %d", (int)st);                                     \
            for (nnf_idx i = 0; i < m; i++)                                                    \
                for (nnf_idx j = 0; j < n; j++) {                                              \
                    ld t = idx ? (ld)(j == (nnf_idx)idx[i * idx_s]) : (ld)get_##S(&oh, i, j);  \
                    ld want = (ld)(T)(-t / (ld)get_##S(&dv, i, j)) / (T)m;                     \
                    expect(get_##S(&d, i, j), want, 2 * eps * fabsl(want) + tiny,              \
                           "cce_backward", i, j);                                              \
                }                                                                              \
        }                                                                                      \
        free(dv.buf);                                                                          \
        free(d.buf);                                                                           \
        free(oh.buf);                                                                          \
        free(idx);                                                                             \
    }                                                                                          \
    /* The prediction clipped as np.clip in T, and 1 - it rounded to T. */                     \
    static void bclip_##S(ld p, ld *c, ld *one_m_c)                                            \
    {                                                                                          \
        const T lo = (T)NNF_CLIP_EPS, hi = (T)(1.0 - NNF_CLIP_EPS);                            \
        T v = (T)p;                                                                            \
        v = v < lo ? lo : v > hi ? hi : v;                                                     \
        *c = v;                                                                                \
        *one_m_c = (T)(1 - v);                                                                 \
    }                                                                                          \
    /* nnf_pair_loss (op 0) and nnf_pair_loss_backward (op 1), each kind. */                   \
    static void run_pair_loss_##S(bytes *b, int op, nnf_idx m, nnf_idx n)                      \
    {                                                                                          \
        const ld eps = EPS, tiny = TINY;                                                       \
        unsigned fl = next(b);                                                                 \
        nnf_pair_loss kind = (nnf_pair_loss)(fl % 3);                                          \
        nnf_reduction red = (nnf_reduction)((fl >> 2) % 3);                                    \
        matrix p, t, d = {0}, loss = {0};                                                      \
        make_##S(b, &p, m, n, 1);                                                              \
        make_##S(b, &t, m, n, 1);                                                              \
        T scalar = (T)-7;                                                                      \
        if (op == 1) {                                                                         \
            make_##S(b, &d, m, n, 0);                                                          \
            nnf_pair_loss_backward_##S(kind, m, n, p.base, p.rs, p.cs, t.base, t.rs, t.cs,     \
                                       d.base, d.rs, d.cs);                                    \
        } else {                                                                               \
            if (red == NNF_REDUCE_NONE)                                                        \
                make_##S(b, &loss, 1, m, 0);                                                   \
            nnf_pair_loss_##S(kind, m, n, p.base, p.rs, p.cs, t.base, t.rs, t.cs, red,         \
                              red == NNF_REDUCE_NONE ? loss.base : &scalar, loss.cs);          \
        }                                                                                      \
        ld total = 0, tbound = 0, tabs = 0;                                                    \
        for (nnf_idx i = 0; i < m; i++) {                                                      \
            ld s = 0, sabs = 0, sb = 0;                                                        \
            for (nnf_idx j = 0; j < n; j++) {                                                  \
                ld pv = get_##S(&p, i, j), tv = get_##S(&t, i, j), c, omc, want, bound;        \
                bclip_##S(pv, &c, &omc);                                                       \
                if (isnan(pv))                                                                 \
                    c = omc = pv;                                                              \
                ld omt = (T)(1 - tv); /* 1 - t rounded to T */                                 \
                if (op == 0) {                                                                 \
                    if (kind == NNF_LOSS_BCE) {                                                \
                        ld u = tv * logl(c), v = omt * logl(omc);                              \
                        want = -(u + v);                                                       \
                        bound = 6 * eps * (fabsl(u) + fabsl(v)) + 4 * tiny;                    \
                    } else if (kind == NNF_LOSS_MSE) {                                         \
                        want = (tv - pv) * (tv - pv);                                          \
                        bound = 3 * eps * want + 2 * tiny;                                     \
                    } else {                                                                   \
                        want = fabsl(tv - pv);                                                 \
                        bound = eps * want + tiny;                                             \
                    }                                                                          \
                    s += want;                                                                 \
                    sabs += fabsl(want);                                                       \
                    sb += isfinite(bound) ? bound : 0;                                         \
                    continue;                                                                  \
                }                                                                              \
                if (kind == NNF_LOSS_BCE) {                                                    \
                    ld u = tv / c, v = omt / omc;                                              \
                    want = -(u - v) / (T)n / (T)m;                                             \
                    bound = (4 * eps * (fabsl(u) + fabsl(v)) + 4 * tiny) / n / m +             \
                            3 * eps * (isfinite(want) ? fabsl(want) : 0) + tiny;               \
                } else if (kind == NNF_LOSS_MSE) {                                             \
                    want = -2 * (tv - pv) / (T)n / (T)m;                                       \
                    bound = 4 * eps * fabsl(want) + 2 * tiny;                                  \
                } else {                                                                       \
                    ld diff = pv - tv;                                                         \
                    want = (diff > 0 ? 1 : diff < 0 ? -1 : diff == 0 ? 0 : diff) / (T)n / (T)m;\
                    bound = 2 * eps * fabsl(want) + tiny;                                      \
                }                                                                              \
                expect(get_##S(&d, i, j), want, bound, "pair_loss_backward", i, j);            \
            }                                                                                  \
            if (op == 1)                                                                       \
                continue;                                                                      \
            ld l = s / (T)n;                                                                   \
            ld lb = ((n + 2) * eps * (isfinite(sabs) ? sabs : 0) + sb) / (n ? n : 1) +         \
                    eps * (isfinite(l) ? fabsl(l) : 0) + tiny;                                 \
            if (red == NNF_REDUCE_NONE)                                                        \
                expect(get_##S(&loss, 0, i), l, lb, "pair_loss", i, 0);                        \
            total += l;                                                                        \
            tbound += lb;                                                                      \
            tabs += isfinite(l) ? fabsl(l) : 0;                                                \
        }                                                                                      \
        if (op == 0 && red != NNF_REDUCE_NONE) {                                               \
            ld want = red == NNF_REDUCE_SUM ? total : m ? total / m : NAN;                     \
            ld bound = (tbound + m * 0x1p-52L * tabs) / (red == NNF_REDUCE_SUM || !m ? 1 : m); \
            expect(scalar, want, bound + eps * (isfinite(want) ? fabsl(want) : 0) + tiny,     \
                   red == NNF_REDUCE_SUM ? "summed pair_loss" : "mean pair_loss", 0, 0);      \
        }                                                                                      \
        free(p.buf);                                                                           \
        free(t.buf);                                                                           \
        free(d.buf);                                                                           \
        free(loss.buf);                                                                        \
    }                                                                                          \
    /* nnf_dropout: bm = mask / keep, y = x * bm; the mask any strides (zero too). */         \
    static void run_dropout_##S(bytes *b, nnf_idx m, nnf_idx n)                                \
    {                                                                                          \
        const ld eps = EPS, tiny = TINY;                                                       \
        static const double KEEPS[4] = {0.5, 0.9, 1.0, 0.1};                                   \
        double keep = KEEPS[next(b) % 4];                                                      \
        matrix x, mk = {0}, bm, y;                                                             \
        make_##S(b, &x, m, n, 1);                                                              \
        mk.m = m;                                                                              \
        mk.n = n;                                                                              \
        layout(b, &mk, 1);                                                                     \
        allocate(&mk, sizeof(int64_t));                                                        \
        for (size_t e = 0; e < mk.elems; e++)                                                  \
            ((int64_t *)mk.buf)[e] = next(b) & 1;                                              \
        make_##S(b, &bm, m, n, 0);                                                             \
        make_##S(b, &y, m, n, 0);                                                              \
        nnf_dropout_##S(m, n, x.base, x.rs, x.cs, mk.base, mk.rs, mk.cs, keep, bm.base, bm.rs, \
                        bm.cs, y.base, y.rs, y.cs);                                            \
        for (nnf_idx i = 0; i < m; i++)                                                        \
            for (nnf_idx j = 0; j < n; j++) {                                                  \
                ld mv = ((const int64_t *)mk.base)[i * mk.rs + j * mk.cs];                     \
                ld s = mv / (ld)(T)keep, want = get_##S(&x, i, j) * s;                         \
                expect(get_##S(&bm, i, j), s, eps * s, "dropout mask", i, j);                  \
                expect(get_##S(&y, i, j), want, 2 * eps * fabsl(want) + tiny, "dropout", i, j);\
            }                                                                                  \
        free(x.buf);                                                                           \
        free(mk.buf);                                                                          \
        free(bm.buf);                                                                          \
        free(y.buf);                                                                           \
    }                                                                                          \
    /* nnf_regularization_loss: l1 sum|x| + l2 sum x^2, summed in double. */                   \
    static void run_regularization_##S(bytes *b, nnf_idx m, nnf_idx n)                         \
    {                                                                                          \
        unsigned fl = next(b);                                                                 \
        double l1 = REGS[fl & 3], l2 = REGS[(fl >> 2) & 3];                                    \
        matrix x;                                                                              \
        make_##S(b, &x, m, n, 1);                                                              \
        double got = nnf_regularization_loss_##S(m, n, x.base, x.rs, x.cs, l1, l2);            \
        ld sa = 0, sq = 0;                                                                     \
        for (nnf_idx i = 0; i < m; i++)                                                        \
            for (nnf_idx j = 0; j < n; j++) {                                                  \
                ld v = get_##S(&x, i, j);                                                      \
                sa += fabsl(v);                                                                \
                sq += v * v;                                                                   \
            }                                                                                  \
        ld want = 0, mag = 0;                                                                  \
        if (l1 > 0) {                                                                          \
            want += l1 * sa;                                                                   \
            mag += l1 * sa;                                                                    \
        }                                                                                      \
        if (l2 > 0) {                                                                          \
            want += l2 * sq;                                                                   \
            mag += l2 * sq;                                                                    \
        }                                                                                      \
        expect(got, want, (m * n + 4) * 0x1p-52L * (isfinite(mag) ? mag : 0) +                \
                              (m * n + 4) * 0x1p-1022L,                                        \
               "regularization_loss", 0, 0);                                                   \
        free(x.buf);                                                                           \
    }

TRAIN_HARNESS(float, f32, 0x1p-23L, 0x1p-126L, VALUES32)
TRAIN_HARNESS(double, f64, 0x1p-52L, 0x1p-1022L, VALUES)

#define N_TRAIN_OPS 10

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    bytes b = {data, size};
    /* op codes 0-127 keep their first meaning (the forward kernels, code % 8); 128-255 are
     * the training kernels */
    unsigned code = next(&b), flags = next(&b);
    unsigned op = code < 128 ? code % 8 : 8 + (code - 128) % N_TRAIN_OPS;
    static const char *const isas[] = {"generic", "avx2", "avx512"};
    if (nnf_isa_select(isas[(flags >> 1) % 3]) != 0)
        nnf_isa_select("generic");
    nnf_idx m = next(&b) % 40, n = next(&b) % 40, k = next(&b) % 40;
    if ((flags >> 5) == 7 && (next(&b) & 3) == 0) { /* big enough to be split over threads */
        static int threads;
        int want = 1 + (flags >> 3) % 3;
        if (want != threads) { /* restarts the pool: only here, it costs thread creations */
            nnf_set_num_threads(want);
            threads = want;
        }
        m = 104 + (nnf_idx)(next(&b) % 24);
        n = 104 + (nnf_idx)(next(&b) % 24);
        k = 104 + (nnf_idx)(next(&b) % 24);
    }
    int f64 = flags & 1;
    switch (op) {
    case 0: case 1:
        f64 ? run_dense_f64(&b, m, n, k) : run_dense_f32(&b, m, n, k);
        break;
    case 2: case 3: case 4: /* relu, copy, softmax */
        f64 ? run_unary_f64(&b, (int)op - 2, m, n) : run_unary_f32(&b, (int)op - 2, m, n);
        break;
    case 5: case 6: case 7: /* cce, softmax_cce, accuracy */
        f64 ? run_loss_f64(&b, (int)op - 5, m, n) : run_loss_f32(&b, (int)op - 5, m, n);
        break;
    case 8:
        f64 ? run_dense_backward_f64(&b, m, n, k) : run_dense_backward_f32(&b, m, n, k);
        break;
    case 9:
        f64 ? run_optimizer_f64(&b, m, n) : run_optimizer_f32(&b, m, n);
        break;
    case 10:
        f64 ? run_softmax_cce_backward_f64(&b, m, n) : run_softmax_cce_backward_f32(&b, m, n);
        break;
    case 11:
        f64 ? run_elementwise_f64(&b, m, n) : run_elementwise_f32(&b, m, n);
        break;
    case 12:
        f64 ? run_cce_backward_f64(&b, m, n) : run_cce_backward_f32(&b, m, n);
        break;
    case 13: case 14: /* pair_loss, its backward */
        f64 ? run_pair_loss_f64(&b, (int)op - 13, m, n) : run_pair_loss_f32(&b, (int)op - 13, m, n);
        break;
    case 15:
        f64 ? run_dropout_f64(&b, m, n) : run_dropout_f32(&b, m, n);
        break;
    default:
        f64 ? run_regularization_f64(&b, m, n) : run_regularization_f32(&b, m, n);
        break;
    }
    return 0;
}
