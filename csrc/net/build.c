/* net/build.c: building a network (layers, loss, accuracy, optimizer), its parameters as the
 * caller sees them, its plan, its errors, and freeing it. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "net.h"

void *net_alloc(size_t count, size_t size)
{
    if (count == 0)
        count = 1;
    if (count > ((size_t)-1 - 64) / size)
        return NULL;
    size_t bytes = (count * size / 64 + 1) * 64; /* C11 aligned_alloc: a multiple of 64 */
    void *p = aligned_alloc(64, bytes);
    if (p)
        memset(p, 0, bytes);
    return p;
}

nnf_status net_fail(nnf_net *net, nnf_status st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(net->error, sizeof net->error, fmt, ap);
    va_end(ap);
    return st;
}

const char *nnf_net_error(const nnf_net *net) { return net ? net->error : "no network"; }

nnf_net_optimizer nnf_net_optimizer_defaults(nnf_optimizer kind)
{
    nnf_net_optimizer o = {kind, .learning_rate = 1.0, .epsilon = 1e-7, .rho = 0.9,
                           .beta_1 = 0.9, .beta_2 = 0.999};
    if (kind == NNF_OPT_RMSPROP || kind == NNF_OPT_ADAM)
        o.learning_rate = 0.001;
    return o;
}

nnf_status nnf_net_new(nnf_dtype dtype, nnf_idx n_inputs, nnf_net **net)
{
    *net = NULL;
    if ((dtype != NNF_F32 && dtype != NNF_F64) || n_inputs < 1)
        return NNF_EINVAL;
    nnf_net *p = calloc(1, sizeof *p);
    if (!p)
        return NNF_ENOMEM;
    p->dtype = dtype;
    p->ops = dtype == NNF_F32 ? &nnf_net_ops_f32 : &nnf_net_ops_f64;
    p->n_inputs = n_inputs;
    *net = p;
    return NNF_OK;
}

static void free_state(net_layer *l)
{
    free(l->w_s1);
    free(l->w_s2);
    free(l->b_s1);
    free(l->b_s2);
    l->w_s1 = l->w_s2 = l->b_s1 = l->b_s2 = NULL;
}

void nnf_net_free(nnf_net *net)
{
    if (!net)
        return;
    net_free_buffers(net);
    for (int i = 0; i < net->n_layers; i++) {
        net_layer *l = &net->layers[i];
        free(l->w);
        free(l->b);
        free(l->dw);
        free(l->db);
        free_state(l);
    }
    free(net->layers);
    free(net);
}

nnf_idx nnf_net_outputs(const nnf_net *net)
{
    return net->n_layers ? net->layers[net->n_layers - 1].n_out : net->n_inputs;
}

/* A new layer at the end, of width n_out (0: its input's, the last layer's output); NULL
 * with *st set on failure. */
static net_layer *add_layer(nnf_net *net, nnf_layer_kind kind, nnf_idx n_out, nnf_status *st)
{
    net->error[0] = '\0';
    *st = NNF_OK;
    if (net->has_optimizer) {
        *st = net_fail(net, NNF_EINVAL, "nnf_net_add: layers come before nnf_net_set_optimizer "
                       "(its state has one array per dense layer)");
        return NULL;
    }
    if (net->n_layers == net->cap_layers) {
        int cap = net->cap_layers ? 2 * net->cap_layers : 8;
        net_layer *grown = realloc(net->layers, (size_t)cap * sizeof *grown);
        if (!grown) {
            *st = net_fail(net, NNF_ENOMEM, "nnf_net_add: out of memory");
            return NULL;
        }
        net->layers = grown;
        net->cap_layers = cap;
    }
    net_free_buffers(net); /* sized for the layers there were */
    net_layer *l = &net->layers[net->n_layers];
    memset(l, 0, sizeof *l);
    l->kind = kind;
    l->n_in = nnf_net_outputs(net);
    l->n_out = n_out ? n_out : l->n_in;
    net->n_layers++;
    return l;
}

