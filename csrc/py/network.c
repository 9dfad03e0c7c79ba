/* network.c: nnfast._core.Network, the C library's network (nnf_net, nnfast.h) as a Python
 * type: building it, its parameters as NumPy views of its memory, its iteration count.
 * Training and prediction, which run without the GIL, are in network_run.c. */
#include "network.h" /* first: Python.h precedes the system headers */
#include <math.h>

/* ---------------------------------------------------------------------------------------- */
/* Errors and arguments shared with network_run.c                                           */

int network_busy(NetworkObject *self, const char *method)
{
    if (!self->running)
        return 0;
    if (self->runner == PyThread_get_thread_ident())
        PyErr_Format(PyExc_RuntimeError, "Network.%s: the network is running its train: a "
                     "callback of that train cannot call it", method);
    else
        PyErr_Format(PyExc_RuntimeError, "Network.%s: the network is running in another "
                     "thread; wait for its train or forward to return", method);
    return -1;
}

int network_raise(NetworkObject *self, const char *method, nnf_status st)
{
    if (st == NNF_OK)
        return 0;
    if ((st == NNF_ECALLBACK || st == NNF_STOPPED) && PyErr_Occurred())
        return -1; /* the callback's own exception */
    const char *msg = nnf_net_error(self->net);
    const char *colon = strncmp(msg, "nnf_", 4) == 0 ? strstr(msg, ": ") : NULL;
    if (colon) /* the C function's name: the method's stands for it */
        msg = colon + 2;
    PyObject *type = st == NNF_ENOMEM                              ? PyExc_MemoryError
                     : st == NNF_ELABEL                            ? PyExc_IndexError
                     : st == NNF_ECALLBACK || st == NNF_STOPPED    ? PyExc_RuntimeError
                                                                   : PyExc_ValueError;
    PyErr_Format(type, "Network.%s: %s", method,
                 *msg ? msg : st == NNF_ENOMEM ? "out of memory" : "failed");
    return -1;
}

int network_int_arg(const char *fn, const char *name, PyObject *v, long long min, long long *out)
{
    if (!v)
        return 0; /* absent: *out keeps its default */
    if (!PyLong_Check(v) && !PyArray_IsScalar(v, Integer)) {
        PyErr_Format(PyExc_TypeError, "%s: %s must be an int, got %.100s", fn, name,
                     Py_TYPE(v)->tp_name);
        return -1;
    }
    if (PyBool_Check(v)) {
        PyErr_Format(PyExc_TypeError, "%s: %s must be an int, got bool", fn, name);
        return -1;
    }
    PyObject *i = PyNumber_Index(v);
    long long x = i ? PyLong_AsLongLong(i) : -1;
    Py_XDECREF(i);
    if (x == -1 && PyErr_Occurred()) {
        PyErr_Clear();
        PyErr_Format(PyExc_ValueError, "%s: %s = %R does not fit in 64 bits", fn, name, v);
        return -1;
    }
    if (x < min) {
        PyErr_Format(PyExc_ValueError, "%s: %s must be >= %lld, got %lld", fn, name, min, x);
        return -1;
    }
    *out = x;
    return 0;
}

/* The index of str v among names[0..n) (a name list like "'relu', 'softmax'" for the
 * message); -1 with TypeError / ValueError naming it. */
static int kind_arg(const char *fn, const char *what, PyObject *v, const char *const *names,
                    int n, const char *choices)
{
    const char *s = PyUnicode_Check(v) ? utf8_of(v, fn, what) : NULL;
    if (!s) {
        if (!PyErr_Occurred())
            PyErr_Format(PyExc_TypeError, "%s: %s must be a str, got %.100s", fn, what,
                         Py_TYPE(v)->tp_name);
        return -1;
    }
    for (int i = 0; i < n; i++)
        if (strcmp(s, names[i]) == 0)
            return i;
    PyErr_Format(PyExc_ValueError, "%s: unknown %s %R; expected %s", fn, what, v, choices);
    return -1;
}

/* ---------------------------------------------------------------------------------------- */
/* The object                                                                               */

