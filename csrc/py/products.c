/* products.c: the functions built on the matrix product: dot, dense (a layer's forward pass
 * with its activation) and dense_backward. */
#include "binding.h"

static PyObject *py_dot(PyObject *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    static const char *const names[] = {"a", "b", "out"};
    PyObject *v[3], *ret = NULL;
    PyArrayObject *a = NULL, *b = NULL, *res = NULL;
    if (parse_args("dot", args, nargs, kwnames, names, 3, 2, v) < 0)
        return NULL;
    v[2] = unless_none(v[2]);
    if (!(a = to_array("dot", "a", v[0])) || !(b = to_array("dot", "b", v[1])))
        goto done;
    int nda = PyArray_NDIM(a), ndb = PyArray_NDIM(b);
    if (nda < 1 || nda > 2 || ndb < 1 || ndb > 2) {
        PyErr_Format(PyExc_ValueError, "dot: takes 1-D and 2-D arrays, got a with shape %s and "
                     "b with shape %s", SHAPE(a), SHAPE(b));
        goto done;
    }
    if (PyArray_DIM(a, nda - 1) != PyArray_DIM(b, 0)) {
        PyErr_Format(PyExc_ValueError, "dot: shapes %s and %s not aligned: %zd (dim %d) != %zd "
                     "(dim 0)", SHAPE(a), SHAPE(b), (Py_ssize_t)PyArray_DIM(a, nda - 1), nda - 1,
                     (Py_ssize_t)PyArray_DIM(b, 0));
        goto done;
    }
    PyArray_Descr *rt = PyArray_ResultType(2, (PyArrayObject *[]){a, b}, 0, NULL);
    if (!rt)
        goto done;
    int exact_int = PyTypeNum_ISINTEGER(rt->type_num) || PyTypeNum_ISBOOL(rt->type_num);
    Py_DECREF(rt);
    if (exact_int) { /* integers stay exact integers, as numpy.dot gives them: NumPy computes */
        if (v[2] && !PyArray_Check(v[2]))
            PyErr_Format(PyExc_TypeError, "dot: out must be a numpy.ndarray, got %s",
                         Py_TYPE(v[2])->tp_name);
        else
            ret = PyArray_MatrixProduct2((PyObject *)a, (PyObject *)b, (PyArrayObject *)v[2]);
        if (ret && !v[2]) /* a 0-d result is a NumPy scalar, as numpy.dot returns it */
            ret = PyArray_Return((PyArrayObject *)ret);
        goto done;
    }
    int t = float_type("dot", 2, (PyArrayObject *[]){a, b});
    if (t < 0 || cast_to(&a, t) < 0 || cast_to(&b, t) < 0)
        goto done;
    mat A = nda == 2 ? mat_of(a) : row_of(a), B = ndb == 2 ? mat_of(b) : col_of(b), C;
    npy_intp shape[2];
    int nd = 0;
    if (nda == 2)
        shape[nd++] = A.m;
    if (ndb == 2)
        shape[nd++] = B.n;
    if (!(res = result_array("dot", v[2], nd, shape, t, (PyArrayObject *[]){a, b}, 2, 0)))
        goto done;
    if (nd == 2)
        C = mat_of(res);
    else if (nd == 1)
        C = nda == 2 ? col_of(res) : row_of(res);
    else
        C = (mat){PyArray_DATA(res), 1, 1, 0, 0};
    if (RUN_KERNEL((double)A.m * B.n * A.n, t, nnf_dense, A.m, B.n, A.n, A.data, A.rs, A.cs,
                   B.data, B.rs, B.cs, NULL, 0, NNF_ACT_NONE, C.data, C.rs, C.cs) == 0) {
        ret = finish_out(v[2], res);
        res = NULL;
    }
done:
    Py_XDECREF(a);
    Py_XDECREF(b);
    Py_XDECREF(res);
    return ret;
}

