/* losses.c: the losses, their backward passes beside them, and accuracy. Categorical
 * cross-entropy (also fused with softmax) and accuracy take class labels (labels.c); binary
 * cross-entropy, mean squared and mean absolute error take targets of the predictions' shape. */
#include "binding.h"
#include <math.h>

static PyObject *py_cce(PyObject *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    static const char *const names[] = {"y_pred", "y_true", "reduction"};
    const char *fn = "categorical_crossentropy";
    PyObject *v[3], *ret = NULL;
    PyArrayObject *res = NULL;
    nnf_reduction red;
    labelled d;
    if (parse_args(fn, args, nargs, kwnames, names, 3, 2, v) < 0)
        return NULL;
    if (reduction_arg(fn, v[2], &red) < 0)
        return NULL;
    if (labelled_parse(fn, "y_pred", v[0], v[1], &d) < 0)
        goto done;
    double total[1]; /* room for one float64: the scalar result of either type */
    void *loss = total;
    nnf_idx loss_s = 0, bad = 0;
    if (red == NNF_REDUCE_NONE) {
        npy_intp m = d.P.m;
        if (!(res = new_array(1, &m, d.t)))
            goto done;
        loss = PyArray_DATA(res);
        loss_s = 1;
    }
    if (RUN_LABEL_KERNEL(fn, &d, &bad, (double)d.P.m * d.P.n, nnf_cce, d.P.m, d.P.n, d.P.data,
                         d.P.rs, d.P.cs, LABEL_ARGS(d), red, loss, loss_s, &bad) == 0)
        ret = res ? (PyObject *)res : scalar_of(d.t, loss);
    if (ret == (PyObject *)res)
        res = NULL;
done:
    labelled_clear(&d);
    Py_XDECREF(res);
    return ret;
}

static PyObject *py_softmax_cce(PyObject *self, PyObject *const *args, Py_ssize_t nargs,
                                PyObject *kwnames)
{
    static const char *const names[] = {"logits", "y_true"};
    const char *fn = "softmax_crossentropy";
    PyObject *v[2], *ret = NULL;
    PyArrayObject *probs = NULL;
    labelled d;
    if (parse_args(fn, args, nargs, kwnames, names, 2, 2, v) < 0)
        return NULL;
    if (labelled_parse(fn, "logits", v[0], v[1], &d) < 0 ||
        !(probs = new_array(2, PyArray_DIMS(d.pred), d.t)))
        goto done;
    mat Pr = mat_of(probs);
    double loss[1];
    nnf_idx bad = 0;
    if (RUN_LABEL_KERNEL(fn, &d, &bad, (double)d.P.m * d.P.n * 8, nnf_softmax_cce, d.P.m, d.P.n,
                         d.P.data, d.P.rs, d.P.cs, LABEL_ARGS(d), Pr.data, Pr.rs, Pr.cs,
                         (void *)loss, &bad) == 0) {
        PyObject *s = scalar_of(d.t, loss);
        if (s)
            ret = PyTuple_Pack(2, s, (PyObject *)probs);
        Py_XDECREF(s);
    }
done:
    labelled_clear(&d);
    Py_XDECREF(probs);
    return ret;
}

static PyObject *py_accuracy(PyObject *self, PyObject *const *args, Py_ssize_t nargs,
                             PyObject *kwnames)
{
    static const char *const names[] = {"y_pred", "y_true"};
    const char *fn = "accuracy";
    PyObject *v[2], *ret = NULL;
    labelled d;
    if (parse_args(fn, args, nargs, kwnames, names, 2, 2, v) < 0)
        return NULL;
    if (labelled_parse(fn, "y_pred", v[0], v[1], &d) < 0)
        goto done;
    if (d.P.m > 0 && d.P.n == 0) {
        PyErr_Format(PyExc_ValueError, "%s: y_pred has shape %s: no classes to take the argmax "
                     "of", fn, SHAPE(d.pred));
        goto done;
    }
    nnf_idx correct = 0;
    RUN_KERNEL((double)d.P.m * d.P.n, d.t, nnf_accuracy, d.P.m, d.P.n, d.P.data, d.P.rs, d.P.cs,
               LABEL_ARGS(d), &correct);
    ret = PyFloat_FromDouble(d.P.m ? (double)correct / (double)d.P.m : NAN);
done:
    labelled_clear(&d);
    return ret;
}