static PyObject *network_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"dtype", "n_inputs", NULL};
    const char *fn = "Network";
    PyObject *dtype_obj, *n_obj;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "OO:Network", kwlist, &dtype_obj, &n_obj))
        return NULL;
    PyArray_Descr *d = NULL;
    if (!PyArray_DescrConverter(dtype_obj, &d))
        return NULL;
    int t = d->type_num, native = PyArray_ISNBO(d->byteorder);
    if ((t != NPY_FLOAT && t != NPY_DOUBLE) || !native) {
        PyErr_Format(PyExc_TypeError, "%s: dtype must be float32 or float64, got %S", fn,
                     (PyObject *)d);
        Py_DECREF(d);
        return NULL;
    }
    Py_DECREF(d);
    long long n_inputs = 0;
    if (network_int_arg(fn, "n_inputs", n_obj, 1, &n_inputs) < 0)
        return NULL;
    NetworkObject *self = (NetworkObject *)type->tp_alloc(type, 0);
    if (!self)
        return NULL;
    self->type = t;
    self->n_inputs = (nnf_idx)n_inputs;
    nnf_status st = nnf_net_new(t == NPY_FLOAT ? NNF_F32 : NNF_F64, (nnf_idx)n_inputs,
                                &self->net);
    if (st != NNF_OK) {
        Py_DECREF(self);
        return st == NNF_ENOMEM ? PyErr_NoMemory()
                                : PyErr_Format(PyExc_ValueError, "%s: n_inputs %lld is too "
                                               "large", fn, n_inputs);
    }
    return (PyObject *)self;
}

