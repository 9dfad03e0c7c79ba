/* fuzz_kernels.c: libFuzzer harness for nnfast's C core on its own (no Python).
 *
 * Each input is decoded into one kernel call: which kernel (dense with each activation,
 * relu, copy, softmax, cce with each reduction, softmax_cce, accuracy), float32 or float64,
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    bytes b = {data, size};
    unsigned op = next(&b) % 8, flags = next(&b);
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
    default: /* cce, softmax_cce, accuracy */
        f64 ? run_loss_f64(&b, (int)op - 5, m, n) : run_loss_f32(&b, (int)op - 5, m, n);
        break;
    }
    return 0;
}
