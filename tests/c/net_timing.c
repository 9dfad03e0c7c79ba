/* net_timing.c: where a network's epoch goes. For each of two float64 networks it times an
 * epoch of nnf_net_train, then the same epoch's kernels called alone, one after another on
 * buffers of their own (the kernels' own work), each kernel's share printed:
 *
 *   spiral      300 x 2 -> 64 -> ReLU -> 3 softmax + cross-entropy, Adam, full batch
 *   chapter18   3000 x 2 -> 512 (L2 5e-4 on weights and biases) -> ReLU -> Dropout(0.1, its
 *               own stream) -> 3 softmax + cross-entropy, Adam(0.05, decay 5e-5), full batch
 *
 * Usage: net_timing [REPEATS [THREADS]]  (default 5 repeats of each measurement, the best
 * kept; threads: the default). A speed tool, not a test: tests/test_c_library.py runs it
 * once, small, so that it keeps building and running. Times are per epoch in microseconds. */
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
    CHECK(nnf_net_add_dense(net, 3, 0, 0, 0, 0));
    CHECK(nnf_net_add_activation(net, NNF_LAYER_SOFTMAX));
    CHECK(nnf_net_set_loss(net, NNF_NET_CCE));
    CHECK(nnf_net_set_accuracy(net, NNF_ACC_CATEGORICAL, 0));
    nnf_net_optimizer adam = nnf_net_optimizer_defaults(NNF_OPT_ADAM);
    adam.learning_rate = md->learning_rate;
    adam.decay = md->decay;
    CHECK(nnf_net_set_optimizer(net, &adam));
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

enum { K_DENSE1, K_DROPOUT, K_DENSE2, K_LOSS, K_REG, K_BACK2, K_DROPOUT_BACK, K_BACK1, K_ADAM,
       K_COUNT };
static const char *const kernel_names[K_COUNT] = {
    "dense 1 + ReLU", "dropout_philox", "dense 2 + softmax", "softmax_cce_backward",
    "regularization_loss", "dense_backward 2", "dropout backward (mul)",
    "dense_backward 1 + ReLU", "Adam (4 arrays)"};

static double *zeros(size_t n)
{
    double *p = calloc(n, sizeof *p);
    if (!p) {
        fprintf(stderr, "net_timing: out of memory\n");
        exit(1);
    }
    return p;
}

#define TIMED(k, call)                                                                         \
    do {                                                                                       \
        double t0_ = now_us();                                                                 \
        call;                                                                                  \
        spent[k] += now_us() - t0_;                                                            \
    } while (0)

/* The best of `repeats` measurements of an epoch's kernels called alone, per epoch; each
 * kernel's time of the best measurement in share (K_COUNT). */
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
    double *out1 = zeros(mh), *bm = zeros(mh), *outd = zeros(mh), *out2 = zeros((size_t)m * 3);
    double *d2 = zeros((size_t)m * 3), *din2 = zeros(mh), *ddrop = zeros(mh), *drelu = zeros(mh);
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
            TIMED(K_DENSE1, nnf_dense_f64(m, h, 2, x, 2, 1, w1, h, 1, b1, 1, NNF_ACT_RELU, out1,
                                          h, 1));
            if (dropout)
                TIMED(K_DROPOUT, nnf_dropout_philox_f64(m, h, out1, h, 1, 7, (uint64_t)e,
                                                        1 - md->rate, bm, h, 1, outd, h, 1));
            TIMED(K_DENSE2, nnf_dense_f64(m, 3, h, in2, h, 1, w2, 3, 1, b2, 1, NNF_ACT_SOFTMAX,
                                          out2, 3, 1));
            TIMED(K_LOSS, nnf_softmax_cce_backward_f64(m, 3, out2, 3, 1, y, 1, NULL, 0, 0, d2,
                                                       3, 1, &loss_sum, &correct, &bad));
            if (md->l2 > 0)
                TIMED(K_REG, reg += nnf_regularization_loss_f64(2, h, w1, h, 1, 0, md->l2) +
                                    nnf_regularization_loss_f64(1, h, b1, h, 1, 0, md->l2));
            TIMED(K_BACK2, nnf_dense_backward_f64(m, h, 3, d2, 3, 1, NULL, 0, 0, NULL, 0, 0,
                                                  in2, h, 1, w2, 3, 1, b2, 1, reg2, dw2, 3, 1,
                                                  db2, 1, din2, h, 1));
            if (dropout)
                TIMED(K_DROPOUT_BACK, nnf_elementwise_f64(NNF_EW_MUL, m, h, din2, h, 1, bm, h, 1,
                                                          ddrop, h, 1));
            TIMED(K_BACK1, nnf_dense_backward_f64(m, 2, h, dropout ? ddrop : din2, h, 1, out1, h,
                                                  1, drelu, h, 1, x, 2, 1, w1, h, 1, b1, 1,
                                                  reg1, dw1, h, 1, db1, 1, NULL, 0, 0));
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
                     s2[1], s2[2], s2[3], out1, bm, outd, out2, d2, din2, ddrop, drelu};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        free(all[i]);
    return best;
}

int main(int argc, char **argv)
{
    int repeats = argc > 1 ? atoi(argv[1]) : 5;
    if (argc > 2)
        nnf_set_num_threads(atoi(argv[2]));
    if (repeats < 1) {
        fprintf(stderr, "usage: net_timing [REPEATS [THREADS]], REPEATS >= 1\n");
        return 2;
    }
    nnf_isa_select(getenv("NNFAST_ISA"));
    const model models[] = {{"spiral", 300, 64, 0, 0, 0.05, 5e-7, 2000},
                            {"chapter18", 3000, 512, 5e-4, 0.1, 0.05, 5e-5, 20}};
    printf("isa %s threads %d\n", nnf_isa_name(nnf_isa_current), nnf_get_num_threads());
    for (size_t i = 0; i < sizeof models / sizeof *models; i++) {
        const model *md = &models[i];
        double *x = zeros((size_t)(2 * md->samples));
        int64_t *y = calloc((size_t)md->samples, sizeof *y);
        if (!y)
            return 1;
        data(md->samples, x, y);
        double share[K_COUNT] = {0};
        double train = time_train(md, x, y, repeats);
        double kernels = time_kernels(md, x, y, repeats, share);
        printf("%s train %.1f us/epoch, kernels alone %.1f us/epoch, ratio %.2f\n", md->name,
               train, kernels, train / kernels);
        for (int k = 0; k < K_COUNT; k++)
            if (share[k] > 0)
                printf("  %-26s %9.1f us\n", kernel_names[k], share[k]);
        free(x), free(y);
    }
    return 0;
}