/* softmax_crossentropy_backward: (probabilities - one_hot) / samples; with_stats also returns
 * the summed loss and the number of correct rows, computed in the same pass. */
static PyObject *py_softmax_cce_backward(PyObject *self, PyObject *const *args, Py_ssize_t nargs,
                                         PyObject *kwnames)
{
    static const char *const names[] = {"probabilities", "y_true", "out", "with_stats"};
    const char *fn = "softmax_crossentropy_backward";
    PyObject *v[4], *ret = NULL;
    PyArrayObject *res = NULL;
    labelled d;
    if (parse_args(fn, args, nargs, kwnames, names, 4, 2, v) < 0)
        return NULL;
    int stats = flag_arg(fn, "with_stats", v[3], 0);
    if (stats < 0)
        return NULL;
    if (labelled_parse(fn, "probabilities", v[0], v[1], &d) < 0)
        goto done;
    if (d.P.m > 0 && d.P.n == 0) {
        PyErr_Format(PyExc_ValueError, "%s: probabilities has shape %s: no classes", fn,
                     SHAPE(d.pred));
        goto done;
    }
    if (!(res = result_array(fn, unless_none(v[2]), 2, PyArray_DIMS(d.pred), d.t,
                             (PyArrayObject *[]){d.pred, d.onehot ? d.onehot : d.idx}, 2, 1)))
        goto done;
    mat D = mat_of(res);
    double loss_sum = 0;
    nnf_idx correct = 0, bad = 0;
    if (RUN_LABEL_KERNEL(fn, &d, &bad, (double)d.P.m * d.P.n * (stats ? 4 : 1),
                         nnf_softmax_cce_backward, d.P.m, d.P.n, d.P.data, d.P.rs, d.P.cs,
                         LABEL_ARGS(d), D.data, D.rs, D.cs, stats ? &loss_sum : NULL, &correct,
                         &bad) < 0)
        goto done;
    ret = finish_out(unless_none(v[2]), res);
    res = NULL;
    if (ret && stats) {
        PyObject *tuple = Py_BuildValue("(Ndn)", ret, loss_sum, (Py_ssize_t)correct);
        ret = tuple;
    }
done:
    labelled_clear(&d);
    Py_XDECREF(res);
    return ret;
}

/* categorical_crossentropy_backward: -y_true / dvalues / samples. */
static PyObject *py_cce_backward(PyObject *self, PyObject *const *args, Py_ssize_t nargs,
                                 PyObject *kwnames)
{
    static const char *const names[] = {"dvalues", "y_true", "out"};
    const char *fn = "categorical_crossentropy_backward";
    PyObject *v[3], *ret = NULL;
    PyArrayObject *res = NULL;
    labelled d;
    if (parse_args(fn, args, nargs, kwnames, names, 3, 2, v) < 0)
        return NULL;
    if (labelled_parse(fn, "dvalues", v[0], v[1], &d) < 0)
        goto done;
    if (!(res = result_array(fn, unless_none(v[2]), 2, PyArray_DIMS(d.pred), d.t,
                             (PyArrayObject *[]){d.pred, d.onehot ? d.onehot : d.idx}, 2, 1)))
        goto done;
    mat D = mat_of(res);
    nnf_idx bad = 0;
    if (RUN_LABEL_KERNEL(fn, &d, &bad, (double)d.P.m * d.P.n * 2, nnf_cce_backward, d.P.m, d.P.n,
                         d.P.data, d.P.rs, d.P.cs, LABEL_ARGS(d), D.data, D.rs, D.cs, &bad) < 0)
        goto done;
    ret = finish_out(unless_none(v[2]), res);
    res = NULL;
done:
    labelled_clear(&d);
    Py_XDECREF(res);
    return ret;
}

