/* net_check.c: trains a network of the C library as a test describes it, for
 * tests/test_c_library.py, which compares the result with nnfast.nn's Model.train.
 *
 * Usage: net_check SPEC DATA OUT
 *   SPEC (text), one item a line:
 *     dtype 32|64          inputs N
 *     dense N WL1 WL2 BL1 BL2 | relu | softmax | sigmoid | linear | dropout RATE
 *     loss cce|bce|mse|mae     accuracy categorical|binary|regression PRECISION
 *     optimizer sgd|adagrad|rmsprop|adam LR DECAY MOMENTUM EPSILON RHO BETA_1 BETA_2
 *     train SAMPLES EPOCHS BATCH_SIZE ORDER(0|1) labels|targets
 *     stop STEPS           (on_step asks to stop after that many steps: NNF_STOPPED)
 *     stream LAYER SEED STEP  (dropout layer LAYER draws its own masks: then no dropout_mask
 *                          hook, DATA has no masks, and "stream LAYER SEED STEP" of each
 *                          after the training is printed on stdout)
 *     again EPOCHS         (then nnf_net_train once more, for that many epochs)
 *   DATA (binary, native): x (SAMPLES, inputs) in dtype; labels (SAMPLES) int64 or targets
 *     (SAMPLES, outputs) in dtype; each dense layer's weights then biases in dtype; then per
 *     epoch, with ORDER its permutation (SAMPLES int64), and its dropout masks (int64) in the
 *     order its steps ask for them.
 *   OUT (binary): each dense layer's weights, biases, then the optimizer's state it keeps
 *     (weight momentums, weight cache, bias momentums, bias cache); per epoch, the report's
 *     data loss, regularization loss, accuracy and learning rate (4 doubles); the last
 *     step's report;
 *     then the trained network's outputs of x (nnf_net_forward, BATCH_SIZE rows at a time).
 *   After a stop, the epochs' reports not reached are zeros.
 * Exit status: 0, or the failing call's nnf_status (its message on stderr). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#define PROGRAM "net_check"
#include "check.h"

static FILE *data;

static void *read_all(size_t count, size_t size)
{
    void *p = malloc(count * size + 1);
    if (!p || fread(p, size, count, data) != count)
        fail("reading DATA", 0, NULL);
    return p;
}

static int order_hook(void *ctx, int64_t epoch, nnf_idx n, int64_t *order)
{
    return fread(order, sizeof *order, (size_t)n, data) != (size_t)n;
}

static int mask_hook(void *ctx, int layer, nnf_idx m, nnf_idx n, double keep, int64_t *mask)
{
    return fread(mask, sizeof *mask, (size_t)(m * n), data) != (size_t)(m * n);
}

/* A report as written out: data_loss, regularization_loss, accuracy, learning_rate,
 * loss_sum. */
#define REPORT_FIGURES 5
static double *reports; /* REPORT_FIGURES per epoch */
static long long epochs_before; /* of an earlier nnf_net_train */

static int epoch_hook(void *ctx, const nnf_net_report *r)
{
    double *v = reports + REPORT_FIGURES * (epochs_before + r->epoch - 1);
    v[0] = r->data_loss, v[1] = r->regularization_loss, v[2] = r->accuracy;
    v[3] = r->learning_rate, v[4] = r->loss_sum;
    return 0;
}

static nnf_net_report last_step;
static long long steps_done, stop_after = -1;
static int streams[64], n_streams; /* the layers given a stream */

