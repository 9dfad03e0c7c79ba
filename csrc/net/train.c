/* net/train.c: the book's Model.train as epochs of steps over batches (nnf_net_train), and
 * its predict (nnf_net_forward). Everything the steps need is checked, and every buffer
 * allocated, before the first step changes anything. */
#include <math.h>
#include "net.h"

/* p advanced by `elems` elements of `size` bytes (elems may be negative: strides are). */
#define AT(p, elems, size) ((const char *)(p) + (ptrdiff_t)(elems) * (ptrdiff_t)(size))

/* The data set fits the network and its loss and accuracy: NNF_ESHAPE, NNF_EINVAL or
 * NNF_ELABEL (naming the first sample whose label is out of range). */
static nnf_status check_data(nnf_net *net, const nnf_net_data *d)
{
    const char *fn = "nnf_net_train";
    if (d->n < 1 || !d->x)
        return net_fail(net, NNF_ESHAPE, "%s: the data set needs inputs and at least one sample",
                        fn);
    int cce = net->loss == NNF_NET_CCE;
    if (cce ? (d->labels != NULL) == (d->targets != NULL) : d->labels || !d->targets)
        return net_fail(net, NNF_EINVAL, "%s: %s", fn,
                        cce ? "categorical cross-entropy takes labels or one-hot targets, one "
                              "of the two"
                            : "binary cross-entropy, MSE and MAE take targets, not labels");
    if (d->labels && net->accuracy != NNF_ACC_CATEGORICAL)
        return net_fail(net, NNF_EINVAL, "%s: class labels need the categorical accuracy; the "
                        "binary and regression ones compare the outputs with targets", fn);
    const nnf_idx k = nnf_net_outputs(net);
    if (d->labels)
        for (nnf_idx i = 0; i < d->n; i++) {
            int64_t c = d->labels[i * d->labels_s];
            if (c < 0 || c >= k)
                return net_fail(net, NNF_ELABEL, "%s: sample %td has label %lld, outside [0, %td)",
                                fn, i, (long long)c, k);
        }
    return NNF_OK;
}

/* The first dropout layer without a stream, or -1. */
static int dropout_without_stream(const nnf_net *net)
{
    for (int i = 0; i < net->n_layers; i++)
        if (net->layers[i].kind == NNF_LAYER_DROPOUT && !net->layers[i].has_stream)
            return i;
    return -1;
}

/* The book's optimizer at this step: the learning rate decayed by the iterations so far
 * (pre_update_params), Adam's bias corrections for this iteration. */
static nnf_optim_params step_params(nnf_net *net)
{
    const nnf_net_optimizer *o = &net->opt;
    if (o->decay != 0)
        net->current_lr = o->learning_rate * (1. / (1. + o->decay * (double)net->iterations));
    nnf_optim_params p = {o->kind, .learning_rate = net->current_lr, .momentum = o->momentum,
                          .epsilon = o->epsilon, .rho = o->rho, .beta_1 = o->beta_1,
                          .beta_2 = o->beta_2};
    if (o->kind == NNF_OPT_SGD && o->momentum != 0)
        p.kind = NNF_OPT_SGD_MOMENTUM;
    if (o->kind == NNF_OPT_ADAM) {
        p.correction_1 = 1 - pow(o->beta_1, (double)net->iterations + 1);
        p.correction_2 = 1 - pow(o->beta_2, (double)net->iterations + 1);
    }
    return p;
}

/* The running sums of an epoch, as the book's loss and accuracy accumulate them. */
typedef struct {
    double loss_sum;
    nnf_idx samples, matches;
    int in_float; /* loss_sum a float32 sum: see loss_sum_in_float */
} epoch_sums;

/* Whether the book's Loss accumulates an epoch's loss in float32: each step's np.sum of its
 * float32 per-sample losses added to accumulated_sum (a NumPy float32), then divided by the
 * count in float32. Not softmax + cross-entropy's fused loss, whose sum is in double on
 * either path. */
