/* net_buffers.c: a network allocates each dropout's masks only where a training call's path
 * reads them, for tests/test_c_library.py. Two networks, float64, 40 samples:
 *
 *   blocked   2 -> 16 -> ReLU -> Dropout -> 16 -> ReLU -> Dropout -> 3 softmax: the first
 *             dropout runs by blocks (its ReLU's sign and kept bits, relu_keep), the second,
 *             right after the block, layer by layer (its binary mask, bm);
 *   book      the same, trained with the book's masks (the dropout_mask hook): every dropout
 *             layer by layer, its drawn mask (mask) and binary mask (bm).
 *
 * The blocked network is then trained with the hook too (the same rows: the masks that call
 * reads are added), and the book network with its streams (relu_keep added). It reads the
 * layers' buffers through the network's internal header (net/net.h): the API shows none.
 *
 * Usage: net_buffers   (prints "ok <what>" or "FAIL <what>" per check; exit 1 on a failure) */
#include <stdio.h>
#include "net/net.h"
#define PROGRAM "net_buffers"
#include "check.h"

static int failures;

static void expect(int ok, const char *what)
{
    printf("%s %s\n", ok ? "ok" : "FAIL", what);
    failures += !ok;
}

static int ones(void *ctx, int layer, nnf_idx m, nnf_idx n, double keep, int64_t *mask)
{
    for (nnf_idx j = 0; j < m * n; j++)
        mask[j] = 1;
    return 0;
}

static nnf_net *build(void)
{
    nnf_net *net = NULL;
    CHECK(nnf_net_new(NNF_F64, 2, &net));
    for (int l = 0; l < 2; l++) {
        CHECK(nnf_net_add_dense(net, 16, 0, 0, 0, 0));
        CHECK(nnf_net_add_activation(net, NNF_LAYER_RELU));
        CHECK(nnf_net_add_dropout(net, 0.1));
    }
    nnf_net_optimizer sgd = nnf_net_optimizer_defaults(NNF_OPT_SGD);
    add_classifier_head(net, 3, &sgd);
    CHECK(nnf_net_set_dropout_stream(net, 2, 7, 0));
    CHECK(nnf_net_set_dropout_stream(net, 5, 8, 0));
    nnf_net_init_weights(net, 1);
    return net;
}

/* Which of dropout layer i's masks the network holds, as "bm mask relu_keep" flags. */
static int held(const nnf_net *net, int i, int bm, int mask, int relu_keep)
{
    const net_layer *l = &net->layers[i];
    return !l->bm == !bm && !l->mask == !mask && !l->relu_keep == !relu_keep;
}

int main(void)
{
    enum { N = 40 };
    double x[2 * N];
    int64_t y[N];
    for (int i = 0; i < N; i++)
        x[2 * i] = (double)(i % 7) / 7 - 0.5, x[2 * i + 1] = (double)(i % 5) / 5 - 0.5, y[i] = i % 3;
    nnf_net_data d = {.n = N, .x = x, .x_rs = 2, .x_cs = 1, .labels = y, .labels_s = 1};
    nnf_net_train_options fast = {.epochs = 2}, book = {.epochs = 2, .dropout_mask = ones};

    nnf_net *net = build();
    CHECK(nnf_net_train(net, &d, &fast));
    expect(held(net, 2, 0, 0, 1), "blocked: the block's dropout holds relu_keep alone");
    expect(held(net, 5, 1, 0, 0), "blocked: the dropout after the block holds bm alone");
    CHECK(nnf_net_train(net, &d, &book));
    expect(held(net, 2, 1, 1, 1) && held(net, 5, 1, 1, 0),
           "blocked, then the book's masks: each dropout adds bm and mask");
    nnf_net_free(net);

    net = build();
    CHECK(nnf_net_train(net, &d, &book));
    expect(held(net, 2, 1, 1, 0) && held(net, 5, 1, 1, 0),
           "book: each dropout holds bm and mask");
    CHECK(nnf_net_train(net, &d, &fast));
    expect(held(net, 2, 1, 1, 1), "book, then the streams: the block's dropout adds relu_keep");
    nnf_net_free(net);
    return failures ? 1 : 0;
}