nnf_status nnf_net_add_dense(nnf_net *net, nnf_idx n_outputs, double weight_l1,
                             double weight_l2, double bias_l1, double bias_l2)
{
    double reg[4] = {weight_l1, weight_l2, bias_l1, bias_l2};
    for (int i = 0; i < 4; i++)
        if (!isfinite(reg[i]))
            return net_fail(net, NNF_EINVAL, "nnf_net_add_dense: regularizer %d is not finite", i);
    if (n_outputs < 1)
        return net_fail(net, NNF_EINVAL, "nnf_net_add_dense: n_outputs must be >= 1, got %td",
                        n_outputs);
    nnf_status st;
    net_layer *l = add_layer(net, NNF_LAYER_DENSE, n_outputs, &st);
    if (!l)
        return st;
    memcpy(l->reg, reg, sizeof reg);
    size_t size = net->ops->size, nw = (size_t)l->n_in * (size_t)n_outputs;
    l->w = net_alloc(nw, size);
    l->dw = net_alloc(nw, size);
    l->b = net_alloc((size_t)n_outputs, size);
    l->db = net_alloc((size_t)n_outputs, size);
    if (!l->w || !l->dw || !l->b || !l->db) {
        free(l->w), free(l->dw), free(l->b), free(l->db);
        net->n_layers--;
        return net_fail(net, NNF_ENOMEM, "nnf_net_add_dense: out of memory for %td x %td "
                        "weights", l->n_in, n_outputs);
    }
    return NNF_OK;
}

nnf_status nnf_net_add_activation(nnf_net *net, nnf_layer_kind kind)
{
    if (kind != NNF_LAYER_RELU && kind != NNF_LAYER_SOFTMAX && kind != NNF_LAYER_SIGMOID &&
        kind != NNF_LAYER_LINEAR)
        return net_fail(net, NNF_EINVAL, "nnf_net_add_activation: kind %d is not an "
                        "activation (NNF_LAYER_RELU, SOFTMAX, SIGMOID or LINEAR)", (int)kind);
    nnf_status st;
    add_layer(net, kind, 0, &st);
    return st;
}

nnf_status nnf_net_add_dropout(nnf_net *net, double rate)
{
    if (!(rate >= 0 && rate < 1))
        return net_fail(net, NNF_EINVAL, "nnf_net_add_dropout: rate must be in [0, 1), got %g",
                        rate);
    nnf_status st;
    net_layer *l = add_layer(net, NNF_LAYER_DROPOUT, 0, &st);
    if (l)
        l->rate = rate;
    return st;
}

nnf_status nnf_net_set_loss(nnf_net *net, nnf_net_loss loss)
{
    net->error[0] = '\0';
    if (loss != NNF_NET_CCE && loss != NNF_NET_BCE && loss != NNF_NET_MSE && loss != NNF_NET_MAE)
        return net_fail(net, NNF_EINVAL, "nnf_net_set_loss: unknown loss %d", (int)loss);
    net->loss = loss;
    net->has_loss = 1;
    return NNF_OK;
}

nnf_status nnf_net_set_accuracy(nnf_net *net, nnf_net_accuracy kind, double precision)
{
    net->error[0] = '\0';
    if (kind != NNF_ACC_CATEGORICAL && kind != NNF_ACC_BINARY && kind != NNF_ACC_REGRESSION)
        return net_fail(net, NNF_EINVAL, "nnf_net_set_accuracy: unknown accuracy %d", (int)kind);
    if (kind == NNF_ACC_REGRESSION && !(precision >= 0))
        return net_fail(net, NNF_EINVAL, "nnf_net_set_accuracy: precision must be >= 0, got %g",
                        precision);
    net->accuracy = kind;
    net->precision = precision;
    net->has_accuracy = 1;
    return NNF_OK;
}

