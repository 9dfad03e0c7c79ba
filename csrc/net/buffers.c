/* net/buffers.c: a network's batch buffers. A forward pass needs each layer's output; a
 * training step also its gradients, dropout's masks (those its path reads), the loss's
 * gradient and per-sample losses and, with a sample order, the batch gathered. Each set is
 * allocated for the largest batch a call has needed so far and kept: the next call of that
 * size allocates nothing. */
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

int net_blocks_apply(const nnf_net *net, int i, int book_masks)
{
    if (i + 3 >= net->n_layers || book_masks)
        return 0;
    const net_layer *l = net->layers + i;
    return l[0].kind == NNF_LAYER_DENSE && l[0].act == NNF_ACT_RELU && l[1].fused &&
           l[2].kind == NNF_LAYER_DROPOUT && l[3].kind == NNF_LAYER_DENSE && l[0].n_out > 4;
}

/* Each dropout's masks as this call's steps read them, allocated the first time a call
 * needs them (chapter 18's fast masks would otherwise hold 36 MB never touched): run by
 * blocks, the ReLU's sign and kept bits (relu_keep); layer by layer, the binary mask (bm),
 * and with the book's masks (the hook) the drawn mask too. The layers are walked as the
 * forward pass walks them: a block's layers are skipped, so a dropout right after a block is
 * a layer-by-layer one. Returns -1 when out of memory. */
static int grow_masks(nnf_net *net, int book_masks)
{
    const size_t size = net->ops->size, r = (size_t)net->rows;
    for (int i = 0; i < net->n_layers; i++) {
        net_layer *l = &net->layers[i];
        if (!l->fused && net_blocks_apply(net, i, book_masks)) {
            net_layer *drop = l + 2;
            if (!drop->relu_keep && !(drop->relu_keep = net_alloc(r * drop->n_out, 1)))
                return -1;
            i += 3;
            continue;
        }
        if (l->kind != NNF_LAYER_DROPOUT)
            continue;
        if (!l->bm && !(l->bm = net_alloc(r * l->n_out, size)))
            return -1;
        if (book_masks && !l->mask && !(l->mask = net_alloc(r * l->n_out, sizeof(int64_t))))
            return -1;
    }
    return 0;
}

nnf_status net_grow_train(nnf_net *net, nnf_idx rows, nnf_idx n_samples, int book_masks)
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
        }
        if (!(net->dloss = net_alloc(r * (size_t)nnf_net_outputs(net), size)) ||
            !(net->sample_loss = net_alloc(r, size)))
            return out_of_memory(net, rows);
        net->train_rows = net->rows;
    }
    if (grow_masks(net, book_masks) != 0)
        return out_of_memory(net, rows);
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
