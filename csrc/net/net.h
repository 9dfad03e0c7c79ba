/* net/net.h: the network's insides, shared by its files (not public: nnfast.h has the API).
 *
 *   build.c    building: layers, loss, accuracy, optimizer, parameters, errors, free
 *   buffers.c  the batch buffers, grown when a call needs more rows than they hold
 *   pass.inc   one step's work for one dtype: forward, loss and accuracy, backward, update
 *   blocks.inc dense + ReLU -> dropout -> dense in training, a block of rows at a time
 *   pass.c     blocks.inc and pass.inc for float and double, and the two tables of them
 *   train.c    the epochs: batches, sample order, the hooks, the reports; and predict
 *
 * Every array is row-major with its row stride in elements; a layer's arrays are void *,
 * of the network's dtype. */
#ifndef NNF_NET_INTERNAL_H
#define NNF_NET_INTERNAL_H

#include <stdarg.h>
#include "nnfast.h"

typedef struct {
    nnf_layer_kind kind;
    nnf_idx n_in, n_out;
    double reg[4];   /* dense: weight l1, weight l2, bias l1, bias l2 (dense_backward's order) */
    double rate;     /* dropout: the fraction dropped */
    /* The plan (net_plan): a dense layer computes the activation after it in its own calls
     * (NNF_ACT_RELU, or NNF_ACT_SOFTMAX for the softmax of the softmax + cross-entropy
     * output); that activation is then `fused` and does no work of its own. */
    nnf_activation act;
    int fused;
    /* Dense: parameters, gradients and the optimizer's state (NULL: not kept). */
    void *w, *b, *dw, *db, *w_s1, *w_s2, *b_s1, *b_s2;
    /* Batch buffers, rows = the network's capacity: output (rows, n_out) (a fused
     * activation's is its dense layer's), dinputs (rows, n_in), a dense layer's ReLU-masked
     * gradient (rows, n_out), dropout's mask and binary mask (rows, n_out). */
    void *out, *din, *drelu, *bm;
    int64_t *mask;
    /* Dropout's own masks (nnf_net_set_dropout_stream): Philox's stream (seed, step), step
     * the next training step's. */
    int has_stream;
    uint64_t seed, step;
    /* A dropout after a dense layer's ReLU, trained a block of rows at a time (pass.inc's
     * blocks): `blocked` when this step's forward pass did so, and then relu_keep (rows,
     * n_out) holds, per element, bit 0 = the ReLU's output is not <= 0, bit 1 = kept. */
    int blocked;
    uint8_t *relu_keep;
} net_layer;

struct nnf_net;

/* One dtype's work (pass.inc). m: the batch's rows. */
typedef struct {
    size_t size; /* sizeof the element type */
    /* Output of every layer from x (m, n_inputs); in training, dropout's masks drawn by
     * draw->dropout_mask, or without it by each layer's stream at its step. */
    nnf_status (*forward)(struct nnf_net *net, nnf_idx m, const void *x, nnf_idx x_rs,
                          nnf_idx x_cs, int training, const nnf_net_train_options *draw);
    /* The loss's gradient into net->dloss; the batch's loss sum, its mean as the book's
     * step reports it, and the accuracy's matches. */
    nnf_status (*loss)(struct nnf_net *net, nnf_idx m, const int64_t *labels, nnf_idx labels_s,
                       const void *t, nnf_idx t_rs, nnf_idx t_cs, double *loss_sum,
                       double *data_loss, nnf_idx *matches);
    nnf_status (*backward)(struct nnf_net *net, nnf_idx m, const void *x, nnf_idx x_rs,
                           nnf_idx x_cs);
    void (*update)(struct nnf_net *net, const nnf_optim_params *o);
    double (*regularization)(const struct nnf_net *net);
    /* dst (m, n) contiguous = rows order[0..m) of src (., n). */
    void (*gather)(nnf_idx m, nnf_idx n, const int64_t *order, const void *src, nnf_idx rs,
                   nnf_idx cs, void *dst);
    void (*copy_out)(nnf_idx m, nnf_idx n, const void *src, void *dst, nnf_idx rs, nnf_idx cs);
    void (*init_weights)(struct nnf_net *net, uint64_t seed);
} net_ops;

extern const net_ops nnf_net_ops_f32, nnf_net_ops_f64;

struct nnf_net {
    nnf_dtype dtype;
    const net_ops *ops;
    nnf_idx n_inputs;
    int n_layers, cap_layers;
    net_layer *layers;
    int has_loss, has_accuracy, has_optimizer;
    nnf_net_loss loss;
    nnf_net_accuracy accuracy;
    double precision;
    nnf_net_optimizer opt;
    int64_t iterations;
    double current_lr;
    /* Batch buffers (buffers.c): rows for the forward pass, train_rows for training's. */
    nnf_idx rows, train_rows;
    void *dloss;            /* the loss's gradient (train_rows, outputs) */
    void *sample_loss;      /* per-sample losses (train_rows) */
    void *xb, *tb;          /* a shuffled batch's inputs and targets */
    int64_t *lb;            /*   and labels */
    int64_t *order;         /* an epoch's sample order (the data set's n) */
    nnf_idx order_n;
    int output_in_loss;     /* the training pass left the output layer to the loss (pass.inc) */
    void *blocks;           /* each thread's blocks of rows (blocks.inc), blocks_bytes in all */
    size_t blocks_bytes;
    char error[200];
};

/* Records the failure's message; returns st. */
nnf_status net_fail(nnf_net *net, nnf_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Plans the fused activations (freeing the buffers when the plan changes) and, in training,
 * checks the loss, accuracy and layers make a network that trains (NNF_EINVAL). */
nnf_status net_plan(nnf_net *net, int training);
/* Buffers for forward passes of `rows` rows (net_grow_train: and training's too, dropout's
 * masks as a call with the book's masks, book_masks, or without reads them). */
nnf_status net_grow(nnf_net *net, nnf_idx rows);
nnf_status net_grow_train(nnf_net *net, nnf_idx rows, nnf_idx n_samples, int book_masks);
/* Whether layers i .. i + 3 train by blocks (blocks.inc): dense + its ReLU, a dropout drawing
 * from its own stream (not book_masks: the hook's), dense. The dense layer after must take
 * its dinputs from nnf_dense: dense_backward computes them so past 4 inputs (at most 4, in
 * its one-sweep path, whose sums differ). */
int net_blocks_apply(const nnf_net *net, int i, int book_masks);
void net_free_buffers(nnf_net *net);
/* Zeroed memory aligned to a cache line, for count elements of size bytes; NULL if none. */
void *net_alloc(size_t count, size_t size);

#endif