nnf_status nnf_net_set_optimizer(nnf_net *net, const nnf_net_optimizer *o)
{
    net->error[0] = '\0';
    nnf_optimizer k = o->kind;
    if (k != NNF_OPT_SGD && k != NNF_OPT_SGD_MOMENTUM && k != NNF_OPT_ADAGRAD &&
        k != NNF_OPT_RMSPROP && k != NNF_OPT_ADAM)
        return net_fail(net, NNF_EINVAL, "nnf_net_set_optimizer: unknown kind %d", (int)k);
    const double h[7] = {o->learning_rate, o->decay, o->momentum, o->epsilon, o->rho,
                         o->beta_1, o->beta_2};
    for (int i = 0; i < 7; i++)
        if (!isfinite(h[i]))
            return net_fail(net, NNF_EINVAL, "nnf_net_set_optimizer: hyperparameters must be "
                            "finite");
    /* Which state the kind keeps, as the book's optimizers create it. */
    int momentums = (k == NNF_OPT_SGD || k == NNF_OPT_SGD_MOMENTUM) ? o->momentum != 0
                                                                   : k == NNF_OPT_ADAM;
    int cache = k == NNF_OPT_ADAGRAD || k == NNF_OPT_RMSPROP || k == NNF_OPT_ADAM;
    size_t size = net->ops->size;
    for (int i = 0; i < net->n_layers; i++)
        free_state(&net->layers[i]);
    for (int i = 0; i < net->n_layers; i++) {
        net_layer *l = &net->layers[i];
        if (l->kind != NNF_LAYER_DENSE)
            continue;
        size_t nw = (size_t)l->n_in * (size_t)l->n_out, nb = (size_t)l->n_out;
        /* s1: momentums (SGD, Adam) or cache (Adagrad, RMSprop); s2: Adam's cache. */
        if (momentums || cache) {
            l->w_s1 = net_alloc(nw, size);
            l->b_s1 = net_alloc(nb, size);
        }
        if (momentums && cache) {
            l->w_s2 = net_alloc(nw, size);
            l->b_s2 = net_alloc(nb, size);
        }
        if (((momentums || cache) && (!l->w_s1 || !l->b_s1)) ||
            (momentums && cache && (!l->w_s2 || !l->b_s2))) {
            for (int j = 0; j <= i; j++)
                free_state(&net->layers[j]);
            net->has_optimizer = 0;
            return net_fail(net, NNF_ENOMEM, "nnf_net_set_optimizer: out of memory for state");
        }
    }
    net->opt = *o;
    if (k == NNF_OPT_SGD_MOMENTUM)
        net->opt.kind = NNF_OPT_SGD;
    net->iterations = 0;
    net->current_lr = o->learning_rate;
    net->has_optimizer = 1;
    return NNF_OK;
}

void nnf_net_get_iterations(const nnf_net *net, int64_t *iterations, double *learning_rate)
{
    *iterations = net->iterations;
    *learning_rate = net->current_lr;
}

nnf_status nnf_net_set_iterations(nnf_net *net, int64_t iterations, double learning_rate)
{
    if (iterations < 0 || !isfinite(learning_rate))
        return net_fail(net, NNF_EINVAL, "nnf_net_set_iterations: iterations must be >= 0 and "
                        "the learning rate finite");
    net->iterations = iterations;
    net->current_lr = learning_rate;
    return NNF_OK;
}

void *nnf_net_param(nnf_net *net, int layer, nnf_param which, nnf_idx *rows, nnf_idx *cols,
                    nnf_idx *row_stride)
{
    *rows = *cols = *row_stride = 0;
    if (layer < 0 || layer >= net->n_layers || net->layers[layer].kind != NNF_LAYER_DENSE)
        return NULL;
    net_layer *l = &net->layers[layer];
    int bias = which == NNF_PARAM_BIASES || which == NNF_PARAM_DBIASES ||
               which == NNF_PARAM_BIAS_MOMENTUMS || which == NNF_PARAM_BIAS_CACHE;
    /* The state the kind keeps: momentums in s1 (SGD, Adam), cache in s1 (Adagrad,
     * RMSprop) or s2 (Adam). */
    int adam = net->opt.kind == NNF_OPT_ADAM, sgd = net->opt.kind == NNF_OPT_SGD;
    void *p = NULL;
    switch (which) {
    case NNF_PARAM_WEIGHTS: p = l->w; break;
    case NNF_PARAM_BIASES: p = l->b; break;
    case NNF_PARAM_DWEIGHTS: p = l->dw; break;
    case NNF_PARAM_DBIASES: p = l->db; break;
    case NNF_PARAM_WEIGHT_MOMENTUMS: p = (adam || sgd) ? l->w_s1 : NULL; break;
    case NNF_PARAM_BIAS_MOMENTUMS: p = (adam || sgd) ? l->b_s1 : NULL; break;
    case NNF_PARAM_WEIGHT_CACHE: p = adam ? l->w_s2 : sgd ? NULL : l->w_s1; break;
    case NNF_PARAM_BIAS_CACHE: p = adam ? l->b_s2 : sgd ? NULL : l->b_s1; break;
    }
    if (p) {
        *rows = bias ? 1 : l->n_in;
        *cols = *row_stride = l->n_out;
    }
    return p;
}

