/* network_run.c: Network.train and Network.forward. Both run the C network without the GIL;
 * train takes it back only for the caller's callbacks and, every CHECK_SECONDS at most, to
 * let Python run its signal handlers (Ctrl-C) between two steps. */
#include "network.h"
#include <time.h>

/* How often a training thread takes the GIL to check for signals. Taking it at every step
 * would make each step wait for the other threads' switch interval. */
#define CHECK_SECONDS 0.02

static double clock_seconds(void)
{
    struct timespec ts;
    timespec_get(&ts, TIME_UTC); /* C11: builds on POSIX and Windows alike */
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* A report row: data_loss, regularization_loss, accuracy, learning_rate, loss_sum. */
#define REPORT_COLUMNS 5

/* One train call's state, shared with the C network's hooks. */
typedef struct {
    PyThreadState *released; /* while C runs: the thread state to take the GIL back with */
    PyObject *order, *dropout_mask, *on_step;
    nnf_idx report_every, steps;
    double *reports, *step_reports; /* (epochs, REPORT_COLUMNS) rows, or NULL */
    double checked;  /* when signals were last checked */
    int stop_after_epoch; /* an exception at an epoch's last step: stop after its report */
    unsigned char *seen;  /* order's permutation check, n bytes */
} train_ctx;

static void take_gil(train_ctx *c)
{
    PyEval_RestoreThread(c->released);
}

static void drop_gil(train_ctx *c)
{
    c->released = PyEval_SaveThread();
}

/* The int64 array over C memory p of shape dims (a borrowed buffer, no copy). */
static PyArrayObject *int64_view(int nd, npy_intp *dims, int64_t *p)
{
    return (PyArrayObject *)PyArray_New(&PyArray_Type, nd, dims, NPY_INT64, NULL, p, 0,
                                        NPY_ARRAY_CARRAY, NULL);
}

/* A callback's result r as an integer array of shape dims, copied into p; ValueError naming
 * what was expected. */
static int copy_integers(const char *what, PyObject *r, int nd, npy_intp *dims, int allow_bool,
                         int64_t *p)
{
    PyArrayObject *a = to_array("Network.train", what, r);
    if (!a)
        return -1;
    char kind = PyArray_DESCR(a)->kind;
    int rc = -1;
    if (kind != 'i' && kind != 'u' && !(allow_bool && kind == 'b'))
        PyErr_Format(PyExc_ValueError, "Network.train: %s returned dtype %S; it must return "
                     "integers", what, (PyObject *)PyArray_DESCR(a));
    else if (PyArray_NDIM(a) != nd || !PyArray_CompareLists(PyArray_DIMS(a), dims, nd))
        PyErr_Format(PyExc_ValueError, "Network.train: %s returned shape %s; expected %s", what,
                     SHAPE(a), dims_str(nd, dims, (char[96]){0}, 96));
    else {
        PyArrayObject *dst = int64_view(nd, dims, p);
        rc = dst ? PyArray_CopyInto(dst, a) : -1;
        Py_XDECREF(dst);
    }
    Py_DECREF(a);
    return rc;
}

static int order_hook(void *ctx, int64_t epoch, nnf_idx n, int64_t *order)
{
    train_ctx *c = ctx;
    take_gil(c);
    npy_intp dims[1] = {n};
    PyObject *r = PyObject_CallFunction(c->order, "L", (long long)epoch);
    int rc = r ? copy_integers("order", r, 1, dims, 0, order) : -1;
    Py_XDECREF(r);
    if (rc == 0) { /* a permutation: each sample once (C checks only the range) */
        memset(c->seen, 0, (size_t)n);
        for (nnf_idx i = 0; i < n && rc == 0; i++) {
            int64_t s = order[i];
            if (s < 0 || s >= n || c->seen[s]) {
                PyErr_Format(PyExc_ValueError, "Network.train: order(%lld) is not a permutation "
                             "of range(%zd): element %zd is %lld", (long long)epoch,
                             (Py_ssize_t)n, (Py_ssize_t)i, (long long)s);
                rc = -1;
            } else
                c->seen[s] = 1;
        }
    }
    drop_gil(c);
    return rc;
}

static int mask_hook(void *ctx, int layer, nnf_idx m, nnf_idx n, double keep, int64_t *mask)
{
    train_ctx *c = ctx;
    take_gil(c);
    npy_intp dims[2] = {m, n};
    PyObject *r = PyObject_CallFunction(c->dropout_mask, "innd", layer, (Py_ssize_t)m,
                                        (Py_ssize_t)n, keep);
    int rc = r ? copy_integers("dropout_mask", r, 2, dims, 1, mask) : -1;
    Py_XDECREF(r);
    for (nnf_idx i = 0; rc == 0 && i < m * n; i++)
        if (mask[i] != 0 && mask[i] != 1) {
            PyErr_Format(PyExc_ValueError, "Network.train: dropout_mask(%d, %zd, %zd, keep) "
                         "returned %lld at flat index %zd; a mask holds 0 and 1", layer,
                         (Py_ssize_t)m, (Py_ssize_t)n, (long long)mask[i], (Py_ssize_t)i);
            rc = -1;
        }
    drop_gil(c);
    return rc;
}

/* A report's figures into its epoch's row of a caller's (epochs, REPORT_COLUMNS) array. */
static void write_report(double *rows, const nnf_net_report *r)
{
    double *row = rows + REPORT_COLUMNS * (r->epoch - 1);
    row[0] = r->data_loss;
    row[1] = r->regularization_loss;
    row[2] = r->accuracy;
    row[3] = r->learning_rate;
    row[4] = r->loss_sum;
}

/* After each step: its report into step_reports at an epoch's last step, the caller's
 * on_step when due, and the signal check every CHECK_SECONDS. An exception stops the
 * training after this whole step (at an epoch's last step, after its report is written). */
static int step_hook(void *ctx, const nnf_net_report *r)
{
    train_ctx *c = ctx;
    int last = r->step == c->steps - 1;
    if (last && c->step_reports)
        write_report(c->step_reports, r);
    int call = c->on_step && (r->step % c->report_every == 0 || last);
    double now = clock_seconds();
    /* a clock set back counts as due too, or the next check would wait that long */
    if (!call && now - c->checked < CHECK_SECONDS && now >= c->checked)
        return 0;
    take_gil(c);
    int failed = 0;
    if (call) {
        PyObject *res = PyObject_CallFunction(c->on_step, "Lndddd", (long long)r->epoch,
                                              (Py_ssize_t)r->step, r->data_loss,
                                              r->regularization_loss, r->accuracy,
                                              r->learning_rate);
        failed = !res;
        Py_XDECREF(res);
    }
    if (!failed)
        failed = PyErr_CheckSignals() < 0;
    c->checked = now;
    drop_gil(c);
    if (failed && last) {
        c->stop_after_epoch = 1;
        return 0;
    }
    return failed;
}

/* After each epoch, without the GIL: its report into the caller's array. */
static int epoch_hook(void *ctx, const nnf_net_report *r)
{
    train_ctx *c = ctx;
    if (c->reports)
        write_report(c->reports, r);
    return c->stop_after_epoch;
}

/* ---------------------------------------------------------------------------------------- */
/* Arguments                                                                                */

/* An array of the network's dtype with `cols` columns (n rows when n >= 0) that C reads in
 * place (any strides): a new reference, or NULL with TypeError / ValueError naming it. */
static PyArrayObject *network_matrix(NetworkObject *self, const char *fn, const char *name,
                                     PyObject *obj, nnf_idx n, nnf_idx cols, const char *of)
{
    PyArrayObject *a = to_array(fn, name, obj);
    if (!a)
        return NULL;
    PyArray_Descr *want = PyArray_DescrFromType(self->type);
    if (PyArray_TYPE(a) != self->type || !PyArray_ISNOTSWAPPED(a))
        PyErr_Format(PyExc_TypeError, "%s: %s has dtype %S but the network is %S: convert it "
                     "once with .astype(np.%S)", fn, name, (PyObject *)PyArray_DESCR(a),
                     (PyObject *)want, (PyObject *)want);
    else if (PyArray_NDIM(a) != 2 || PyArray_DIM(a, 1) != cols ||
             (n >= 0 && PyArray_DIM(a, 0) != n))
        PyErr_Format(PyExc_ValueError, "%s: %s has shape %s; expected (%s, %zd), %s", fn, name,
                     SHAPE(a), n >= 0 ? "n" : "samples", (Py_ssize_t)cols, of);
    else if (!PyArray_ISALIGNED(a))
        PyErr_Format(PyExc_ValueError, "%s: %s is not aligned: pass np.require(%s, "
                     "requirements='A')", fn, name, name);
    Py_DECREF(want);
    if (PyErr_Occurred())
        Py_CLEAR(a);
    return a;
}

/* A callback argument: NULL for None, else it must be callable. */
static int callback_arg(const char *fn, const char *name, PyObject **v)
{
    *v = unless_none(*v);
    if (*v && !PyCallable_Check(*v)) {
        PyErr_Format(PyExc_TypeError, "%s: %s must be None or a callable, got %.100s", fn, name,
                     Py_TYPE(*v)->tp_name);
        return -1;
    }
    return 0;
}

/* y as the data set's labels or targets. *holder: the array C reads (a new reference). */
static int labels_or_targets(NetworkObject *self, const char *fn, PyObject *obj, nnf_idx n,
                             nnf_net_data *d, PyArrayObject **holder)
{
    PyArrayObject *y = to_array(fn, "y", obj);
    if (!y)
        return -1;
    if (PyArray_NDIM(y) != 1) {
        Py_DECREF(y);
        char of[160];
        snprintf(of, sizeof of, "the targets of the %zd samples (or 1-D class labels (%zd,))",
                 (Py_ssize_t)n, (Py_ssize_t)n);
        if (!(*holder = network_matrix(self, fn, "y", obj, n, nnf_net_outputs(self->net), of)))
            return -1;
        mat t = mat_of(*holder);
        d->targets = t.data, d->t_rs = t.rs, d->t_cs = t.cs;
        return 0;
    }
    char kind = PyArray_DESCR(y)->kind;
    if (kind != 'i' && kind != 'u')
        PyErr_Format(PyExc_TypeError, "%s: 1-D y must hold integer class labels, got dtype %S",
                     fn, (PyObject *)PyArray_DESCR(y));
    else if (PyArray_DIM(y, 0) != n)
        PyErr_Format(PyExc_ValueError, "%s: y has %zd labels but X has %zd samples", fn,
                     (Py_ssize_t)PyArray_DIM(y, 0), (Py_ssize_t)n);
    else if ((*holder = labels_as_int64(y))) {
        d->labels = PyArray_DATA(*holder), d->labels_s = stride_of(*holder, 0);
    }
    Py_DECREF(y);
    return *holder ? 0 : -1;
}

/* IndexError for the first label of d outside [0, n_outputs) (C found one), naming it as y
 * (y_obj) holds it, as the losses' label errors do. */
static void raise_bad_label_of(NetworkObject *self, PyObject *y_obj, const nnf_net_data *d)
{
    nnf_idx k = nnf_net_outputs(self->net), i = 0;
    while (i < d->n - 1 && d->labels[i * d->labels_s] >= 0 && d->labels[i * d->labels_s] < k)
        i++;
    PyArrayObject *y = to_array("Network.train", "y", y_obj);
    PyObject *val = y ? PyArray_GETITEM(y, PyArray_GETPTR1(y, i)) : NULL;
    if (val)
        PyErr_Format(PyExc_IndexError, "Network.train: y[%zd] = %S is not a class index in "
                     "[0, %zd)", (Py_ssize_t)i, val, (Py_ssize_t)k);
    Py_XDECREF(val);
    Py_XDECREF(y);
}

/* reports or step_reports (name): None, or a writable C-contiguous float64 array
 * (epochs, REPORT_COLUMNS). */
static int reports_arg(const char *fn, const char *name, PyObject *obj, long long epochs,
                       double **rows)
{
    *rows = NULL;
    if (!obj)
        return 0;
    if (!PyArray_Check(obj) || PyArray_TYPE((PyArrayObject *)obj) != NPY_DOUBLE ||
        !PyArray_ISNOTSWAPPED((PyArrayObject *)obj)) {
        PyErr_Format(PyExc_TypeError, "%s: %s must be None or a float64 numpy.ndarray "
                     "(epochs, %d), got %.100s", fn, name, REPORT_COLUMNS,
                     Py_TYPE(obj)->tp_name);
        return -1;
    }
    PyArrayObject *a = (PyArrayObject *)obj;
    if (PyArray_NDIM(a) != 2 || PyArray_DIM(a, 0) != epochs ||
        PyArray_DIM(a, 1) != REPORT_COLUMNS || !PyArray_IS_C_CONTIGUOUS(a) ||
        !PyArray_ISALIGNED(a)) {
        PyErr_Format(PyExc_ValueError, "%s: %s has shape %s; expected a C-contiguous "
                     "(%lld, %d): one row per epoch", fn, name, SHAPE(a), epochs,
                     REPORT_COLUMNS);
        return -1;
    }
    if (need_writeable(a, fn, name) < 0)
        return -1;
    *rows = PyArray_DATA(a);
    return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* train and forward                                                                        */

/* Marks the network as running in this thread (0), or raises (-1). */
static int claim(NetworkObject *self, const char *method)
{
    if (network_busy(self, method) < 0)
        return -1;
    self->running = 1;
    self->runner = PyThread_get_thread_ident();
    return 0;
}

PyObject *network_train(NetworkObject *self, PyObject *const *args, Py_ssize_t nargs,
                        PyObject *kwnames)
{
    static const char *const names[] = {"X", "y", "epochs", "batch_size", "order",
                                        "dropout_mask", "on_step", "report_every", "reports",
                                        "step_reports"};
    const char *fn = "Network.train";
    PyObject *v[10];
    PyArrayObject *X = NULL, *Y = NULL;
    long long epochs = 0, batch_size = 0, report_every = 1;
    nnf_net_data d = {0};
    train_ctx c = {0};
    if (nargs > 2) {
        PyErr_Format(PyExc_TypeError, "%s() takes 2 positional arguments (X, y); the others "
                     "are keywords", fn);
        return NULL;
    }
    if (network_busy(self, "train") < 0 ||
        parse_args(fn, args, nargs, kwnames, names, 10, 3, v) < 0 ||
        network_int_arg(fn, "epochs", v[2], 0, &epochs) < 0 ||
        network_int_arg(fn, "batch_size", unless_none(v[3]), 0, &batch_size) < 0 ||
        network_int_arg(fn, "report_every", v[7], 1, &report_every) < 0 ||
        callback_arg(fn, "order", &v[4]) < 0 || callback_arg(fn, "dropout_mask", &v[5]) < 0 ||
        callback_arg(fn, "on_step", &v[6]) < 0 ||
        reports_arg(fn, "reports", unless_none(v[8]), epochs, &c.reports) < 0 ||
        reports_arg(fn, "step_reports", unless_none(v[9]), epochs, &c.step_reports) < 0 ||
        !(X = network_matrix(self, fn, "X", v[0], -1, self->n_inputs, "the network's inputs")))
        return NULL;
    mat x = mat_of(X);
    d.n = x.m, d.x = x.data, d.x_rs = x.rs, d.x_cs = x.cs;
    PyObject *ret = NULL;
    if (labels_or_targets(self, fn, v[1], d.n, &d, &Y) < 0)
        goto done;
    if (v[4] && !(c.seen = PyMem_Malloc((size_t)d.n))) {
        PyErr_NoMemory();
        goto done;
    }
    /* (no samples: C refuses the data set; 1 keeps the count of steps defined meanwhile) */
    nnf_idx batch = batch_size == 0 || batch_size > d.n ? (d.n ? d.n : 1) : (nnf_idx)batch_size;
    c.order = v[4], c.dropout_mask = v[5], c.on_step = v[6];
    c.report_every = (nnf_idx)report_every, c.steps = (d.n + batch - 1) / batch;
    /* on_step runs after every step, for the signal check; the caller's every report_every */
    nnf_net_train_options o = {epochs, (nnf_idx)batch_size, &c,
                               .order = c.order ? order_hook : NULL,
                               .dropout_mask = c.dropout_mask ? mask_hook : NULL,
                               .on_step = step_hook, .report_every = 1, .on_epoch = epoch_hook};
    if (claim(self, "train") < 0)
        goto done;
    c.checked = clock_seconds();
    drop_gil(&c);
    nnf_status st = nnf_net_train(self->net, &d, &o);
    take_gil(&c);
    self->running = 0;
    if (st == NNF_ELABEL && d.labels)
        raise_bad_label_of(self, v[1], &d);
    else if (network_raise(self, "train", st) == 0)
        ret = PyLong_FromLongLong(epochs);
done:
    PyMem_Free(c.seen);
    Py_XDECREF(X);
    Py_XDECREF(Y);
    return ret;
}

PyObject *network_forward(NetworkObject *self, PyObject *const *args, Py_ssize_t nargs,
                          PyObject *kwnames)
{
    static const char *const names[] = {"X", "out", "batch_size"};
    const char *fn = "Network.forward";
    PyObject *v[3];
    long long batch_size = 0;
    if (nargs > 1) {
        PyErr_Format(PyExc_TypeError, "%s() takes 1 positional argument (X); out and "
                     "batch_size are keywords", fn);
        return NULL;
    }
    PyArrayObject *X = NULL, *res = NULL;
    if (network_busy(self, "forward") < 0 ||
        parse_args(fn, args, nargs, kwnames, names, 3, 1, v) < 0 ||
        network_int_arg(fn, "batch_size", unless_none(v[2]), 0, &batch_size) < 0 ||
        !(X = network_matrix(self, fn, "X", v[0], -1, self->n_inputs, "the network's inputs")))
        return NULL;
    PyObject *out = unless_none(v[1]), *ret = NULL;
    npy_intp dims[2] = {PyArray_DIM(X, 0), nnf_net_outputs(self->net)};
    /* a scratch result when out overlaps X: later batches still read X */
    if (!(res = result_array(fn, out, 2, dims, self->type, &X, 1, 0)))
        goto done;
    mat x = mat_of(X), y = mat_of(res);
    if (claim(self, "forward") < 0)
        goto done;
    nnf_status st;
    Py_BEGIN_ALLOW_THREADS
    st = nnf_net_forward(self->net, x.m, x.data, x.rs, x.cs, y.data, y.rs, y.cs,
                         (nnf_idx)batch_size);
    Py_END_ALLOW_THREADS
    self->running = 0;
    if (network_raise(self, "forward", st) == 0) {
        ret = finish_out(out, res);
        res = NULL;
    }
done:
    Py_XDECREF(X);
    Py_XDECREF(res);
    return ret;
}
