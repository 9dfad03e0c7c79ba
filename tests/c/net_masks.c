/* net_masks.c: a network's own dropout masks (nnf_net_set_dropout_stream), for
 * tests/test_c_library.py, which compares them with nnfast.dropout_philox's.
 *
 * Usage: net_masks BITS SAMPLES N RATE SEED STEP BATCH EPOCHS THREADS X OUT
 *   trains inputs N -> dropout(RATE) -> dense 3 -> softmax (cross-entropy, every label 0, SGD)
 *   in float BITS (32|64) on X (SAMPLES, N), the stream (SEED, STEP), BATCH rows a step (0:
 *   all), EPOCHS epochs, on THREADS threads; then writes to OUT the dropout layer's output
 *   and binary mask of the last step (its rows, N each, in the dtype), and prints
 *   "stream SEED NEXT_STEP" (nnf_net_get_dropout_stream) and "rows M" (the last step's).
 * It reads the layer's buffers through the network's internal header (net/net.h): the API
 * shows no layer's activations, and the masks are what this test is for.
 * Exit status: 0, or the failing call's nnf_status (its message on stderr). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include "net/net.h"
#define PROGRAM "net_masks"
#include "check.h"

int main(int argc, char **argv)
{
    if (argc != 12) {
        fprintf(stderr, "usage: net_masks BITS SAMPLES N RATE SEED STEP BATCH EPOCHS THREADS "
                        "X OUT\n");
        return 2;
    }
    int bits = atoi(argv[1]);
    nnf_idx samples = atol(argv[2]), n = atol(argv[3]), batch = atol(argv[7]);
    double rate = atof(argv[4]);
    uint64_t seed = strtoull(argv[5], NULL, 10), step = strtoull(argv[6], NULL, 10);
    long epochs = atol(argv[8]);
    nnf_set_num_threads(atoi(argv[9]));
    nnf_isa_select(getenv("NNFAST_ISA"));
    size_t size = bits == 32 ? sizeof(float) : sizeof(double);
    void *x = malloc((size_t)(samples * n) * size);
    int64_t *labels = calloc((size_t)samples, sizeof *labels);
    FILE *in = fopen(argv[10], "rb");
    if (!x || !labels || !in || fread(x, size, (size_t)(samples * n), in) != (size_t)(samples * n))
        fail("reading X", 0, NULL);
    fclose(in);

    nnf_net *net = NULL;
    CHECK(nnf_net_new(bits == 32 ? NNF_F32 : NNF_F64, n, &net));
    CHECK(nnf_net_add_dropout(net, rate));
    nnf_net_optimizer sgd = nnf_net_optimizer_defaults(NNF_OPT_SGD);
    add_classifier_head(net, 3, &sgd);
    CHECK(nnf_net_set_dropout_stream(net, 0, seed, step));
    nnf_net_data d = {.n = samples, .x = x, .x_rs = n, .x_cs = 1, .labels = labels,
                      .labels_s = 1};
    nnf_net_train_options o = {.epochs = epochs, .batch_size = batch};
    CHECK(nnf_net_train(net, &d, &o));

    uint64_t got_seed, next;
    CHECK(nnf_net_get_dropout_stream(net, 0, &got_seed, &next));
    nnf_idx b = batch == 0 || batch > samples ? samples : batch;
    nnf_idx last_rows = samples - (samples - 1) / b * b;
    const net_layer *l = &net->layers[0];
    FILE *out = fopen(argv[11], "wb");
    if (!out)
        fail("opening OUT", 0, net);
    fwrite(l->out, size, (size_t)(last_rows * n), out);
    fwrite(l->bm, size, (size_t)(last_rows * n), out);
    fclose(out);
    printf("stream %" PRIu64 " %" PRIu64 "\nrows %td\n", got_seed, next, last_rows);
    nnf_net_free(net);
    free(x), free(labels);
    return 0;
}
