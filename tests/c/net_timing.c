/* net_timing.c: where a network's epoch goes. For each of two float64 networks it times an
 * epoch of nnf_net_train, then the same epoch's kernels called alone, one after another on
 * buffers of their own (the kernels' own work), each kernel's share printed:
 *
 *   spiral      300 x 2 -> 64 -> ReLU -> 3 softmax + cross-entropy, Adam, full batch
 *   chapter18   3000 x 2 -> 512 (L2 5e-4 on weights and biases) -> ReLU -> Dropout(0.1, its
 *               own stream) -> 3 softmax + cross-entropy, Adam(0.05, decay 5e-5), full batch
 *
 * and one float32 network in batches, its step's kernels against its 8 products alone
 * (nnf_dense on the same shapes, as nnfast.dot computes them: the benchmark's GEMM bound):
 *
 *   mlp         20000 x 784 -> 128 -> ReLU -> 128 -> ReLU -> 10 softmax + cross-entropy,
 *               Adam, batches of 128 (benchmarks/network.py's MLP)
 *
 * Usage: net_timing [REPEATS [THREADS [NAME]]]  (default 5 repeats of each measurement, the
 * best kept; threads: the default, or 0; NAME: that network alone). A speed tool, not a
 * test: tests/test_c_library.py runs it once, small, so that it keeps building and running.
 * Times are per epoch in microseconds. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#define PROGRAM "net_timing"
#include "check.h"

static double now_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e6 + (double)t.tv_nsec * 1e-3;
}

typedef struct {
    const char *name;
    nnf_idx samples, hidden;
    double l2, rate, learning_rate, decay;
    int epochs; /* per measurement */
} model;

/* The data: inputs uniform in [-1, 1) from a fixed seed, labels i % 3. */
static void data(nnf_idx n, double *x, int64_t *y)
{
    uint64_t s = 12345;
    for (nnf_idx i = 0; i < 2 * n; i++) {
        s = s * 6364136223846793005u + 1442695040888963407u;
        x[i] = (double)(s >> 11) * 0x1.0p-52 - 1;
    }
    for (nnf_idx i = 0; i < n; i++)
        y[i] = i % 3;
}

static nnf_net *build(const model *md)
{
    nnf_net *net = NULL;
    CHECK(nnf_net_new(NNF_F64, 2, &net));
    CHECK(nnf_net_add_dense(net, md->hidden, 0, md->l2, 0, md->l2));
    CHECK(nnf_net_add_activation(net, NNF_LAYER_RELU));
    if (md->rate > 0)
        CHECK(nnf_net_add_dropout(net, md->rate));
    nnf_net_optimizer adam = nnf_net_optimizer_defaults(NNF_OPT_ADAM);
    adam.learning_rate = md->learning_rate;
    adam.decay = md->decay;
    add_classifier_head(net, 3, &adam);
    if (md->rate > 0)
        CHECK(nnf_net_set_dropout_stream(net, 2, 7, 0));
    nnf_net_init_weights(net, 1);
    return net;
}

/* The best of `repeats` measurements of md->epochs epochs of nnf_net_train, per epoch. */
static double time_train(const model *md, const double *x, const int64_t *y, int repeats)
{
    nnf_net *net = build(md);
    nnf_net_data d = {.n = md->samples, .x = x, .x_rs = 2, .x_cs = 1, .labels = y,
                      .labels_s = 1};
    nnf_net_train_options o = {.epochs = 1};
    CHECK(nnf_net_train(net, &d, &o)); /* buffers allocated */
    o.epochs = md->epochs;
    double best = 1e300;
    for (int r = 0; r < repeats; r++) {
        double t0 = now_us();
        CHECK(nnf_net_train(net, &d, &o));
        double t = (now_us() - t0) / md->epochs;
        best = t < best ? t : best;
    }
    nnf_net_free(net);
    return best;
}

enum { K_DENSE1, K_DROPOUT, K_DENSE2, K_LOSS, K_REG, K_BACK2, K_DINPUTS2, K_DROPOUT_BACK,
       K_BACK1, K_PAIR, K_ADAM, K_COUNT };
