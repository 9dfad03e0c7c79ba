/* train_spiral.c: the book's chapter 10 network, built and trained in C through nnfast.h.
 *
 *   X (300, 2): the spiral data set, 100 points of each of 3 classes; y (300): their classes
 *   dense 2 -> 64, ReLU, dense 64 -> 3, softmax; categorical cross-entropy (fused with the
 *   softmax, as the book's Activation_Softmax_Loss_CategoricalCrossentropy); Adam (learning
 *   rate 0.05, decay 5e-7); categorical accuracy; float64; every sample in each step.
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

/* Exits with the network's message unless the call returned NNF_OK. */
#define CHECK(net, call)                                                                       \
    do {                                                                                       \
        nnf_status status_ = (call);                                                           \
        if (status_ != NNF_OK) {                                                               \
            fprintf(stderr, "train_spiral: %s failed with status %d: %s\n", #call,            \
                    (int)status_, nnf_net_error(net));                                         \
            exit(1);                                                                           \
        }                                                                                      \
    } while (0)

/* A small seeded generator (splitmix64) and Box-Muller normals, for the data set. */
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

/* Prints every 1000th epoch's report from the first, and keeps the last. */
static int print_epoch(void *last, const nnf_net_report *r)
{
    if ((r->epoch - 1) % 1000 == 0)
        printf("epoch %lld loss %.4f acc %.3f lr %.7g\n", (long long)r->epoch, r->data_loss,
               r->accuracy, r->learning_rate);
    *(nnf_net_report *)last = *r;
    return 0; /* nonzero would stop the training after this epoch */
}

int main(int argc, char **argv)
{
    const long epochs = argc > 1 ? atol(argv[1]) : 10001;
    if (epochs < 1) {
        fprintf(stderr, "usage: train_spiral [EPOCHS], EPOCHS >= 1\n");
        return 2;
    }
    static double x[SAMPLES][INPUTS];
    static int64_t y[SAMPLES];
    spiral_data(x, y);

    nnf_net *net;
    CHECK(NULL, nnf_net_new(NNF_F64, INPUTS, &net));
    CHECK(net, nnf_net_add_dense(net, HIDDEN, 0, 0, 0, 0));
    CHECK(net, nnf_net_add_activation(net, NNF_LAYER_RELU));
    CHECK(net, nnf_net_add_dense(net, CLASSES, 0, 0, 0, 0));
    CHECK(net, nnf_net_add_activation(net, NNF_LAYER_SOFTMAX));
    CHECK(net, nnf_net_set_loss(net, NNF_NET_CCE));
    CHECK(net, nnf_net_set_accuracy(net, NNF_ACC_CATEGORICAL, 0));
    nnf_net_optimizer adam = nnf_net_optimizer_defaults(NNF_OPT_ADAM);
    adam.learning_rate = 0.05;
    adam.decay = 5e-7;
    CHECK(net, nnf_net_set_optimizer(net, &adam));
    nnf_net_init_weights(net, 42); /* 0.01 * randn, the book's */

    nnf_net_report last = {0};
    nnf_net_data data = {.n = SAMPLES, .x = x, .x_rs = INPUTS, .x_cs = 1, .labels = y,
                         .labels_s = 1};
    nnf_net_train_options options = {.epochs = epochs, .ctx = &last, .on_epoch = print_epoch};
    CHECK(net, nnf_net_train(net, &data, &options));
    printf("final loss %.4f acc %.3f\n", last.data_loss, last.accuracy);
    nnf_net_free(net);
    return 0;
}