static int step_hook(void *ctx, const nnf_net_report *r)
{
    last_step = *r;
    return ++steps_done == stop_after;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: net_check SPEC DATA OUT\n");
        return 2;
    }
    FILE *spec = fopen(argv[1], "r");
    data = fopen(argv[2], "rb");
    FILE *out = fopen(argv[3], "wb");
    if (!spec || !data || !out)
        fail("opening the files", 0, NULL);
    nnf_isa_select(getenv("NNFAST_ISA"));
    nnf_net *net = NULL;
    int bits = 64, order = 0, labels = 1;
    long long inputs = 0, samples = 0, epochs = 0, batch = 0, again = 0;
    char word[32], kind[32];
    while (fscanf(spec, "%31s", word) == 1) {
        if (!strcmp(word, "dtype")) {
            if (fscanf(spec, "%d", &bits) != 1)
                fail("dtype", 0, NULL);
        } else if (!strcmp(word, "inputs")) {
            if (fscanf(spec, "%lld", &inputs) != 1)
                fail("inputs", 0, NULL);
            CHECK(nnf_net_new(bits == 32 ? NNF_F32 : NNF_F64, (nnf_idx)inputs, &net));
        } else if (!strcmp(word, "dense")) {
            long long n;
            double r[4];
            if (fscanf(spec, "%lld %lf %lf %lf %lf", &n, &r[0], &r[1], &r[2], &r[3]) != 5)
                fail("dense", 0, NULL);
            CHECK(nnf_net_add_dense(net, (nnf_idx)n, r[0], r[1], r[2], r[3]));
        } else if (!strcmp(word, "dropout")) {
            double rate;
            if (fscanf(spec, "%lf", &rate) != 1)
                fail("dropout", 0, NULL);
            CHECK(nnf_net_add_dropout(net, rate));
        } else if (!strcmp(word, "relu") || !strcmp(word, "softmax") ||
                   !strcmp(word, "sigmoid") || !strcmp(word, "linear")) {
            nnf_layer_kind k = word[0] == 'r' ? NNF_LAYER_RELU : word[1] == 'o' ? NNF_LAYER_SOFTMAX
                               : word[0] == 's' ? NNF_LAYER_SIGMOID : NNF_LAYER_LINEAR;
            CHECK(nnf_net_add_activation(net, k));
        } else if (!strcmp(word, "loss")) {
            if (fscanf(spec, "%31s", kind) != 1)
                fail("loss", 0, NULL);
            CHECK(nnf_net_set_loss(net, !strcmp(kind, "cce") ? NNF_NET_CCE
                                        : !strcmp(kind, "bce") ? NNF_NET_BCE
                                        : !strcmp(kind, "mse") ? NNF_NET_MSE : NNF_NET_MAE));
        } else if (!strcmp(word, "accuracy")) {
            double precision;
            if (fscanf(spec, "%31s %lf", kind, &precision) != 2)
                fail("accuracy", 0, NULL);
            CHECK(nnf_net_set_accuracy(net, kind[0] == 'c' ? NNF_ACC_CATEGORICAL
                                            : kind[0] == 'b' ? NNF_ACC_BINARY
                                                             : NNF_ACC_REGRESSION, precision));
        } else if (!strcmp(word, "optimizer")) {
            nnf_net_optimizer o;
            if (fscanf(spec, "%31s %lf %lf %lf %lf %lf %lf %lf", kind, &o.learning_rate,
                       &o.decay, &o.momentum, &o.epsilon, &o.rho, &o.beta_1, &o.beta_2) != 8)
                fail("optimizer", 0, NULL);
            o.kind = !strcmp(kind, "sgd") ? NNF_OPT_SGD : !strcmp(kind, "adagrad") ? NNF_OPT_ADAGRAD
                     : !strcmp(kind, "rmsprop") ? NNF_OPT_RMSPROP : NNF_OPT_ADAM;
            CHECK(nnf_net_set_optimizer(net, &o));
        } else if (!strcmp(word, "train")) {
            if (fscanf(spec, "%lld %lld %lld %d %31s", &samples, &epochs, &batch, &order,
                       kind) != 5)
                fail("train", 0, NULL);
            labels = kind[0] == 'l';
        } else if (!strcmp(word, "again")) {
            if (fscanf(spec, "%lld", &again) != 1)
                fail("again", 0, NULL);
        } else if (!strcmp(word, "stream")) {
            unsigned long long seed, step;
            if (n_streams == 64 ||
                fscanf(spec, "%d %llu %llu", &streams[n_streams], &seed, &step) != 3)
                fail("stream", 0, NULL);
            CHECK(nnf_net_set_dropout_stream(net, streams[n_streams++], seed, step));
        } else if (!strcmp(word, "stop")) {
            if (fscanf(spec, "%lld", &stop_after) != 1)
                fail("stop", 0, NULL);
        } else {
            fail(word, 0, NULL);
        }
    }
    if (!net || !samples)
        fail("SPEC lacks inputs or train", 0, NULL);
    size_t size = bits == 32 ? sizeof(float) : sizeof(double);
    nnf_idx n_out = nnf_net_outputs(net), rows, cols, rs;
    void *x = read_all((size_t)(samples * inputs), size);
    void *y = labels ? read_all((size_t)samples, sizeof(int64_t))
                     : read_all((size_t)(samples * n_out), size);
    for (int i = 0; i <= 64; i++)
        for (int p = NNF_PARAM_WEIGHTS; p <= NNF_PARAM_BIASES; p++) {
            void *a = nnf_net_param(net, i, (nnf_param)p, &rows, &cols, &rs);
            if (a && fread(a, size, (size_t)(rows * cols), data) != (size_t)(rows * cols))
                fail("reading parameters", 0, net);
        }
    nnf_net_data d = {.n = (nnf_idx)samples, .x = x, .x_rs = (nnf_idx)inputs, .x_cs = 1};
    if (labels)
        d.labels = y, d.labels_s = 1;
    else
        d.targets = y, d.t_rs = n_out, d.t_cs = 1;
    nnf_net_train_options o = {.epochs = epochs, .batch_size = (nnf_idx)batch,
                               .order = order ? order_hook : NULL,
                               .dropout_mask = n_streams ? NULL : mask_hook,
                               .on_step = step_hook, .report_every = 1, .on_epoch = epoch_hook};
    if (!(reports = calloc((size_t)(epochs + again) * REPORT_FIGURES + 1, sizeof *reports)))
        fail("out of memory", 0, net);
    nnf_status trained = nnf_net_train(net, &d, &o);
    if (trained == NNF_OK && again) { /* the optimizer's iterations and state carry on */
        epochs_before = epochs;
        o.epochs = again;
        trained = nnf_net_train(net, &d, &o);
    }
    if (trained != NNF_OK && !(trained == NNF_STOPPED && steps_done == stop_after))
        fail("nnf_net_train", (int)trained, net);
    fclose(spec);
    fclose(data);
    for (int i = 0; i < n_streams; i++) {
        uint64_t seed, step;
        CHECK(nnf_net_get_dropout_stream(net, streams[i], &seed, &step));
        printf("stream %d %llu %llu\n", streams[i], (unsigned long long)seed,
               (unsigned long long)step);
    }
    static const nnf_param kept[] = {NNF_PARAM_WEIGHTS, NNF_PARAM_BIASES,
                                     NNF_PARAM_WEIGHT_MOMENTUMS, NNF_PARAM_WEIGHT_CACHE,
                                     NNF_PARAM_BIAS_MOMENTUMS, NNF_PARAM_BIAS_CACHE};
    for (int i = 0; i <= 64; i++)
        for (int p = 0; p < 6; p++) {
            void *a = nnf_net_param(net, i, kept[p], &rows, &cols, &rs);
            if (a)
                fwrite(a, size, (size_t)(rows * cols), out);
        }
    fwrite(reports, sizeof *reports, (size_t)(epochs + again) * REPORT_FIGURES, out);
    double v[REPORT_FIGURES] = {last_step.data_loss, last_step.regularization_loss,
                                last_step.accuracy, last_step.learning_rate, last_step.loss_sum};
    fwrite(v, sizeof v, 1, out);
    void *outputs = calloc((size_t)(samples * n_out), size);
    if (!outputs)
        fail("out of memory", 0, net);
    CHECK(nnf_net_forward(net, (nnf_idx)samples, x, (nnf_idx)inputs, 1, outputs, n_out, 1,
                          (nnf_idx)batch));
    fwrite(outputs, size, (size_t)(samples * n_out), out);
    free(outputs);
    fclose(out);
    nnf_net_free(net);
    free(x), free(y), free(reports);
    return 0;
}
