/* net_errors.c: the network's statuses for misuse, for tests/test_c_library.py. Each check
 * prints "ok NAME" or "FAIL NAME: ..." and the exit status is the number of failures. Also
 * run under valgrind and the sanitizers: no path may leak or touch memory it does not own. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "nnfast.h"

static int failures;

static void expect(const char *name, nnf_status got, nnf_status want, const nnf_net *net,
                   const char *message)
{
    const char *error = net ? nnf_net_error(net) : "";
    if (got == want && (!message || strstr(error, message)))
        printf("ok %s\n", name);
    else {
        printf("FAIL %s: status %d (expected %d), message \"%s\"\n", name, (int)got, (int)want,
               error);
        failures++;
    }
}

static int refuse(void *ctx, int layer, nnf_idx m, nnf_idx n, double keep, int64_t *mask)
{
    return 1;
}

static int ones(void *ctx, int layer, nnf_idx m, nnf_idx n, double keep, int64_t *mask)
{
    for (nnf_idx i = 0; i < m * n; i++)
        mask[i] = 1;
    return 0;
}

static int bad_order(void *ctx, int64_t epoch, nnf_idx n, int64_t *order)
{
    for (nnf_idx i = 0; i < n; i++)
        order[i] = i;
    order[n - 1] = n; /* not a sample */
    return 0;
}

/* A 2 -> 3 network (or, with dropout, 2 -> dropout -> 3) with categorical cross-entropy
 * after the output activation `out`, every setting made. */
static nnf_net *cce_network(int dropout, nnf_layer_kind out, nnf_net_accuracy accuracy)
{
    nnf_net *net;
    nnf_net_new(NNF_F64, 2, &net);
    if (dropout)
        nnf_net_add_dropout(net, 0.5);
    nnf_net_add_dense(net, 3, 0, 0, 0, 0);
    nnf_net_add_activation(net, out);
    nnf_net_set_loss(net, NNF_NET_CCE);
    nnf_net_set_accuracy(net, accuracy, 0);
    nnf_net_optimizer sgd = nnf_net_optimizer_defaults(NNF_OPT_SGD);
    nnf_net_set_optimizer(net, &sgd);
    return net;
}

/* A 2 -> 3 softmax classifier (or, with dropout, 2 -> dropout -> 3). */
static nnf_net *classifier(int dropout)
{
    return cce_network(dropout, NNF_LAYER_SOFTMAX, NNF_ACC_CATEGORICAL);
}