static const char *const kernel_names[K_COUNT] = {
    "dense 1 + ReLU", "relu_dropout_philox_rows", "dense 2 + softmax", "softmax_cce_backward",
    "regularization_loss", "dense_backward 2", "dinputs 2 (nnf_dense)", "relu_dropout_backward",
    "dense_backward 1 (+ ReLU)", "dense_relu_dense_backward", "Adam (4 arrays)"};

/* n zeroed elements of `size` bytes, or the program exits. */
static void *zeroed(size_t n, size_t size)
{
    void *p = calloc(n, size);
    if (!p) {
        fprintf(stderr, "net_timing: out of memory\n");
        exit(1);
    }
    return p;
}

static double *zeros(size_t n) { return zeroed(n, sizeof(double)); }

#define TIMED(k, ...)                                                                          \
    do {                                                                                       \
        double t0_ = now_us();                                                                 \
        __VA_ARGS__;                                                                           \
        spent[k] += now_us() - t0_;                                                            \
    } while (0)

/* The best of `repeats` measurements of an epoch's kernels called alone, per epoch; each
 * kernel's time of the best measurement in share (K_COUNT). With dropout, the kernels the
 * network calls (csrc/net/blocks.inc): the forward pass from dense 1 to dense 2 and the
 * backward pass's dinputs 2 to the dropout's and ReLU's backward a block of BLOCK_ROWS rows at
 * a time, so that the block's arrays stay in cache between the kernels. */