/* (y_pred or dvalues, y_true) of one 2-D shape, in the compute type: new references. */
static int pair_parse(const char *fn, const char *pred_name, PyObject *po, PyObject *to,
                      PyArrayObject **p, PyArrayObject **tr, int *t)
{
    if (!(*p = to_array(fn, pred_name, po)) || !(*tr = to_array(fn, "y_true", to)))
        return -1;
    if (need_2d(fn, *p, pred_name, "(samples, outputs)") < 0 ||
        same_shape(fn, *p, pred_name, *tr, "y_true") < 0)
        return -1;
    *t = float_type(fn, 2, (PyArrayObject *[]){*p, *tr});
    return (*t < 0 || cast_to(p, *t) < 0 || cast_to(tr, *t) < 0) ? -1 : 0;
}

static PyObject *pair_loss(const char *fn, nnf_pair_loss kind, PyObject *const *args,
                           Py_ssize_t nargs, PyObject *kwnames)
{
    static const char *const names[] = {"y_pred", "y_true", "reduction"};
    PyObject *v[3], *ret = NULL;
    PyArrayObject *p = NULL, *tr = NULL, *res = NULL;
    nnf_reduction red;
    int t;
    if (parse_args(fn, args, nargs, kwnames, names, 3, 2, v) < 0 ||
        reduction_arg(fn, v[2], &red) < 0)
        return NULL;
    if (pair_parse(fn, "y_pred", v[0], v[1], &p, &tr, &t) < 0)
        goto done;
    mat P = mat_of(p), T = mat_of(tr);
    double scalar[1];
    void *loss = scalar;
    if (red == NNF_REDUCE_NONE) {
        if (!(res = new_array(1, PyArray_DIMS(p), t)))
            goto done;
        loss = PyArray_DATA(res);
    }
    RUN_KERNEL((double)P.m * P.n * 4, t, nnf_pair_loss, kind, P.m, P.n, P.data, P.rs, P.cs, T.data,
               T.rs, T.cs, red, loss, 1);
    ret = res ? (PyObject *)res : scalar_of(t, loss);
    res = NULL;
done:
    Py_XDECREF(p);
    Py_XDECREF(tr);
    Py_XDECREF(res);
    return ret;
}

static PyObject *pair_loss_backward(const char *fn, nnf_pair_loss kind, PyObject *const *args,
                                    Py_ssize_t nargs, PyObject *kwnames)
{
    static const char *const names[] = {"dvalues", "y_true", "out"};
    PyObject *v[3], *ret = NULL;
    PyArrayObject *p = NULL, *tr = NULL, *res = NULL;
    int t;
    if (parse_args(fn, args, nargs, kwnames, names, 3, 2, v) < 0)
        return NULL;
    if (pair_parse(fn, "dvalues", v[0], v[1], &p, &tr, &t) < 0)
        goto done;
    if (!(res = result_array(fn, unless_none(v[2]), 2, PyArray_DIMS(p), t,
                             (PyArrayObject *[]){p, tr}, 2, 1)))
        goto done;
    mat P = mat_of(p), T = mat_of(tr), D = mat_of(res);
    RUN_KERNEL((double)P.m * P.n * 4, t, nnf_pair_loss_backward, kind, P.m, P.n, P.data, P.rs,
               P.cs, T.data, T.rs, T.cs, D.data, D.rs, D.cs);
    ret = finish_out(unless_none(v[2]), res);
    res = NULL;
done:
    Py_XDECREF(p);
    Py_XDECREF(tr);
    Py_XDECREF(res);
    return ret;
}

