/* net/buffers.c: a network's batch buffers. A forward pass needs each layer's output; a
 * training step also its gradients, dropout's masks, the loss's gradient and per-sample
 * losses and, with a sample order, the batch gathered. Each set is allocated for the
 * largest batch a call has needed so far and kept: the next call of that size allocates
 * nothing. */
#include <stdlib.h>
#include "net.h"

void net_free_buffers(nnf_net *net)
{
    for (int i = 0; i < net->n_layers; i++) {
        net_layer *l = &net->layers[i];
        if (!l->fused)
            free(l->out);
        free(l->din);
        free(l->drelu);
        free(l->bm);
        free(l->mask);
        free(l->relu_keep);
        l->out = l->din = l->drelu = l->bm = NULL;
        l->mask = NULL;
        l->relu_keep = NULL;
    }
    free(net->dloss);
    free(net->sample_loss);
    free(net->xb);
    free(net->tb);
    free(net->lb);
    free(net->order);
    free(net->blocks);
    net->blocks = NULL;
    net->blocks_bytes = 0;
    net->dloss = net->sample_loss = net->xb = net->tb = NULL;
    net->lb = net->order = NULL;
    net->rows = net->train_rows = net->order_n = 0;
}

static nnf_status out_of_memory(nnf_net *net, nnf_idx rows)
{
    net_free_buffers(net);
    return net_fail(net, NNF_ENOMEM, "out of memory for the buffers of a %td-row batch", rows);
}

nnf_status net_grow(nnf_net *net, nnf_idx rows)
{
    if (rows <= net->rows)
        return NNF_OK;
    net_free_buffers(net); /* the training buffers match these rows */
    size_t size = net->ops->size;
    for (int i = 0; i < net->n_layers; i++) {
        net_layer *l = &net->layers[i];
        /* A fused activation's output is its dense layer's (which computes it in place). */
        l->out = l->fused ? net->layers[i - 1].out : net_alloc((size_t)rows * l->n_out, size);
        if (!l->out)
            return out_of_memory(net, rows);
    }
    net->rows = rows;
    return NNF_OK;
}

nnf_status net_grow_train(nnf_net *net, nnf_idx rows, nnf_idx n_samples)
{
    nnf_status st = net_grow(net, rows > net->train_rows ? rows : net->train_rows);
    if (st != NNF_OK)
        return st;
    size_t size = net->ops->size, r = (size_t)net->rows;
    if (net->train_rows < rows) {
        for (int i = 0; i < net->n_layers; i++) {
            net_layer *l = &net->layers[i];
            if (l->fused)
                continue;
            if (i > 0 && !(l->din = net_alloc(r * l->n_in, size)))
                return out_of_memory(net, rows);
            if (l->act == NNF_ACT_RELU && !(l->drelu = net_alloc(r * l->n_out, size)))
                return out_of_memory(net, rows);
            if (l->kind == NNF_LAYER_DROPOUT &&
                (!(l->bm = net_alloc(r * l->n_out, size)) ||
                 !(l->mask = net_alloc(r * l->n_out, sizeof(int64_t)))))
                return out_of_memory(net, rows);
            if (l->kind == NNF_LAYER_DROPOUT && i >= 2 && net->layers[i - 1].fused &&
                net->layers[i - 2].act == NNF_ACT_RELU &&
                !(l->relu_keep = net_alloc(r * l->n_out, 1)))
                return out_of_memory(net, rows);
        }
        if (!(net->dloss = net_alloc(r * (size_t)nnf_net_outputs(net), size)) ||
            !(net->sample_loss = net_alloc(r, size)))
            return out_of_memory(net, rows);
        net->train_rows = net->rows;
    }
    if (n_samples > 0 && !net->xb) { /* a shuffled batch, gathered */
        size_t k = (size_t)nnf_net_outputs(net);
        if (!(net->xb = net_alloc(r * (size_t)net->n_inputs, size)) ||
            !(net->tb = net_alloc(r * k, size)) || !(net->lb = net_alloc(r, sizeof(int64_t))))
            return out_of_memory(net, rows);
    }
    if (n_samples > net->order_n) {
        free(net->order);
        if (!(net->order = net_alloc((size_t)n_samples, sizeof(int64_t))))
            return out_of_memory(net, rows);
        net->order_n = n_samples;
    }
    return NNF_OK;
}