enum { BLOCK_ROWS = 64 };
static double time_kernels(const model *md, const double *x, const int64_t *y, int repeats,
                           double *share)
{
    const nnf_idx m = md->samples, h = md->hidden;
    const size_t mh = (size_t)(m * h);
    double *w1 = zeros((size_t)(2 * h)), *b1 = zeros((size_t)h), *w2 = zeros((size_t)(h * 3));
    double *b2 = zeros(3), *dw1 = zeros((size_t)(2 * h)), *db1 = zeros((size_t)h);
    double *dw2 = zeros((size_t)(h * 3)), *db2 = zeros(3);
    double *s1[4] = {zeros((size_t)(2 * h)), zeros((size_t)h), zeros((size_t)(h * 3)), zeros(3)};
    double *s2[4] = {zeros((size_t)(2 * h)), zeros((size_t)h), zeros((size_t)(h * 3)), zeros(3)};
    double *out1 = zeros(mh), *outd = zeros(mh), *out2 = zeros((size_t)m * 3);
    double *d2 = zeros((size_t)m * 3);
    double *block = zeros((size_t)(2 * BLOCK_ROWS * h)); /* the largest block's rows */
    double *gblock = zeros((size_t)(2 * BLOCK_ROWS * h)), *sums = zeros((size_t)(5 * (h + 16)));
    uint8_t *bits = zeroed(mh, 1);
    for (nnf_idx i = 0; i < 2 * h; i++)
        w1[i] = 0.01 * (double)((i * 7919) % 200 - 100) / 100;
    for (nnf_idx i = 0; i < 3 * h; i++)
        w2[i] = 0.01 * (double)((i * 104729) % 200 - 100) / 100;
    const double reg1[4] = {0, md->l2, 0, md->l2}, reg2[4] = {0, 0, 0, 0};
    const int dropout = md->rate > 0;
    const double *in2 = dropout ? outd : out1;
    double best = 1e300;
    for (int r = 0; r <= repeats; r++) { /* r = 0: warm-up */
        double spent[K_COUNT] = {0};
        double t0 = now_us();
        for (int e = 0; e < md->epochs; e++) {
            nnf_idx correct, bad;
            double loss_sum, reg = 0;
            const nnf_idx blocks = m / BLOCK_ROWS > 0 ? m / BLOCK_ROWS : 1;
            if (dropout)
                for (nnf_idx b = 0; b < blocks; b++) { /* the last block takes the rest */
                    const nnf_idx r0 = b * BLOCK_ROWS, r = b + 1 == blocks ? m - r0 : BLOCK_ROWS;
                    TIMED(K_DENSE1, nnf_dense_f64(r, h, 2, x + 2 * r0, 2, 1, w1, h, 1, b1, 1,
                                                  NNF_ACT_RELU, block, h, 1));
                    TIMED(K_DROPOUT, nnf_relu_dropout_philox_rows_f64(
                                         r0, r, h, block, h, 7, (uint64_t)e, 1 - md->rate,
                                         bits + r0 * h, h, outd + r0 * h, h));
                    TIMED(K_DENSE2, nnf_dense_f64(r, 3, h, outd + r0 * h, h, 1, w2, 3, 1, b2, 1,
                                                  NNF_ACT_SOFTMAX, out2 + 3 * r0, 3, 1));
                }
            else {
                TIMED(K_DENSE1, nnf_dense_f64(m, h, 2, x, 2, 1, w1, h, 1, b1, 1, NNF_ACT_RELU,
                                              out1, h, 1));
                TIMED(K_DENSE2, nnf_dense_f64(m, 3, h, out1, h, 1, w2, 3, 1, b2, 1,
                                              NNF_ACT_SOFTMAX, out2, 3, 1));
            }
            TIMED(K_LOSS, nnf_softmax_cce_backward_f64(m, 3, out2, 3, 1, y, 1, NULL, 0, 0, d2,
                                                       3, 1, &loss_sum, &correct, &bad));
            if (md->l2 > 0)
                TIMED(K_REG, reg += nnf_regularization_loss_f64(2, h, w1, h, 1, 0, md->l2) +
                                    nnf_regularization_loss_f64(1, h, b1, h, 1, 0, md->l2));
            /* with dropout, layer 1's gradient a block at a time, summed into dw1 and db1 at
             * once (one thread's path); else both layers' backward in one sweep (one task's
             * path: dinputs 2 never stored) */
            if (dropout) {
                TIMED(K_BACK2, nnf_dense_backward_f64(m, h, 3, d2, 3, 1, NULL, 0, 0, NULL, 0, 0,
                                                      in2, h, 1, w2, 3, 1, b2, 1, reg2, dw2, 3,
                                                      1, db2, 1, NULL, 0, 0));
                memset(sums, 0, sizeof(double) * (size_t)(5 * (h + 16)));
                for (nnf_idx b = 0; b < blocks; b++) {
                    const nnf_idx r0 = b * BLOCK_ROWS, r = b + 1 == blocks ? m - r0 : BLOCK_ROWS;
                    TIMED(K_DINPUTS2, nnf_dense_f64(r, h, 3, d2 + 3 * r0, 3, 1, w2, 1, 3, NULL, 0,
                                                    NNF_ACT_NONE, block, h, 1));
                    TIMED(K_DROPOUT_BACK, nnf_relu_dropout_backward_f64(
                                              r, h, block, h, bits + r0 * h, h, 1 - md->rate,
                                              gblock, h));
                    TIMED(K_BACK1, nnf_dense_backward_rows_f64(m, 2, h, r0, r0 + r, gblock, h, x,
                                                               2, 1, w1, b1, reg1, sums, dw1,
                                                               db1));
                }
            } else
                TIMED(K_PAIR, nnf_dense_relu_dense_backward_f64(m, 2, h, 3, x, 2, 1, out1, h, d2,
                                                                3, w1, b1, reg1, w2, b2, reg2,
                                                                dw1, db1, dw2, db2));
            nnf_optim_params p = {NNF_OPT_ADAM, .learning_rate = md->learning_rate,
                                  .epsilon = 1e-7, .beta_1 = 0.9, .beta_2 = 0.999,
                                  .correction_1 = 0.5, .correction_2 = 0.5};
            TIMED(K_ADAM, {
                nnf_optimizer_step_f64(&p, 2, h, w1, h, 1, dw1, h, 1, s1[0], h, 1, s2[0], h, 1);
                nnf_optimizer_step_f64(&p, 1, h, b1, h, 1, db1, h, 1, s1[1], h, 1, s2[1], h, 1);
                nnf_optimizer_step_f64(&p, h, 3, w2, 3, 1, dw2, 3, 1, s1[2], 3, 1, s2[2], 3, 1);
                nnf_optimizer_step_f64(&p, 1, 3, b2, 3, 1, db2, 3, 1, s1[3], 3, 1, s2[3], 3, 1);
            });
            (void)reg;
        }
        double t = (now_us() - t0) / md->epochs;
        if (r > 0 && t < best) {
            best = t;
            for (int k = 0; k < K_COUNT; k++)
                share[k] = spent[k] / md->epochs;
        }
    }
    double *all[] = {w1, b1, w2, b2, dw1, db1, dw2, db2, s1[0], s1[1], s1[2], s1[3], s2[0],
                     s2[1], s2[2], s2[3], out1, outd, out2, d2, block, gblock, sums};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        free(all[i]);
    free(bits);
    return best;
}