#define PAIR_LOSS_FUNCTIONS(name, kind)                                                        \
    static PyObject *py_##name(PyObject *self, PyObject *const *a, Py_ssize_t n, PyObject *kw) \
    {                                                                                          \
        return pair_loss(#name, kind, a, n, kw);                                               \
    }                                                                                          \
    static PyObject *py_##name##_backward(PyObject *self, PyObject *const *a, Py_ssize_t n,    \
                                          PyObject *kw)                                        \
    {                                                                                          \
        return pair_loss_backward(#name "_backward", kind, a, n, kw);                          \
    }
PAIR_LOSS_FUNCTIONS(binary_crossentropy, NNF_LOSS_BCE)
PAIR_LOSS_FUNCTIONS(mean_squared_error, NNF_LOSS_MSE)
PAIR_LOSS_FUNCTIONS(mean_absolute_error, NNF_LOSS_MAE)

PyMethodDef nnf_py_losses_methods[] = {
    {"categorical_crossentropy", FASTCALL(py_cce),
     "categorical_crossentropy(y_pred, y_true, reduction='mean')\n--\n\n"
     "Categorical cross-entropy: -log(clip(p, 1e-7, 1 - 1e-7)) of each sample's true class.\n\n"
     "y_pred (n, n_classes) probabilities; y_true class indices of shape (n,), any integer\n"
     "dtype, or one-hot rows of shape (n, n_classes). reduction: 'mean' or 'sum' (a scalar of\n"
     "y_pred's dtype) or 'none' (the per-sample losses, shape (n,)).\n"
     "dtype: float32 for float32 y_pred, else float64.\n\n"
     "Raises ValueError when y_pred is not 2-D, the label count or one-hot width does not\n"
     "match, or reduction is unknown; IndexError for a label < 0 or >= n_classes; TypeError\n"
     "for float 1-D labels or non-numeric data."},
    {"softmax_crossentropy", FASTCALL(py_softmax_cce),
     "softmax_crossentropy(logits, y_true)\n--\n\n"
     "(mean loss, probabilities): softmax(logits) over the last axis and the categorical\n"
     "cross-entropy of it (clipped as categorical_crossentropy does), in one pass.\n\n"
     "logits (n, n_classes); y_true class indices (n,) of any integer dtype or one-hot rows\n"
     "(n, n_classes). The loss is a scalar and the probabilities an (n, n_classes) array,\n"
     "both float32 for float32 logits, else float64.\n\n"
     "Raises ValueError when logits is not 2-D or the labels do not match its shape,\n"
     "IndexError for a label out of range, TypeError for float 1-D labels or non-numeric data."},
    {"accuracy", FASTCALL(py_accuracy),
     "accuracy(y_pred, y_true)\n--\n\n"
     "mean(argmax(y_pred, axis=1) == labels) as a Python float.\n\n"
     "y_pred (n, n_classes), float32 or float64 (or anything converting to them); y_true class\n"
     "indices (n,) of any integer dtype, or one-hot rows (n, n_classes) whose argmax is taken.\n"
     "A label outside [0, n_classes) never matches.\n\n"
     "Raises ValueError when y_pred is not 2-D or the labels do not match its shape, TypeError\n"
     "for float 1-D labels or non-numeric data."},
    {"softmax_crossentropy_backward", FASTCALL(py_softmax_cce_backward),
     "softmax_crossentropy_backward(probabilities, y_true, out=None, with_stats=False)\n--\n\n"
     "(probabilities - one_hot) / samples; with_stats: (dinputs, loss sum, correct count)."},
    {"categorical_crossentropy_backward", FASTCALL(py_cce_backward),
     "categorical_crossentropy_backward(dvalues, y_true, out=None)\n--\n\n"
     "-y_true / dvalues / samples."},
    {"binary_crossentropy", FASTCALL(py_binary_crossentropy),
     "binary_crossentropy(y_pred, y_true, reduction='mean')\n--\n\nBinary cross-entropy, "
     "predictions clipped to [1e-7, 1 - 1e-7]."},
    {"binary_crossentropy_backward", FASTCALL(py_binary_crossentropy_backward),
     "binary_crossentropy_backward(dvalues, y_true, out=None)\n--\n\nIts gradient."},
    {"mean_squared_error", FASTCALL(py_mean_squared_error),
     "mean_squared_error(y_pred, y_true, reduction='mean')\n--\n\nMean squared error."},
    {"mean_squared_error_backward", FASTCALL(py_mean_squared_error_backward),
     "mean_squared_error_backward(dvalues, y_true, out=None)\n--\n\nIts gradient."},
    {"mean_absolute_error", FASTCALL(py_mean_absolute_error),
     "mean_absolute_error(y_pred, y_true, reduction='mean')\n--\n\nMean absolute error."},
    {"mean_absolute_error_backward", FASTCALL(py_mean_absolute_error_backward),
     "mean_absolute_error_backward(dvalues, y_true, out=None)\n--\n\nIts gradient."},
    {NULL, NULL, 0, NULL},
};