static void network_dealloc(NetworkObject *self)
{
    nnf_net_free(self->net);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

/* ---------------------------------------------------------------------------------------- */
/* Building                                                                                 */

/* The new layer's index after a successful add. */
static PyObject *added(NetworkObject *self, const char *method, nnf_status st)
{
    if (network_raise(self, method, st) < 0)
        return NULL;
    return PyLong_FromLong(self->n_layers++);
}

static PyObject *py_add_dense(NetworkObject *self, PyObject *const *args, Py_ssize_t nargs,
                              PyObject *kwnames)
{
    static const char *const names[] = {"n_outputs", "weight_l1", "weight_l2", "bias_l1",
                                        "bias_l2"};
    const char *fn = "Network.add_dense";
    PyObject *v[5];
    double reg[4] = {0, 0, 0, 0};
    long long n_out = 0;
    if (network_busy(self, "add_dense") < 0 ||
        parse_args(fn, args, nargs, kwnames, names, 5, 1, v) < 0 ||
        network_int_arg(fn, "n_outputs", v[0], 1, &n_out) < 0 ||
        real_args(fn, names, v, 1, 5, reg) < 0)
        return NULL;
    for (int i = 0; i < 4; i++) /* a factor <= 0 adds no term, as in the book */
        if (!isfinite(reg[i])) {
            PyErr_Format(PyExc_ValueError, "%s: %s must be a finite number, got %R", fn,
                         names[i + 1], v[i + 1]);
            return NULL;
        }
    return added(self, "add_dense", nnf_net_add_dense(self->net, (nnf_idx)n_out, reg[0], reg[1],
                                                       reg[2], reg[3]));
}

static PyObject *py_add_activation(NetworkObject *self, PyObject *const *args,
                                   Py_ssize_t nargs, PyObject *kwnames)
{
    static const char *const names[] = {"kind"};
    static const char *const kinds[] = {"relu", "softmax", "sigmoid", "linear"};
    static const nnf_layer_kind layer[] = {NNF_LAYER_RELU, NNF_LAYER_SOFTMAX, NNF_LAYER_SIGMOID,
                                           NNF_LAYER_LINEAR};
    const char *fn = "Network.add_activation";
    PyObject *v[1];
    int k;
    if (network_busy(self, "add_activation") < 0 ||
        parse_args(fn, args, nargs, kwnames, names, 1, 1, v) < 0 ||
        (k = kind_arg(fn, "activation", v[0], kinds, 4,
                      "'relu', 'softmax', 'sigmoid' or 'linear'")) < 0)
        return NULL;
    return added(self, "add_activation", nnf_net_add_activation(self->net, layer[k]));
}

static PyObject *py_add_dropout(NetworkObject *self, PyObject *const *args, Py_ssize_t nargs,
                                PyObject *kwnames)
{
    static const char *const names[] = {"rate"};
    const char *fn = "Network.add_dropout";
    PyObject *v[1];
    double rate = 0;
    if (network_busy(self, "add_dropout") < 0 ||
        parse_args(fn, args, nargs, kwnames, names, 1, 1, v) < 0 ||
        real_arg(fn, "rate", v[0], &rate) < 0)
        return NULL;
    if (!(rate >= 0 && rate < 1)) {
        PyErr_Format(PyExc_ValueError, "%s: rate (the fraction dropped) must be in [0, 1), "
                     "got %R", fn, v[0]);
        return NULL;
    }
    return added(self, "add_dropout", nnf_net_add_dropout(self->net, rate));
}

static PyObject *py_set_loss(NetworkObject *self, PyObject *const *args, Py_ssize_t nargs,
                             PyObject *kwnames)
{
    static const char *const names[] = {"kind"};
    static const char *const kinds[] = {"categorical_crossentropy", "binary_crossentropy",
                                        "mse", "mae"};
    static const nnf_net_loss loss[] = {NNF_NET_CCE, NNF_NET_BCE, NNF_NET_MSE, NNF_NET_MAE};
    const char *fn = "Network.set_loss";
    PyObject *v[1];
    int k;
    if (network_busy(self, "set_loss") < 0 ||
        parse_args(fn, args, nargs, kwnames, names, 1, 1, v) < 0 ||
        (k = kind_arg(fn, "loss", v[0], kinds, 4, "'categorical_crossentropy', "
                      "'binary_crossentropy', 'mse' or 'mae'")) < 0 ||
        network_raise(self, "set_loss", nnf_net_set_loss(self->net, loss[k])) < 0)
        return NULL;
    Py_RETURN_NONE;
}

static PyObject *py_set_accuracy(NetworkObject *self, PyObject *const *args, Py_ssize_t nargs,
                                 PyObject *kwnames)
{
    static const char *const names[] = {"kind", "precision"};
    static const char *const kinds[] = {"categorical", "binary", "regression"};
    static const nnf_net_accuracy acc[] = {NNF_ACC_CATEGORICAL, NNF_ACC_BINARY,
                                           NNF_ACC_REGRESSION};
    const char *fn = "Network.set_accuracy";
    PyObject *v[2];
    double precision = 0;
    int k;
    if (network_busy(self, "set_accuracy") < 0 ||
        parse_args(fn, args, nargs, kwnames, names, 2, 1, v) < 0 ||
        (k = kind_arg(fn, "accuracy", v[0], kinds, 3,
                      "'categorical', 'binary' or 'regression'")) < 0 ||
        real_arg(fn, "precision", v[1], &precision) < 0)
        return NULL;
    if (!(precision >= 0 && precision < INFINITY)) {
        PyErr_Format(PyExc_ValueError, "%s: precision must be a finite number >= 0, got %R", fn,
                     v[1]);
        return NULL;
    }
    if (network_raise(self, "set_accuracy", nnf_net_set_accuracy(self->net, acc[k], precision)) < 0)
        return NULL;
    Py_RETURN_NONE;
}

static PyObject *py_set_optimizer(NetworkObject *self, PyObject *const *args, Py_ssize_t nargs,
                                  PyObject *kwnames)
{
    static const char *const names[] = {"kind", "learning_rate", "decay", "momentum", "epsilon",
                                        "rho", "beta_1", "beta_2"};
    static const char *const kinds[] = {"sgd", "adagrad", "rmsprop", "adam"};
    static const nnf_optimizer opt[] = {NNF_OPT_SGD, NNF_OPT_ADAGRAD, NNF_OPT_RMSPROP,
                                        NNF_OPT_ADAM};
    const char *fn = "Network.set_optimizer";
    PyObject *v[8];
    int k;
    if (nargs > 1) {
        PyErr_Format(PyExc_TypeError, "%s() takes 1 positional argument (kind); the "
                     "hyperparameters are keywords", fn);
        return NULL;
    }
    if (network_busy(self, "set_optimizer") < 0 ||
        parse_args(fn, args, nargs, kwnames, names, 8, 1, v) < 0 ||
        (k = kind_arg(fn, "optimizer", v[0], kinds, 4,
                      "'sgd', 'adagrad', 'rmsprop' or 'adam'")) < 0)
        return NULL;
    nnf_net_optimizer o = nnf_net_optimizer_defaults(opt[k]);
    double *field[7] = {&o.learning_rate, &o.decay, &o.momentum, &o.epsilon, &o.rho, &o.beta_1,
                        &o.beta_2};
    for (int i = 1; i < 8; i++) {
        if (real_arg(fn, names[i], unless_none(v[i]), field[i - 1]) < 0)
            return NULL;
        /* Every hyperparameter of the book is >= 0; a negative one (or an infinite one)
         * would train to numbers nobody asked for. */
        if (!(*field[i - 1] >= 0 && *field[i - 1] < INFINITY)) {
            PyErr_Format(PyExc_ValueError, "%s: %s must be a finite number >= 0, got %R", fn,
                         names[i], v[i]);
            return NULL;
        }
    }
    if (self->state_views > 0) {
        PyErr_Format(PyExc_RuntimeError, "%s: %zd array(s) from param() view the optimizer's "
                     "state, which a new optimizer frees: delete them first", fn,
                     self->state_views);
        return NULL;
    }
    if (network_raise(self, "set_optimizer", nnf_net_set_optimizer(self->net, &o)) < 0)
        return NULL;
    Py_RETURN_NONE;
}

/* ---------------------------------------------------------------------------------------- */
/* Parameters and iterations                                                                */

static const char *const param_names[] = {"weights", "biases", "dweights", "dbiases",
                                          "weight_momentums", "weight_cache", "bias_momentums",
                                          "bias_cache"};
static const nnf_param param_kinds[] = {
    NNF_PARAM_WEIGHTS, NNF_PARAM_BIASES, NNF_PARAM_DWEIGHTS, NNF_PARAM_DBIASES,
    NNF_PARAM_WEIGHT_MOMENTUMS, NNF_PARAM_WEIGHT_CACHE, NNF_PARAM_BIAS_MOMENTUMS,
    NNF_PARAM_BIAS_CACHE};

#define STATE_VIEW "nnfast._core.Network state view"

/* The base of a view of the optimizer's state: it holds the network and counts itself, so
 * that set_optimizer (which frees that state) is refused while such a view lives. */
static void state_view_freed(PyObject *capsule)
{
    NetworkObject *net = PyCapsule_GetPointer(capsule, STATE_VIEW);
    net->state_views--;
    Py_DECREF(net);
}

/* A layer index of this network: 0, or -1 with TypeError / ValueError (not an int, negative)
 * or IndexError (past the last layer). */
static int layer_arg(NetworkObject *self, const char *fn, PyObject *v, long long *layer)
{
    if (network_int_arg(fn, "layer", v, 0, layer) < 0)
        return -1;
    if (*layer >= self->n_layers) {
        PyErr_Format(PyExc_IndexError, "%s: layer %lld is not one of the network's %d layers",
                     fn, *layer, self->n_layers);
        return -1;
    }
    return 0;
}

static PyObject *py_param(NetworkObject *self, PyObject *const *args, Py_ssize_t nargs,
                          PyObject *kwnames)
{
    static const char *const names[] = {"layer", "which"};
    const char *fn = "Network.param";
    PyObject *v[2];
    long long layer = 0;
    int k;
    if (network_busy(self, "param") < 0 ||
        parse_args(fn, args, nargs, kwnames, names, 2, 2, v) < 0 ||
        layer_arg(self, fn, v[0], &layer) < 0 ||
        (k = kind_arg(fn, "parameter", v[1], param_names, 8, "'weights', 'biases', 'dweights', "
                      "'dbiases', 'weight_momentums', 'weight_cache', 'bias_momentums' or "
                      "'bias_cache'")) < 0)
        return NULL;
    nnf_idx rows, cols, row_stride;
    void *p = nnf_net_param(self->net, (int)layer, param_kinds[k], &rows, &cols, &row_stride);
    if (!p)
        Py_RETURN_NONE;
    npy_intp size = self->type == NPY_FLOAT ? 4 : 8;
    npy_intp dims[2] = {rows, cols}, strides[2] = {row_stride * size, size};
    int state = k >= 4;
    PyObject *base = state ? PyCapsule_New(self, STATE_VIEW, state_view_freed) : (PyObject *)self;
    if (!base)
        return NULL;
    Py_INCREF(self); /* held by the base: the capsule, or the reference the view takes */
    if (state)
        self->state_views++;
    PyArrayObject *a = (PyArrayObject *)PyArray_NewFromDescr(
        &PyArray_Type, PyArray_DescrFromType(self->type), 2, dims, strides, p,
        NPY_ARRAY_ALIGNED | NPY_ARRAY_WRITEABLE, NULL);
    if (!a || PyArray_SetBaseObject(a, base) < 0) { /* steals base on success */
        Py_XDECREF(a);
        if (!a)
            Py_DECREF(base);
        return NULL;
    }
    return (PyObject *)a;
}

static PyObject *py_get_iterations(NetworkObject *self, PyObject *unused)
{
    int64_t iterations;
    double lr;
    if (network_busy(self, "get_iterations") < 0)
        return NULL;
    nnf_net_get_iterations(self->net, &iterations, &lr);
    return Py_BuildValue("(Ld)", (long long)iterations, lr);
}

static PyObject *py_set_iterations(NetworkObject *self, PyObject *const *args, Py_ssize_t nargs,
                                   PyObject *kwnames)
{
    static const char *const names[] = {"iterations", "learning_rate"};
    const char *fn = "Network.set_iterations";
    PyObject *v[2];
    long long iterations = 0;
    double lr = 0;
    if (network_busy(self, "set_iterations") < 0 ||
        parse_args(fn, args, nargs, kwnames, names, 2, 2, v) < 0 ||
        network_int_arg(fn, "iterations", v[0], 0, &iterations) < 0 ||
        real_arg(fn, "learning_rate", v[1], &lr) < 0 ||
        network_raise(self, "set_iterations",
                      nnf_net_set_iterations(self->net, (int64_t)iterations, lr)) < 0)
        return NULL;
    Py_RETURN_NONE;
}

/* A uint64 argument (a Python int in [0, 2**64)): 0, or -1 with TypeError / OverflowError. */
static int uint64_arg(const char *fn, const char *name, PyObject *v, uint64_t *out)
{
    if (!PyLong_Check(v) || PyBool_Check(v)) {
        PyErr_Format(PyExc_TypeError, "%s: %s must be an int, got %.100s", fn, name,
                     Py_TYPE(v)->tp_name);
        return -1;
    }
    unsigned long long u = PyLong_AsUnsignedLongLong(v);
    if (u == (unsigned long long)-1 && PyErr_Occurred()) {
        PyErr_Format(PyExc_OverflowError, "%s: %s must be in [0, 2**64), got %S", fn, name, v);
        return -1;
    }
    *out = (uint64_t)u;
    return 0;
}

static PyObject *py_set_dropout_stream(NetworkObject *self, PyObject *const *args,
                                       Py_ssize_t nargs, PyObject *kwnames)
{
    static const char *const names[] = {"layer", "seed", "step"};
    const char *fn = "Network.set_dropout_stream";
    PyObject *v[3];
    long long layer = 0;
    uint64_t seed = 0, step = 0;
    if (network_busy(self, "set_dropout_stream") < 0 ||
        parse_args(fn, args, nargs, kwnames, names, 3, 3, v) < 0 ||
        layer_arg(self, fn, v[0], &layer) < 0 ||
        uint64_arg(fn, "seed", v[1], &seed) < 0 || uint64_arg(fn, "step", v[2], &step) < 0)
        return NULL;
    if (network_raise(self, "set_dropout_stream",
                      nnf_net_set_dropout_stream(self->net, (int)layer, seed, step)) < 0)
        return NULL;
    Py_RETURN_NONE;
}

static PyObject *py_get_dropout_stream(NetworkObject *self, PyObject *arg)
{
    const char *fn = "Network.get_dropout_stream";
    long long layer = 0;
    uint64_t seed = 0, step = 0;
    if (network_busy(self, "get_dropout_stream") < 0 ||
        layer_arg(self, fn, arg, &layer) < 0)
        return NULL;
    if (network_raise(self, "get_dropout_stream",
                      nnf_net_get_dropout_stream(self->net, (int)layer, &seed, &step)) < 0)
        return NULL;
    return Py_BuildValue("(KK)", (unsigned long long)seed, (unsigned long long)step);
}

/* ---------------------------------------------------------------------------------------- */
/* The type                                                                                 */

static PyObject *get_dtype(NetworkObject *self, void *unused)
{
    return (PyObject *)PyArray_DescrFromType(self->type);
}
static PyObject *get_n_inputs(NetworkObject *self, void *unused)
{
    return PyLong_FromSsize_t(self->n_inputs);
}
static PyObject *get_n_outputs(NetworkObject *self, void *unused)
{
    return PyLong_FromSsize_t(nnf_net_outputs(self->net));
}
static PyObject *get_n_layers(NetworkObject *self, void *unused)
{
    return PyLong_FromLong(self->n_layers);
}

static PyGetSetDef network_getset[] = {
    {"dtype", (getter)get_dtype, NULL, "The network's dtype: numpy.float32 or numpy.float64.",
     NULL},
    {"n_inputs", (getter)get_n_inputs, NULL, "The number of input features (int).", NULL},
    {"n_outputs", (getter)get_n_outputs, NULL,
     "The width of the last layer's output (n_inputs with no layers).", NULL},
    {"n_layers", (getter)get_n_layers, NULL, "The number of layers added (int).", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

#define METHOD(f) (PyCFunction)(void (*)(void))(f), METH_FASTCALL | METH_KEYWORDS

static PyMethodDef network_methods[] = {
    {"add_dense", METHOD(py_add_dense),
     "add_dense($self, n_outputs, weight_l1=0.0, weight_l2=0.0, bias_l1=0.0, bias_l2=0.0)\n"
     "--\n\nAppend a dense layer of n_outputs units (weights (inputs, n_outputs) and biases "
     "(1, n_outputs), zero until set through param()) with the book's L1/L2 regularizer "
     "factors (a term for each factor > 0); returns its layer index.\n\nRaises ValueError "
     "for n_outputs < 1, a factor that is not finite, or a layer added after set_optimizer."},
    {"add_activation", METHOD(py_add_activation),
     "add_activation($self, kind)\n--\n\nAppend an activation: 'relu', 'softmax', 'sigmoid' "
     "or 'linear'; returns its layer index.\n\nRaises ValueError for another kind (TypeError "
     "for a kind that is not a str), or a layer added after set_optimizer."},
    {"add_dropout", METHOD(py_add_dropout),
     "add_dropout($self, rate)\n--\n\nAppend dropout of the fraction rate in [0, 1) (the "
     "book's Layer_Dropout(rate)); returns its layer index. Training then needs "
     "train(dropout_mask=...) or set_dropout_stream.\n\nRaises ValueError for a rate outside [0, 1)."},
    {"set_loss", METHOD(py_set_loss),
     "set_loss($self, kind)\n--\n\nThe loss: 'categorical_crossentropy' (fused with an "
     "output softmax, as the book's combined class), 'binary_crossentropy', 'mse' or "
     "'mae'.\n\nRaises ValueError for another kind."},
    {"set_accuracy", METHOD(py_set_accuracy),
     "set_accuracy($self, kind, precision=0.0)\n--\n\nThe accuracy: 'categorical' (an "
     "output softmax's argmax against the labels), 'binary' or 'regression' (|prediction - "
     "target| < precision; the book's precision is np.std(y) / 250).\n\nRaises ValueError "
     "for another kind or a negative precision."},
    {"set_optimizer", METHOD(py_set_optimizer),
     "set_optimizer($self, kind, *, learning_rate=None, decay=None, momentum=None, "
     "epsilon=None, rho=None, beta_1=None, beta_2=None)\n--\n\nThe optimizer, after the "
     "layers: 'sgd' (with momentum when momentum != 0), 'adagrad', 'rmsprop' or 'adam'; a "
     "hyperparameter left None is the book's default for the kind. Its state arrays start "
     "at zero, the iterations at 0.\n\nRaises ValueError for another kind or a negative or "
     "infinite hyperparameter, RuntimeError while arrays from param() view the current "
     "optimizer's state (the new optimizer frees it)."},
    {"param", METHOD(py_param),
     "param($self, layer, which)\n--\n\nA writable array viewing a dense layer's "
     "parameter in the network's memory, shape (rows, cols), of the network's dtype: which "
     "is 'weights', 'biases', 'dweights', 'dbiases', 'weight_momentums', 'weight_cache', "
     "'bias_momentums' or 'bias_cache'. None when the layer is not dense or the optimizer "
     "keeps no such state. The view keeps the network alive.\n\nRaises IndexError for a "
     "layer outside [0, n_layers), ValueError for another which."},
    {"get_iterations", (PyCFunction)py_get_iterations, METH_NOARGS,
     "get_iterations($self)\n--\n\n(iterations, learning rate): the optimizer's step "
     "count and current (decayed) learning rate."},
    {"set_iterations", METHOD(py_set_iterations),
     "set_iterations($self, iterations, learning_rate)\n--\n\nSet the optimizer's step "
     "count and current learning rate, to continue a run.\n\nRaises ValueError for "
     "iterations < 0 or a learning rate that is not finite."},
    {"set_dropout_stream", METHOD(py_set_dropout_stream),
     "set_dropout_stream($self, layer, seed, step)\n--\n\nGive dropout layer `layer` the "
     "fast masks' stream: train then draws its masks in C, those of "
     "nnfast.dropout_philox(inputs, rate, seed, step) with step counted up by one per "
     "training step (as Layer_Dropout(rng='fast') counts its forwards), unless dropout_mask "
     "is given.\n\nRaises IndexError for a layer outside [0, n_layers), ValueError for a "
     "layer that is not dropout, OverflowError for a seed or step outside [0, 2**64)."},
    {"get_dropout_stream", (PyCFunction)py_get_dropout_stream, METH_O,
     "get_dropout_stream($self, layer)\n--\n\n(seed, next step) of dropout layer `layer`'s "
     "fast-mask stream.\n\nRaises IndexError for a layer outside [0, n_layers), ValueError "
     "for a layer that is not dropout or has no stream set."},
    {"train", METHOD(network_train),
     "train($self, X, y, *, epochs, batch_size=0, order=None, dropout_mask=None, "
     "on_step=None, report_every=1, reports=None, step_reports=None)\n--\n\n"
     "Train for epochs epochs, in batches of batch_size samples (0: all), as Model.train "
     "does, without the GIL. X (n, n_inputs) of the network's dtype, any strides; y 1-D "
     "integer class labels (n,) or targets (n, n_outputs) of the network's dtype. "
     "order(epoch) -> a permutation of range(n), at each epoch's start; "
     "dropout_mask(layer, m, n, keep) -> a 0/1 integer array (m, n) (the book's "
     "np.random.binomial(1, keep, size=(m, n))); on_step(epoch, step, data_loss, "
     "regularization_loss, accuracy, learning_rate) after each step whose number is a "
     "multiple of report_every and each epoch's last; reports, a writable C-contiguous "
     "float64 array (epochs, 5), gets epoch e's (data_loss, regularization_loss, accuracy, "
     "learning_rate, loss_sum) in row e - 1 (its mean loss and accuracy, the regularization "
     "loss after its last step, its per-sample losses summed: the book's accumulated_sum, in "
     "float32 for a float32 network but for softmax + cross-entropy); step_reports, the "
     "same, gets epoch e's last step's figures (its regularization loss before that step's "
     "update: with one step per epoch, chapter 18's figures). Ctrl-C stops between two "
     "steps. Returns epochs.\n\n"
     "Raises TypeError for X or targets of another dtype, ValueError for shapes that do not "
     "fit, settings the network cannot train with, or a callback's bad array; IndexError for "
     "a label outside [0, n_outputs); RuntimeError while the network runs in another "
     "thread; a callback's exception (or KeyboardInterrupt) stops training after a whole step "
     "and propagates."},
    {"forward", METHOD(network_forward),
     "forward($self, X, *, out=None, batch_size=0)\n--\n\nThe outputs (n, n_outputs) of X "
     "(n, n_inputs), of the network's dtype, in batches of batch_size rows (0: all), "
     "without dropout (the book's predict), without the GIL; into out when given.\n\n"
     "Raises TypeError for X or out of another dtype, ValueError for shapes that do not fit, "
     "RuntimeError while the network runs in another thread."},
    {NULL, NULL, 0, NULL},
};

PyTypeObject nnf_py_network_type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "nnfast._core.Network",
    .tp_basicsize = sizeof(NetworkObject),
    .tp_dealloc = (destructor)network_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Network(dtype, n_inputs)\n--\n\nThe C library's network (nnf_net): the book's "
              "Model with every buffer in C, in float32 or float64 (dtype: anything "
              "numpy.dtype takes that is one of them), taking n_inputs >= 1 features. Add the "
              "layers in order, set the loss, accuracy and optimizer, set the dense layers' "
              "parameters through param() views, then train() and forward().\n\nRaises "
              "TypeError for another dtype, ValueError for n_inputs < 1.",
    .tp_methods = network_methods,
    .tp_getset = network_getset,
    .tp_new = network_new,
};