/* The MLP: its epoch through nnf_net_train, and one step's kernels alone (per epoch: times
 * the steps), next to the step's 8 products alone. */
enum { M_SAMPLES = 20000, M_BATCH = 128, M_IN = 784, M_H = 128, M_OUT = 10 };
enum { Q_DENSE1, Q_DENSE2, Q_DENSE3, Q_LOSS, Q_BACK3, Q_BACK2, Q_BACK1, Q_ADAM, Q_PRODUCTS,
       Q_COUNT };
static const char *const mlp_names[Q_COUNT] = {
    "dense 1 + ReLU", "dense 2 + ReLU", "dense 3 + softmax", "softmax_cce_backward",
    "dense_backward 3", "dense_backward 2 + ReLU", "dense_backward 1 + ReLU",
    "Adam (6 arrays)", "the 8 products alone"};

static float *zeros_f(size_t n) { return zeroed(n, sizeof(float)); }

static void mlp(int repeats)
{
    const nnf_idx n = M_SAMPLES, steps = (n + M_BATCH - 1) / M_BATCH;
    float *x = zeros_f((size_t)n * M_IN);
    int64_t *y = calloc((size_t)n, sizeof *y);
    if (!y)
        exit(1);
    uint64_t s = 12345;
    for (size_t i = 0; i < (size_t)n * M_IN; i++) {
        s = s * 6364136223846793005u + 1442695040888963407u;
        x[i] = (float)((double)(s >> 11) * 0x1.0p-52 - 1);
    }
    for (nnf_idx i = 0; i < n; i++)
        y[i] = i % M_OUT;
    nnf_net *net = NULL;
    CHECK(nnf_net_new(NNF_F32, M_IN, &net));
    CHECK(nnf_net_add_dense(net, M_H, 0, 0, 0, 0));
    CHECK(nnf_net_add_activation(net, NNF_LAYER_RELU));
    CHECK(nnf_net_add_dense(net, M_H, 0, 0, 0, 0));
    CHECK(nnf_net_add_activation(net, NNF_LAYER_RELU));
    nnf_net_optimizer adam = nnf_net_optimizer_defaults(NNF_OPT_ADAM);
    add_classifier_head(net, M_OUT, &adam);
    nnf_net_init_weights(net, 1);
    nnf_net_data d = {.n = n, .x = x, .x_rs = M_IN, .x_cs = 1, .labels = y, .labels_s = 1};
    nnf_net_train_options o = {.epochs = 1, .batch_size = M_BATCH};
    CHECK(nnf_net_train(net, &d, &o)); /* buffers allocated */

    const nnf_idx sizes[3][2] = {{M_IN, M_H}, {M_H, M_H}, {M_H, M_OUT}};
    float *w[3], *b[3], *dw[3], *db[3], *s1[6], *s2[6], *out[3], *dout[3], *dr[3];
    for (int l = 0; l < 3; l++) {
        const size_t k = (size_t)sizes[l][0], c = (size_t)sizes[l][1];
        w[l] = zeros_f(k * c), b[l] = zeros_f(c), dw[l] = zeros_f(k * c), db[l] = zeros_f(c);
        s1[2 * l] = zeros_f(k * c), s2[2 * l] = zeros_f(k * c);
        s1[2 * l + 1] = zeros_f(c), s2[2 * l + 1] = zeros_f(c);
        out[l] = zeros_f(M_BATCH * c), dout[l] = zeros_f(M_BATCH * k), dr[l] = zeros_f(M_BATCH * c);
        for (size_t i = 0; i < k * c; i++)
            w[l][i] = 0.01f * (float)((i * 7919) % 200 - 100) / 100;
    }
    float *d3 = zeros_f(M_BATCH * M_OUT);
    double best_train = 1e300, best = 1e300, share[Q_COUNT] = {0};
    for (int r = 0; r <= repeats; r++) { /* r = 0: warm-up; train and kernels alternate */
        double t0 = now_us();
        CHECK(nnf_net_train(net, &d, &o));
        double t = now_us() - t0;
        if (r > 0 && t < best_train)
            best_train = t;
        double spent[Q_COUNT] = {0};
        t0 = now_us();
        for (nnf_idx st = 0; st < steps; st++) {
            const nnf_idx i0 = st * M_BATCH, m = n - i0 < M_BATCH ? n - i0 : M_BATCH;
            const float *xb = x + i0 * M_IN;
            nnf_idx correct, bad;
            double loss_sum;
            TIMED(Q_DENSE1, nnf_dense_f32(m, M_H, M_IN, xb, M_IN, 1, w[0], M_H, 1, b[0], 1,
                                          NNF_ACT_RELU, out[0], M_H, 1));
            TIMED(Q_DENSE2, nnf_dense_f32(m, M_H, M_H, out[0], M_H, 1, w[1], M_H, 1, b[1], 1,
                                          NNF_ACT_RELU, out[1], M_H, 1));
            TIMED(Q_DENSE3, nnf_dense_f32(m, M_OUT, M_H, out[1], M_H, 1, w[2], M_OUT, 1, b[2], 1,
                                          NNF_ACT_SOFTMAX, out[2], M_OUT, 1));
            TIMED(Q_LOSS, nnf_softmax_cce_backward_f32(m, M_OUT, out[2], M_OUT, 1, y + i0, 1,
                                                       NULL, 0, 0, d3, M_OUT, 1, &loss_sum,
                                                       &correct, &bad));
            const double reg[4] = {0, 0, 0, 0};
            TIMED(Q_BACK3, nnf_dense_backward_f32(m, M_H, M_OUT, d3, M_OUT, 1, NULL, 0, 0, NULL,
                                                  0, 0, out[1], M_H, 1, w[2], M_OUT, 1, b[2], 1,
                                                  reg, dw[2], M_OUT, 1, db[2], 1, dout[2], M_H,
                                                  1));
            TIMED(Q_BACK2, nnf_dense_backward_f32(m, M_H, M_H, dout[2], M_H, 1, out[1], M_H, 1,
                                                  dr[1], M_H, 1, out[0], M_H, 1, w[1], M_H, 1,
                                                  b[1], 1, reg, dw[1], M_H, 1, db[1], 1, dout[1],
                                                  M_H, 1));
            TIMED(Q_BACK1, nnf_dense_backward_f32(m, M_IN, M_H, dout[1], M_H, 1, out[0], M_H, 1,
                                                  dr[0], M_H, 1, xb, M_IN, 1, w[0], M_H, 1, b[0],
                                                  1, reg, dw[0], M_H, 1, db[0], 1, NULL, 0, 0));
            nnf_optim_params p = {NNF_OPT_ADAM, .learning_rate = 0.001, .epsilon = 1e-7,
                                  .beta_1 = 0.9, .beta_2 = 0.999, .correction_1 = 0.5,
                                  .correction_2 = 0.5};
            TIMED(Q_ADAM, for (int l = 0; l < 3; l++) {
                const nnf_idx k = sizes[l][0], c = sizes[l][1];
                nnf_optimizer_step_f32(&p, k, c, w[l], c, 1, dw[l], c, 1, s1[2 * l], c, 1,
                                       s2[2 * l], c, 1);
                nnf_optimizer_step_f32(&p, 1, c, b[l], c, 1, db[l], c, 1, s1[2 * l + 1], c, 1,
                                       s2[2 * l + 1], c, 1);
            });
            /* the products, as benchmarks/network.py's GEMM bound calls nnfast.dot */
            TIMED(Q_PRODUCTS, {
                nnf_dense_f32(m, M_H, M_IN, xb, M_IN, 1, w[0], M_H, 1, NULL, 0, NNF_ACT_NONE,
                              out[0], M_H, 1);
                nnf_dense_f32(m, M_H, M_H, out[0], M_H, 1, w[1], M_H, 1, NULL, 0, NNF_ACT_NONE,
                              out[1], M_H, 1);
                nnf_dense_f32(m, M_OUT, M_H, out[1], M_H, 1, w[2], M_OUT, 1, NULL, 0,
                              NNF_ACT_NONE, out[2], M_OUT, 1);
                nnf_dense_f32(M_H, M_OUT, m, out[1], 1, M_H, d3, M_OUT, 1, NULL, 0, NNF_ACT_NONE,
                              dw[2], M_OUT, 1);
                nnf_dense_f32(m, M_H, M_OUT, d3, M_OUT, 1, w[2], 1, M_OUT, NULL, 0, NNF_ACT_NONE,
                              dout[2], M_H, 1);
                nnf_dense_f32(M_H, M_H, m, out[0], 1, M_H, dr[1], M_H, 1, NULL, 0, NNF_ACT_NONE,
                              dw[1], M_H, 1);
                nnf_dense_f32(m, M_H, M_H, dr[1], M_H, 1, w[1], 1, M_H, NULL, 0, NNF_ACT_NONE,
                              dout[1], M_H, 1);
                nnf_dense_f32(M_IN, M_H, m, xb, 1, M_IN, dr[0], M_H, 1, NULL, 0, NNF_ACT_NONE,
                              dw[0], M_H, 1);
            });
        }
        double spent_all = 0;
        for (int k = 0; k < Q_PRODUCTS; k++)
            spent_all += spent[k];
        if (r > 0 && spent_all < best) {
            best = spent_all;
            memcpy(share, spent, sizeof share);
        }
    }
    printf("mlp train %.1f us/epoch, kernels alone %.1f us/epoch, ratio %.2f\n", best_train,
           best, best_train / best);
    for (int k = 0; k < Q_COUNT; k++)
        printf("  %-26s %9.1f us\n", mlp_names[k], share[k]);
    for (int l = 0; l < 3; l++) {
        free(w[l]), free(b[l]), free(dw[l]), free(db[l]), free(out[l]), free(dout[l]),
            free(dr[l]);
        free(s1[2 * l]), free(s2[2 * l]), free(s1[2 * l + 1]), free(s2[2 * l + 1]);
    }
    free(d3), free(x), free(y);
    nnf_net_free(net);
}