static PyObject *py_dense(PyObject *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    static const char *const names[] = {"inputs", "weights", "biases", "activation", "out"};
    PyObject *v[5], *ret = NULL;
    PyArrayObject *x = NULL, *w = NULL, *b = NULL, *res = NULL;
    nnf_activation act;
    if (parse_args("dense", args, nargs, kwnames, names, 5, 3, v) < 0 ||
        activation_arg("dense", unless_none(v[3]), &act) < 0)
        return NULL;
    v[4] = unless_none(v[4]);
    if (!(x = to_array("dense", "inputs", v[0])) || !(w = to_array("dense", "weights", v[1])) ||
        !(b = to_array("dense", "biases", v[2])))
        goto done;
    int ndx = PyArray_NDIM(x);
    if (ndx < 1 || ndx > 2) {
        PyErr_Format(PyExc_ValueError, "dense: inputs must be 1-D (n_inputs,) or 2-D (n_samples, "
                     "n_inputs), got shape %s", SHAPE(x));
        goto done;
    }
    if (PyArray_NDIM(w) != 2) {
        PyErr_Format(PyExc_ValueError, "dense: weights must be 2-D (n_inputs, n_neurons), got "
                     "shape %s", SHAPE(w));
        goto done;
    }
    npy_intp k = PyArray_DIM(w, 0), n = PyArray_DIM(w, 1);
    if (PyArray_DIM(x, ndx - 1) != k) {
        PyErr_Format(PyExc_ValueError, "dense: inputs shape %s and weights shape %s not aligned: "
                     "%zd (dim %d) != %zd (dim 0)", SHAPE(x), SHAPE(w),
                     (Py_ssize_t)PyArray_DIM(x, ndx - 1), ndx - 1, (Py_ssize_t)k);
        goto done;
    }
    int ndb = PyArray_NDIM(b);
    if (!((ndb == 1 && PyArray_DIM(b, 0) == n) ||
          (ndb == 2 && PyArray_DIM(b, 0) == 1 && PyArray_DIM(b, 1) == n))) {
        PyErr_Format(PyExc_ValueError, "dense: biases shape %s does not fit weights shape %s: "
                     "expected (%zd,) or (1,%zd)", SHAPE(b), SHAPE(w), (Py_ssize_t)n, (Py_ssize_t)n);
        goto done;
    }
    int t = float_type("dense", 3, (PyArrayObject *[]){x, w, b});
    if (t < 0 || cast_to(&x, t) < 0 || cast_to(&w, t) < 0 || cast_to(&b, t) < 0)
        goto done;
    mat X = ndx == 2 ? mat_of(x) : row_of(x), W = mat_of(w), C;
    npy_intp shape[2] = {X.m, n};
    npy_intp *rshape = ndx == 2 ? shape : shape + 1;
    if (!(res = result_array("dense", v[4], ndx, rshape, t, (PyArrayObject *[]){x, w, b}, 3, 0)))
        goto done;
    C = ndx == 2 ? mat_of(res) : row_of(res);
    if (RUN_KERNEL((double)X.m * n * k, t, nnf_dense, X.m, n, k, X.data, X.rs, X.cs, W.data,
                   W.rs, W.cs, PyArray_DATA(b), stride_of(b, ndb - 1), act, C.data, C.rs,
                   C.cs) == 0) {
        ret = finish_out(v[4], res);
        res = NULL;
    }
done:
    Py_XDECREF(x);
    Py_XDECREF(w);
    Py_XDECREF(b);
    Py_XDECREF(res);
    return ret;
}