static int loss_sum_in_float(const nnf_net *net)
{
    return net->ops->size == sizeof(float) &&
           !(net->loss == NNF_NET_CCE && net->layers[net->n_layers - 1].kind == NNF_LAYER_SOFTMAX);
}

/* The epoch's mean loss so far, as calculate_accumulated divides it. */
static double epoch_loss(const epoch_sums *sums)
{
    return sums->in_float ? (double)((float)sums->loss_sum / (float)sums->samples)
                          : sums->loss_sum / (double)sums->samples;
}

/* One step over the batch of m samples from `start` (in the epoch's order, if any). */
static nnf_status step(nnf_net *net, const nnf_net_data *d, const nnf_net_train_options *o,
                       const int64_t *order, nnf_idx start, nnf_idx m, nnf_net_report *report,
                       epoch_sums *sums)
{
    const net_ops *ops = net->ops;
    const size_t size = ops->size;
    const nnf_idx k = nnf_net_outputs(net);
    const void *x = AT(d->x, start * d->x_rs, size);
    const void *t = d->targets ? AT(d->targets, start * d->t_rs, size)
                               : NULL;
    const int64_t *labels = d->labels ? d->labels + start * d->labels_s : NULL;
    nnf_idx x_rs = d->x_rs, x_cs = d->x_cs, t_rs = d->t_rs, t_cs = d->t_cs, l_s = d->labels_s;
    if (order) { /* the batch's rows gathered, as X[permutation][batch] is */
        ops->gather(m, net->n_inputs, order + start, d->x, d->x_rs, d->x_cs, net->xb);
        x = net->xb, x_rs = net->n_inputs, x_cs = 1;
        if (t) {
            ops->gather(m, k, order + start, d->targets, d->t_rs, d->t_cs, net->tb);
            t = net->tb, t_rs = k, t_cs = 1;
        }
        if (labels) {
            for (nnf_idx i = 0; i < m; i++)
                net->lb[i] = d->labels[order[start + i] * d->labels_s];
            labels = net->lb, l_s = 1;
        }
    }
    double loss_sum = 0, data_loss = 0;
    nnf_idx matches = 0;
    nnf_status st = ops->forward(net, m, x, x_rs, x_cs, 1, o);
    if (st == NNF_OK)
        st = ops->loss(net, m, labels, l_s, t, t_rs, t_cs, &loss_sum, &data_loss, &matches);
    if (st != NNF_OK)
        return st;
    double regularization = ops->regularization(net);
    if ((st = ops->backward(net, m, x, x_rs, x_cs)) != NNF_OK)
        return st;
    nnf_optim_params p = step_params(net);
    ops->update(net, &p);
    net->iterations++;
    if (!o->dropout_mask) /* the streams move on to the next step's masks */
        for (int i = 0; i < net->n_layers; i++)
            net->layers[i].step += net->layers[i].kind == NNF_LAYER_DROPOUT;
    /* A step's accuracy: the mean over its (m, k) comparisons (m for the categorical). */
    nnf_idx compared = net->accuracy == NNF_ACC_CATEGORICAL ? m : m * k;
    *report = (nnf_net_report){report->epoch, report->step, data_loss, regularization,
                               (double)matches / (double)compared, net->current_lr, loss_sum};
    sums->loss_sum = sums->in_float ? (double)((float)sums->loss_sum + (float)loss_sum)
                                    : sums->loss_sum + loss_sum;
    sums->samples += m;
    sums->matches += matches;
    return NNF_OK;
}

