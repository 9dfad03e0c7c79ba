/* train_spiral.c: the book's chapter 10 network, trained in C through nnfast.h alone.
 *
 *   X (300, 2): the spiral data set, 100 points of each of 3 classes; y (300): their classes
 *   layer 1: a1 (300, 64) = relu(X @ w1 (2, 64) + b1 (64))
 *   layer 2: z2 (300, 3)  = a1 @ w2 (64, 3) + b2 (3)
 *   loss:    probs (300, 3) = softmax(z2), mean categorical cross-entropy against y
 *   Adam (learning rate 0.05, decay 5e-7) on w1, b1, w2, b2, all in float64.
 *
 * Build and run: make -C csrc run, which links as
 *   cc -O3 -I csrc csrc/examples/train_spiral.c csrc/build/libnnfast.a -lm -pthread
 * Usage: train_spiral [EPOCHS]  (default 10001, as the book) */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include "nnfast.h"

enum { CLASSES = 3, PER_CLASS = 100, SAMPLES = CLASSES * PER_CLASS, INPUTS = 2, HIDDEN = 64 };

/* Exits with a message naming the call unless it returned NNF_OK. */
#define CHECK(call)                                                                            \
    do {                                                                                       \
        nnf_status status_ = (call);                                                           \
        if (status_ != NNF_OK) {                                                               \
            fprintf(stderr, "train_spiral: %s failed with status %d\n", #call, (int)status_);  \
            exit(1);                                                                           \
        }                                                                                      \
    } while (0)

/* A small seeded generator (splitmix64) and Box-Muller normals. */
static uint64_t rng_state = 42;

static double uniform(void) /* in (0, 1) */
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return (double)(((z ^ (z >> 31)) >> 11) | 1) * 0x1.0p-53;
}

static double randn(void)
{
    return sqrt(-2 * log(uniform())) * cos(2 * 3.14159265358979323846 * uniform());
}

static double *zeros(nnf_idx n)
{
    double *p = calloc((size_t)n, sizeof *p);
    if (!p) {
        fprintf(stderr, "train_spiral: out of memory\n");
        exit(1);
    }
    return p;
}

/* The nnfs recipe: class c's points at radii linspace(0, 1) and angles
 * linspace(4c, 4(c + 1)) + 0.2 * randn, at (r sin(2.5 t), r cos(2.5 t)). */
static void spiral_data(double x[SAMPLES][INPUTS], int64_t y[SAMPLES])
{
    for (int c = 0; c < CLASSES; c++)
        for (int i = 0; i < PER_CLASS; i++) {
            double r = (double)i / (PER_CLASS - 1);
            double t = 4 * c + 4.0 * i / (PER_CLASS - 1) + 0.2 * randn();
            x[c * PER_CLASS + i][0] = r * sin(t * 2.5);
            x[c * PER_CLASS + i][1] = r * cos(t * 2.5);
            y[c * PER_CLASS + i] = c;
        }
}

/* A dense layer: weights w (in, out), biases b (out), their gradients and Adam's state
 * (momentums m_*, caches c_*), every array contiguous. */
typedef struct {
    nnf_idx in, out;
    double *w, *b, *dw, *db, *m_w, *m_b, *c_w, *c_b;
} dense_layer;

static dense_layer dense_new(nnf_idx in, nnf_idx out)
{
    dense_layer l = {in, out, zeros(in * out), zeros(out), zeros(in * out), zeros(out),
                     zeros(in * out), zeros(out), zeros(in * out), zeros(out)};
    for (nnf_idx i = 0; i < in * out; i++)
        l.w[i] = 0.01 * randn();
    return l;
}

/* out (SAMPLES, l->out) = act(x (SAMPLES, l->in) @ w + b) */
static void dense_forward(const dense_layer *l, const double *x, nnf_activation act, double *out)
{
    CHECK(nnf_dense_f64(SAMPLES, l->out, l->in, x, l->in, 1, l->w, l->out, 1, l->b, 1, act, out,
                        l->out, 1));
}

/* From dvalues dv (SAMPLES, l->out): l->dw, l->db and, unless dx is NULL, dx (SAMPLES, l->in).
 * relu_out (the layer's ReLU output) masks dv into drelu; NULL for a layer without ReLU. */