/* dense_backward: (dweights, dbiases, dinputs or None). */
static PyObject *py_dense_backward(PyObject *self, PyObject *const *args, Py_ssize_t nargs,
                                   PyObject *kwnames)
{
    static const char *const names[] = {
        "dvalues", "inputs", "weights", "biases", "weight_regularizer_l1",
        "weight_regularizer_l2", "bias_regularizer_l1", "bias_regularizer_l2", "relu_output",
        "need_dinputs", "dweights", "dbiases", "dinputs"};
    enum { A_DV, A_X, A_W, A_B, A_WL1, A_WL2, A_BL1, A_BL2, A_RO, A_NEED, A_DW, A_DB, A_DX, NARGS };
    const char *fn = "dense_backward";
    PyObject *v[NARGS], *ret = NULL;
    PyArrayObject *in[5] = {NULL}; /* dvalues, inputs, weights, biases, relu_output */
    PyArrayObject *dw = NULL, *db = NULL, *dx = NULL, *drelu = NULL;
    double reg[4] = {0, 0, 0, 0};
    if (parse_args(fn, args, nargs, kwnames, names, NARGS, 3, v) < 0)
        return NULL;
    for (int i = 0; i < 4; i++)
        if (real_arg(fn, names[A_WL1 + i], v[A_WL1 + i], &reg[i]) < 0)
            return NULL;
    int need_dx = flag_arg(fn, names[A_NEED], v[A_NEED], 1);
    if (need_dx < 0)
        return NULL;
    const char *in_names[5] = {"dvalues", "inputs", "weights", "biases", "relu_output"};
    PyObject *in_objs[5] = {v[A_DV], v[A_X], v[A_W], unless_none(v[A_B]), unless_none(v[A_RO])};
    int n_in = 0;
    for (int i = 0; i < 5; i++)
        if (in_objs[i] && !(in[i] = to_array(fn, in_names[i], in_objs[i])))
            goto done;
    if (need_2d(fn, in[0], "dvalues", "(samples, neurons)") < 0 ||
        need_2d(fn, in[1], "inputs", "(samples, n_inputs)") < 0 ||
        need_2d(fn, in[2], "weights", "(n_inputs, neurons)") < 0)
        goto done;
    npy_intp m = PyArray_DIM(in[0], 0), n = PyArray_DIM(in[0], 1), k = PyArray_DIM(in[1], 1);
    if (PyArray_DIM(in[1], 0) != m || PyArray_DIM(in[2], 0) != k || PyArray_DIM(in[2], 1) != n) {
        PyErr_Format(PyExc_ValueError, "%s: shapes do not align: dvalues %s, inputs %s, weights "
                     "%s (expected (samples, neurons), (samples, n_inputs), (n_inputs, neurons))",
                     fn, SHAPE(in[0]), SHAPE(in[1]), SHAPE(in[2]));
        goto done;
    }
    if (in[3] && !((PyArray_NDIM(in[3]) == 1 && PyArray_DIM(in[3], 0) == n) ||
                   (PyArray_NDIM(in[3]) == 2 && PyArray_DIM(in[3], 0) == 1 &&
                    PyArray_DIM(in[3], 1) == n))) {
        PyErr_Format(PyExc_ValueError, "%s: biases must have shape (%zd,) or (1, %zd) for dvalues "
                     "%s, got %s", fn, (Py_ssize_t)n, (Py_ssize_t)n, SHAPE(in[0]), SHAPE(in[3]));
        goto done;
    }
    if (in[4] && same_shape(fn, in[0], "dvalues", in[4], "relu_output") < 0)
        goto done;
    if (!in[3] && (reg[2] != 0 || reg[3] != 0)) { /* the terms are l1 * sign(b), 2 * l2 * b */
        PyErr_Format(PyExc_ValueError, "%s: bias_regularizer_l1/l2 given without biases: the "
                     "regularization terms need the biases", fn);
        goto done;
    }
    PyArrayObject *typed[5];
    for (int i = 0; i < 5; i++)
        if (in[i])
            typed[n_in++] = in[i];
    int t = float_type(fn, n_in, typed);
    if (t < 0)
        goto done;
    for (int i = 0; i < 5; i++)
        if (in[i] && cast_to(&in[i], t) < 0)
            goto done;
    n_in = 0;
    for (int i = 0; i < 5; i++)
        if (in[i])
            typed[n_in++] = in[i];
    npy_intp dw_shape[2] = {k, n}, db_shape[2] = {1, n};
    int db_nd = in[3] ? PyArray_NDIM(in[3]) : 2;
    if (db_nd == 1)
        db_shape[0] = n;
    npy_intp dx_shape[2] = {m, k};
    if (!(dw = result_array(fn, unless_none(v[A_DW]), 2, dw_shape, t, typed, n_in, 0)) ||
        !(db = result_array(fn, unless_none(v[A_DB]), db_nd, db_shape, t, typed, n_in, 0)) ||
        (need_dx && !(dx = result_array(fn, unless_none(v[A_DX]), 2, dx_shape, t, typed, n_in, 0))))
        goto done;
    /* Two results written into one memory: one would overwrite the other. */
    PyObject *outs[3] = {unless_none(v[A_DW]), unless_none(v[A_DB]),
                         need_dx ? unless_none(v[A_DX]) : NULL};
    for (int i = 0; i < 3; i++)
        for (int j = i + 1; j < 3; j++)
            if (outs[i] && outs[j] && overlaps((PyArrayObject *)outs[i], (PyArrayObject *)outs[j])) {
                PyErr_Format(PyExc_ValueError, "%s: %s and %s share memory; each result needs "
                             "its own array", fn, names[A_DW + i], names[A_DW + j]);
                goto done;
            }
    if (in[4] && !(drelu = new_array(2, PyArray_DIMS(in[0]), t)))
        goto done;
    mat DV = mat_of(in[0]), Xm = mat_of(in[1]), Wm = mat_of(in[2]), DW = mat_of(dw);
    mat Bm = in[3] ? (db_nd == 1 ? row_of(in[3]) : mat_of(in[3])) : (mat){0};
    mat DB = db_nd == 1 ? row_of(db) : mat_of(db);
    mat RO = in[4] ? mat_of(in[4]) : (mat){0}, DR = drelu ? mat_of(drelu) : (mat){0};
    mat DX = dx ? mat_of(dx) : (mat){0};
    if (RUN_KERNEL(2.0 * m * n * k, t, nnf_dense_backward, m, k, n, DV.data, DV.rs, DV.cs,
                   RO.data, RO.rs, RO.cs, DR.data, DR.rs, DR.cs, Xm.data, Xm.rs, Xm.cs, Wm.data,
                   Wm.rs, Wm.cs, Bm.data, Bm.cs, reg, DW.data, DW.rs, DW.cs, DB.data, DB.cs,
                   DX.data, DX.rs, DX.cs) < 0)
        goto done;
    PyObject *rw = finish_out(unless_none(v[A_DW]), dw), *rb = NULL, *rx = NULL;
    dw = NULL;
    rb = rw ? finish_out(unless_none(v[A_DB]), db) : NULL;
    db = NULL;
    if (dx) {
        rx = rb ? finish_out(unless_none(v[A_DX]), dx) : NULL;
        dx = NULL;
    } else {
        rx = Py_None;
        Py_INCREF(rx);
    }
    if (rw && rb && rx)
        ret = PyTuple_Pack(3, rw, rb, rx);
    Py_XDECREF(rw);
    Py_XDECREF(rb);
    Py_XDECREF(rx);
done:
    for (int i = 0; i < 5; i++)
        Py_XDECREF(in[i]);
    Py_XDECREF(dw);
    Py_XDECREF(db);
    Py_XDECREF(dx);
    Py_XDECREF(drelu);
    return ret;
}