int main(void)
{
    double x[4][2] = {{0, 1}, {1, 0}, {1, 1}, {0, 0}}, onehot[4][3] = {{1, 0, 0}};
    int64_t y[4] = {0, 1, 2, 0};
    nnf_net_data data = {.n = 4, .x = x, .x_rs = 2, .x_cs = 1, .labels = y, .labels_s = 1};
    nnf_net_train_options one = {.epochs = 1};
    nnf_net *net = NULL;

    expect("new: no inputs", nnf_net_new(NNF_F64, 0, &net), NNF_EINVAL, NULL, NULL);
    expect("new: unknown dtype", nnf_net_new((nnf_dtype)7, 2, &net), NNF_EINVAL, NULL, NULL);
    nnf_net_new(NNF_F32, 2, &net);
    expect("add_dense: no outputs", nnf_net_add_dense(net, 0, 0, 0, 0, 0), NNF_EINVAL, net,
           "n_outputs");
    expect("add_activation: a dense kind", nnf_net_add_activation(net, NNF_LAYER_DENSE),
           NNF_EINVAL, net, "not an activation");
    expect("add_dropout: rate 1", nnf_net_add_dropout(net, 1.0), NNF_EINVAL, net, "[0, 1)");
    expect("train: no layers", nnf_net_train(net, &data, &one), NNF_EINVAL, net, "no layers");
    nnf_net_add_dense(net, 3, 0, 0, 0, 0);
    expect("train: no loss", nnf_net_train(net, &data, &one), NNF_EINVAL, net, "first");
    expect("set_accuracy: negative precision",
           nnf_net_set_accuracy(net, NNF_ACC_REGRESSION, -1), NNF_EINVAL, net, "precision");
    nnf_net_optimizer bad = nnf_net_optimizer_defaults(NNF_OPT_ADAM);
    bad.learning_rate = INFINITY;
    expect("set_optimizer: infinite learning rate", nnf_net_set_optimizer(net, &bad),
           NNF_EINVAL, net, "finite");
    nnf_idx rows, cols, rs;
    expect("param: not a dense layer",
           nnf_net_param(net, 5, NNF_PARAM_WEIGHTS, &rows, &cols, &rs) == NULL ? NNF_OK
                                                                               : NNF_EINVAL,
           NNF_OK, NULL, NULL);
    nnf_net_free(net);

    net = classifier(0);
    nnf_net_data both = data;
    both.targets = onehot, both.t_rs = 3, both.t_cs = 1;
    expect("train: labels and targets", nnf_net_train(net, &both, &one), NNF_EINVAL, net,
           "one of the two");
    nnf_net_data empty = data;
    empty.n = 0;
    expect("train: no samples", nnf_net_train(net, &empty, &one), NNF_ESHAPE, net, "sample");
    nnf_net_train_options shuffled = {.epochs = 1, .order = bad_order};
    expect("train: an order that is not a permutation", nnf_net_train(net, &data, &shuffled),
           NNF_EINVAL, net, "order[3] = 4");
    nnf_net_train_options every0 = {.epochs = 1, .on_step = NULL, .report_every = 0};
    expect("train: no hook, report_every 0 is fine", nnf_net_train(net, &data, &every0),
           NNF_OK, net, NULL);
    int64_t iterations;
    double lr;
    nnf_net_get_iterations(net, &iterations, &lr);
    expect("train: one step made", iterations == 1 ? NNF_OK : NNF_EINVAL, NNF_OK, NULL, NULL);
    double out[4][3];
    expect("forward: negative batch", nnf_net_forward(net, 4, x, 2, 1, out, 3, 1, -1),
           NNF_ESHAPE, net, "batch_size");
    expect("forward: in batches of 3", nnf_net_forward(net, 4, x, 2, 1, out, 3, 1, 3), NNF_OK,
           net, NULL);
    expect("error: cleared by a call that succeeds", nnf_net_error(net)[0] ? NNF_EINVAL : NNF_OK,
           NNF_OK, NULL, NULL);
    expect("add_dense: after the optimizer", nnf_net_add_dense(net, 3, 0, 0, 0, 0), NNF_EINVAL,
           net, "before nnf_net_set_optimizer");
    nnf_net_free(net);

    /* categorical cross-entropy after a sigmoid, with the binary accuracy: legal with
     * one-hot targets, whose outputs it compares; class labels have no outputs to compare */
    net = cce_network(0, NNF_LAYER_SIGMOID, NNF_ACC_BINARY);
    expect("train: labels with the binary accuracy", nnf_net_train(net, &data, &one),
           NNF_EINVAL, net, "class labels need the categorical accuracy");
    nnf_net_data targets = data;
    targets.labels = NULL, targets.targets = onehot, targets.t_rs = 3, targets.t_cs = 1;
    expect("train: one-hot targets with the binary accuracy", nnf_net_train(net, &targets, &one),
           NNF_OK, net, NULL);
    nnf_net_free(net);

    net = classifier(1);
    expect("train: dropout without masks", nnf_net_train(net, &data, &one), NNF_EINVAL, net,
           "dropout layer 0 needs its masks: options->dropout_mask, or its stream "
           "(nnf_net_set_dropout_stream)");
    uint64_t seed = 0, step = 0;
    expect("get_dropout_stream: none set", nnf_net_get_dropout_stream(net, 0, &seed, &step),
           NNF_EINVAL, net, "layer 0 has no stream");
    expect("set_dropout_stream: a dense layer", nnf_net_set_dropout_stream(net, 1, 5, 0),
           NNF_EINVAL, net, "nnf_net_set_dropout_stream: layer 1 is not a dropout layer");
    expect("set_dropout_stream: no such layer", nnf_net_set_dropout_stream(net, 3, 5, 0),
           NNF_EINVAL, net, "layer 3 is not a dropout layer");
    expect("get_dropout_stream: a dense layer", nnf_net_get_dropout_stream(net, -1, &seed, &step),
           NNF_EINVAL, net, "nnf_net_get_dropout_stream: layer -1 is not a dropout layer");
    expect("set_dropout_stream", nnf_net_set_dropout_stream(net, 0, UINT64_MAX, 41), NNF_OK,
           net, NULL);
    nnf_net_train_options three = {.epochs = 3, .batch_size = 3}; /* 2 steps an epoch */
    expect("train: dropout with its stream", nnf_net_train(net, &data, &three), NNF_OK, net,
           NULL);
    nnf_net_get_dropout_stream(net, 0, &seed, &step);
    expect("train: the stream stepped once a step",
           seed == UINT64_MAX && step == 47 ? NNF_OK : NNF_EINVAL, NNF_OK, NULL, NULL);
    nnf_net_train_options hooked = {.epochs = 1, .dropout_mask = ones};
    expect("train: a mask hook wins over the stream", nnf_net_train(net, &data, &hooked),
           NNF_OK, net, NULL);
    nnf_net_get_dropout_stream(net, 0, &seed, &step);
    expect("train: the hook's steps leave the stream", step == 47 ? NNF_OK : NNF_EINVAL, NNF_OK,
           NULL, NULL);
    nnf_net_get_iterations(net, &iterations, &lr);
    expect("train: 7 steps made", iterations == 7 ? NNF_OK : NNF_EINVAL, NNF_OK, NULL, NULL);
    nnf_net_free(net);

    net = classifier(1);
    nnf_net_train_options refusing = {.epochs = 1, .dropout_mask = refuse};
    expect("train: a mask hook that fails", nnf_net_train(net, &data, &refusing),
           NNF_ECALLBACK, net, "dropout_mask failed (layer 0)");
    nnf_net_get_iterations(net, &iterations, &lr);
    expect("train: no step after a failed hook", iterations == 0 ? NNF_OK : NNF_EINVAL, NNF_OK,
           NULL, NULL);
    nnf_net_free(net);
    nnf_net_free(NULL);
    return failures;
}