/* Layer `layer` if it is dropout; else NULL, with fn's message. */
static net_layer *dropout_layer(nnf_net *net, int layer, const char *fn)
{
    net->error[0] = '\0';
    if (layer < 0 || layer >= net->n_layers || net->layers[layer].kind != NNF_LAYER_DROPOUT) {
        net_fail(net, NNF_EINVAL, "%s: layer %d is not a dropout layer", fn, layer);
        return NULL;
    }
    return &net->layers[layer];
}

nnf_status nnf_net_set_dropout_stream(nnf_net *net, int layer, uint64_t seed, uint64_t step)
{
    net_layer *l = dropout_layer(net, layer, "nnf_net_set_dropout_stream");
    if (!l)
        return NNF_EINVAL;
    l->has_stream = 1;
    l->seed = seed;
    l->step = step;
    return NNF_OK;
}

nnf_status nnf_net_get_dropout_stream(nnf_net *net, int layer, uint64_t *seed, uint64_t *step)
{
    net_layer *l = dropout_layer(net, layer, "nnf_net_get_dropout_stream");
    if (!l)
        return NNF_EINVAL;
    if (!l->has_stream)
        return net_fail(net, NNF_EINVAL, "nnf_net_get_dropout_stream: layer %d has no stream "
                        "(nnf_net_set_dropout_stream sets one)", layer);
    *seed = l->seed;
    *step = l->step;
    return NNF_OK;
}

void nnf_net_init_weights(nnf_net *net, uint64_t seed) { net->ops->init_weights(net, seed); }

nnf_status net_plan(nnf_net *net, int training)
{
    int n = net->n_layers;
    if (n == 0)
        return net_fail(net, NNF_EINVAL, "the network has no layers");
    const net_layer *last = &net->layers[n - 1];
    int softmax_out = last->kind == NNF_LAYER_SOFTMAX;
    int softmax_cce = net->has_loss && net->loss == NNF_NET_CCE && softmax_out;
    if (training) {
        if (!net->has_loss || !net->has_accuracy || !net->has_optimizer)
            return net_fail(net, NNF_EINVAL, "nnf_net_train: set the loss, the accuracy and the "
                            "optimizer first");
        if ((net->accuracy == NNF_ACC_CATEGORICAL) != softmax_out)
            return net_fail(net, NNF_EINVAL, "nnf_net_train: the categorical accuracy compares "
                            "an output softmax's argmax, the binary and regression ones the "
                            "outputs themselves: the last layer %s a softmax",
                            softmax_out ? "is" : "is not");
    }
    /* Model.train's fusion: a dense layer computes the ReLU after it, and the output softmax
     * of softmax + cross-entropy; the buffers follow the plan. */
    int changed = 0;
    for (int i = 0; i < n; i++) {
        net_layer *l = &net->layers[i];
        const net_layer *next = i + 1 < n ? &net->layers[i + 1] : NULL;
        nnf_activation act = NNF_ACT_NONE;
        if (l->kind == NNF_LAYER_DENSE && next) {
            if (next->kind == NNF_LAYER_RELU)
                act = NNF_ACT_RELU;
            else if (next->kind == NNF_LAYER_SOFTMAX && i + 2 == n && softmax_cce)
                act = NNF_ACT_SOFTMAX;
        }
        int fused = i > 0 && net->layers[i - 1].act != NNF_ACT_NONE;
        changed |= act != l->act || fused != l->fused;
        l->act = act;
        l->fused = fused;
    }
    if (changed)
        net_free_buffers(net);
    return NNF_OK;
}