int main(int argc, char **argv)
{
    int repeats = argc > 1 ? atoi(argv[1]) : 5;
    if (argc > 2 && atoi(argv[2]) > 0)
        nnf_set_num_threads(atoi(argv[2]));
    const char *only = argc > 3 ? argv[3] : NULL;
    if (repeats < 1) {
        fprintf(stderr, "usage: net_timing [REPEATS [THREADS [NAME]]], REPEATS >= 1\n");
        return 2;
    }
    nnf_isa_select(getenv("NNFAST_ISA"));
    const model models[] = {{"spiral", 300, 64, 0, 0, 0.05, 5e-7, 2000},
                            {"chapter18", 3000, 512, 5e-4, 0.1, 0.05, 5e-5, 20}};
    printf("isa %s threads %d\n", nnf_isa_name(nnf_isa_current), nnf_get_num_threads());
    for (size_t i = 0; i < sizeof models / sizeof *models; i++) {
        const model *md = &models[i];
        if (only && strcmp(only, md->name) != 0)
            continue;
        double *x = zeros((size_t)(2 * md->samples));
        int64_t *y = calloc((size_t)md->samples, sizeof *y);
        if (!y)
            return 1;
        data(md->samples, x, y);
        double share[K_COUNT] = {0};
        double train = time_train(md, x, y, repeats);
        double kernels = time_kernels(md, x, y, repeats, share);
        printf("%s train %.2f us/epoch, kernels alone %.2f us/epoch, ratio %.2f\n", md->name,
               train, kernels, train / kernels);
        for (int k = 0; k < K_COUNT; k++)
            if (share[k] > 0)
                printf("  %-26s %9.1f us\n", kernel_names[k], share[k]);
        free(x), free(y);
    }
    if (!only || strcmp(only, "mlp") == 0)
        mlp(repeats);
    return 0;
}