PyMethodDef nnf_py_products_methods[] = {
    {"dot", FASTCALL(py_dot),
     "dot(a, b, out=None)\n--\n\n"
     "numpy.dot for 1-D and 2-D arrays: (k,).(k,) -> scalar, (m,k).(k,) -> (m,),\n"
     "(k,).(k,n) -> (n,), (m,k).(k,n) -> (m,n). Any array_like; strided and transposed views\n"
     "are read in place.\n\n"
     "dtype: float32 for float32 operands, float64 once a float64 is involved; integer/bool-only\n"
     "operands give numpy.dot's exact integer result.\n"
     "out: an ndarray of the result's shape and dtype to write into (may alias an input).\n\n"
     "Raises ValueError for operands that are not 1-D or 2-D or whose shapes do not align,\n"
     "TypeError for float16/complex/object/string data or an out of the wrong type or dtype,\n"
     "ValueError for an out of the wrong shape or a read-only out."},
    {"dense", FASTCALL(py_dense),
     "dense(inputs, weights, biases, activation=None, out=None)\n--\n\n"
     "activation(inputs @ weights + biases) in one C call (a dense layer's forward pass).\n\n"
     "inputs (n, n_inputs) or one sample (n_inputs,); weights (n_inputs, n_neurons);\n"
     "biases (n_neurons,) or (1, n_neurons). Result (n, n_neurons), or (n_neurons,) for one\n"
     "sample. activation: None or 'linear' (none), 'relu', or 'softmax' (row-wise).\n"
     "dtype: float32 when all are float32, else float64. out: an ndarray of the result's\n"
     "shape and dtype to write into.\n\n"
     "Raises ValueError for shapes that do not align (the message names them) or an unknown\n"
     "activation, TypeError for non-numeric or float16/complex data or a wrong out dtype."},
    {"dense_backward", FASTCALL(py_dense_backward),
     "dense_backward(dvalues, inputs, weights, biases=None, weight_regularizer_l1=0, "
     "weight_regularizer_l2=0, bias_regularizer_l1=0, bias_regularizer_l2=0, relu_output=None, "
     "need_dinputs=True, dweights=None, dbiases=None, dinputs=None)\n--\n\n"
     "(dweights, dbiases, dinputs): the dense layer's backward pass with L1/L2 terms."},
    {NULL, NULL, 0, NULL},
};