nnf_status nnf_net_train(nnf_net *net, const nnf_net_data *data,
                         const nnf_net_train_options *options)
{
    net->error[0] = '\0';
    const nnf_net_train_options *o = options;
    nnf_status st = net_plan(net, 1);
    if (st != NNF_OK || (st = check_data(net, data)) != NNF_OK)
        return st;
    if (o->epochs < 0 || o->batch_size < 0 || (o->on_step && o->report_every < 1))
        return net_fail(net, NNF_EINVAL, "nnf_net_train: epochs and batch_size must be >= 0, "
                        "report_every >= 1");
    int streamless = dropout_without_stream(net);
    if (streamless >= 0 && !o->dropout_mask)
        return net_fail(net, NNF_EINVAL, "nnf_net_train: dropout layer %d needs its masks: "
                        "options->dropout_mask, or its stream (nnf_net_set_dropout_stream)",
                        streamless);
    const nnf_idx n = data->n;
    const nnf_idx batch = o->batch_size == 0 || o->batch_size > n ? n : o->batch_size;
    const nnf_idx steps = (n + batch - 1) / batch;
    if ((st = net_grow_train(net, batch, o->order ? n : 0, o->dropout_mask != NULL)) != NNF_OK)
        return st;
    for (int64_t epoch = 1; epoch <= o->epochs; epoch++) {
        const int64_t *order = NULL;
        if (o->order) {
            if (o->order(o->ctx, epoch, n, net->order) != 0)
                return net_fail(net, NNF_ECALLBACK, "nnf_net_train: order failed (epoch %lld)",
                                (long long)epoch);
            for (nnf_idx i = 0; i < n; i++)
                if (net->order[i] < 0 || net->order[i] >= n)
                    return net_fail(net, NNF_EINVAL, "nnf_net_train: order[%td] = %lld is not a "
                                    "sample", i, (long long)net->order[i]);
            order = net->order;
        }
        epoch_sums sums = {0, 0, 0, loss_sum_in_float(net)};
        for (nnf_idx s = 0; s < steps; s++) {
            nnf_net_report r = {epoch, s, 0, 0, 0, 0, 0};
            nnf_idx start = s * batch, m = n - start < batch ? n - start : batch;
            if ((st = step(net, data, o, order, start, m, &r, &sums)) != NNF_OK)
                return st;
            if (o->on_step && (s % o->report_every == 0 || s == steps - 1) &&
                o->on_step(o->ctx, &r) != 0)
                return NNF_STOPPED;
        }
        nnf_net_report r = {epoch, steps, epoch_loss(&sums),
                            net->ops->regularization(net),
                            (double)sums.matches / (double)sums.samples, net->current_lr,
                            sums.loss_sum};
        if (o->on_epoch && o->on_epoch(o->ctx, &r) != 0)
            return NNF_STOPPED;
    }
    return NNF_OK;
}

nnf_status nnf_net_forward(nnf_net *net, nnf_idx n, const void *x, nnf_idx x_rs, nnf_idx x_cs,
                           void *out, nnf_idx out_rs, nnf_idx out_cs, nnf_idx batch_size)
{
    net->error[0] = '\0';
    nnf_status st = net_plan(net, 0);
    if (st != NNF_OK)
        return st;
    if (n < 0 || batch_size < 0 || (n > 0 && (!x || !out)))
        return net_fail(net, NNF_ESHAPE, "nnf_net_forward: n and batch_size must be >= 0, x "
                        "and out given");
    if (n == 0)
        return NNF_OK;
    const nnf_idx batch = batch_size == 0 || batch_size > n ? n : batch_size;
    if ((st = net_grow(net, batch)) != NNF_OK)
        return st;
    const size_t size = net->ops->size;
    const nnf_idx k = nnf_net_outputs(net);
    for (nnf_idx start = 0; start < n; start += batch) {
        nnf_idx m = n - start < batch ? n - start : batch;
        const void *xs = AT(x, start * x_rs, size);
        if ((st = net->ops->forward(net, m, xs, x_rs, x_cs, 0, NULL)) != NNF_OK)
            return st;
        net->ops->copy_out(m, k, net->layers[net->n_layers - 1].out,
                           (char *)out + start * out_rs * (ptrdiff_t)size, out_rs, out_cs);
    }
    return NNF_OK;
}