static void dense_backward(dense_layer *l, const double *x, const double *dv,
                           const double *relu_out, double *drelu, double *dx)
{
    static const double no_regularization[4] = {0, 0, 0, 0};
    CHECK(nnf_dense_backward_f64(SAMPLES, l->in, l->out, dv, l->out, 1, relu_out, l->out, 1,
                                 drelu, l->out, 1, x, l->in, 1, l->w, l->out, 1, NULL, 0,
                                 no_regularization, l->dw, l->out, 1, l->db, 1, dx, l->in, 1));
}

static void adam_update(dense_layer *l, const nnf_optim_params *o)
{
    nnf_optimizer_step_f64(o, l->in, l->out, l->w, l->out, 1, l->dw, l->out, 1, l->m_w, l->out,
                           1, l->c_w, l->out, 1);
    nnf_optimizer_step_f64(o, 1, l->out, l->b, l->out, 1, l->db, l->out, 1, l->m_b, l->out, 1,
                           l->c_b, l->out, 1);
}

int main(int argc, char **argv)
{
    const long epochs = argc > 1 ? atol(argv[1]) : 10001;
    const double learning_rate = 0.05, decay = 5e-7, beta_1 = 0.9, beta_2 = 0.999;
    if (epochs < 1) {
        fprintf(stderr, "usage: train_spiral [EPOCHS], EPOCHS >= 1\n");
        return 2;
    }
    if (nnf_isa_select(NULL) != 0) { /* the widest SIMD this CPU has */
        fprintf(stderr, "train_spiral: nnf_isa_select failed\n");
        return 1;
    }

    static double x[SAMPLES][INPUTS];
    static int64_t y[SAMPLES];
    spiral_data(x, y);
    dense_layer l1 = dense_new(INPUTS, HIDDEN), l2 = dense_new(HIDDEN, CLASSES);
    double *a1 = zeros(SAMPLES * HIDDEN), *z2 = zeros(SAMPLES * CLASSES);
    double *probs = zeros(SAMPLES * CLASSES), *dz2 = zeros(SAMPLES * CLASSES);
    double *da1 = zeros(SAMPLES * HIDDEN), *dz1 = zeros(SAMPLES * HIDDEN);
    double loss = 0;
    nnf_idx correct = 0, bad_row = 0;

    for (long epoch = 0; epoch < epochs; epoch++) {
        dense_forward(&l1, &x[0][0], NNF_ACT_RELU, a1);
        dense_forward(&l2, a1, NNF_ACT_NONE, z2);
        CHECK(nnf_softmax_cce_f64(SAMPLES, CLASSES, z2, CLASSES, 1, y, 1, NULL, 0, 0, probs,
                                  CLASSES, 1, &loss, &bad_row));
        nnf_accuracy_f64(SAMPLES, CLASSES, probs, CLASSES, 1, y, 1, NULL, 0, 0, &correct);

        /* The book's learning-rate decay and Adam's bias corrections at this step. */
        nnf_optim_params adam = {NNF_OPT_ADAM,
                                 .learning_rate = learning_rate * (1.0 / (1.0 + decay * epoch)),
                                 .epsilon = 1e-7, .beta_1 = beta_1, .beta_2 = beta_2,
                                 .correction_1 = 1 - pow(beta_1, epoch + 1),
                                 .correction_2 = 1 - pow(beta_2, epoch + 1)};
        if (epoch % 1000 == 0)
            printf("epoch %ld loss %.4f acc %.3f lr %.7g\n", epoch, loss,
                   (double)correct / SAMPLES, adam.learning_rate);

        CHECK(nnf_softmax_cce_backward_f64(SAMPLES, CLASSES, probs, CLASSES, 1, y, 1, NULL, 0, 0,
                                           dz2, CLASSES, 1, NULL, NULL, &bad_row));
        dense_backward(&l2, a1, dz2, NULL, NULL, da1);
        dense_backward(&l1, &x[0][0], da1, a1, dz1, NULL);
        adam_update(&l1, &adam);
        adam_update(&l2, &adam);
    }
    printf("final loss %.4f acc %.3f\n", loss, (double)correct / SAMPLES);
    return 0;
}
