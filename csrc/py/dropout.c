/* dropout.c: the book's dropout layer, forward (with the caller's binomial mask, or one
 * drawn by Philox4x32-10 in C) and backward; and the raw Philox words the tests check. */
#include "binding.h"
#include "rng/philox.h"

/* An integer argument in [0, 2^64) (a seed, a step counter), else TypeError / ValueError
 * naming it. */
static int u64_arg(const char *fn, const char *name, PyObject *v, uint64_t *out)
{
    PyObject *i = PyNumber_Check(v) && !PyFloat_Check(v) ? PyNumber_Index(v) : NULL;
    if (!i) {
        PyErr_Clear();
        PyErr_Format(PyExc_TypeError, "%s: %s must be an integer, got %.100s", fn, name,
                     Py_TYPE(v)->tp_name);
        return -1;
    }
    unsigned long long u = PyLong_AsUnsignedLongLong(i);
    Py_DECREF(i);
    if (u == (unsigned long long)-1 && PyErr_Occurred()) {
        PyErr_Clear();
        PyErr_Format(PyExc_ValueError, "%s: %s must be in [0, 2**64), got %R", fn, name, v);
        return -1;
    }
    *out = (uint64_t)u;
    return 0;
}

/* dropout(inputs, mask, rate, out=None) -> (output, binary_mask). */
static PyObject *py_dropout(PyObject *self, PyObject *const *args, Py_ssize_t nargs,
                            PyObject *kwnames)
{
    static const char *const names[] = {"inputs", "mask", "rate", "out"};
    const char *fn = "dropout";
    PyObject *v[4], *ret = NULL;
    PyArrayObject *x = NULL, *mk = NULL, *xr = NULL, *mr = NULL, *res = NULL, *bm = NULL;
    double rate = 0;
    if (parse_args(fn, args, nargs, kwnames, names, 4, 3, v) < 0 ||
        real_arg(fn, "rate", v[2], &rate) < 0)
        return NULL;
    if (!(rate >= 0 && rate < 1)) {
        PyErr_Format(PyExc_ValueError, "%s: rate must be in [0, 1), got %R", fn, v[2]);
        return NULL;
    }
    if (!(x = to_array(fn, "inputs", v[0])) || !(mk = to_array(fn, "mask", v[1])))
        goto done;
    char kind = PyArray_DESCR(mk)->kind;
    if (kind != 'i' && kind != 'u' && kind != 'b') {
        PyErr_Format(PyExc_TypeError, "%s: mask must hold integers 0/1 (as np.random.binomial "
                     "draws them), got dtype %S", fn, (PyObject *)PyArray_DESCR(mk));
        goto done;
    }
    PyArray_Descr *i64 = PyArray_DescrFromType(NPY_INT64);
    int fits = PyArray_CanCastTypeTo(PyArray_DESCR(mk), i64, NPY_SAFE_CASTING);
    Py_DECREF(i64);
    if (!fits) { /* uint64: values past int64's range */
        PyErr_Format(PyExc_TypeError, "%s: mask has dtype %S, which does not fit int64; pass "
                     "mask.astype(np.int64)", fn, (PyObject *)PyArray_DESCR(mk));
        goto done;
    }
    if (same_shape(fn, x, "inputs", mk, "mask") < 0)
        goto done;
    int t = float_type(fn, 1, &x);
    mat X, M, Y, BM;
    if (t < 0 || cast_to(&x, t) < 0 || cast_to(&mk, NPY_INT64) < 0 ||
        !(xr = input_rows(x, &X)) || !(mr = input_rows(mk, &M)))
        goto done;
    if (!(res = result_array(fn, unless_none(v[3]), PyArray_NDIM(x), PyArray_DIMS(x), t,
                             (PyArrayObject *[]){xr, mr}, 2, 1)) ||
        !(bm = new_array(PyArray_NDIM(x), PyArray_DIMS(x), t)))
        goto done;
    rows_of(res, &Y);
    rows_of(bm, &BM);
    RUN_KERNEL((double)X.m * X.n * 2, t, nnf_dropout, X.m, X.n, X.data, X.rs, X.cs, M.data, M.rs,
               M.cs, 1 - rate, BM.data, BM.rs, BM.cs, Y.data, Y.rs, Y.cs);
    PyObject *o = finish_out(unless_none(v[3]), res);
    res = NULL;
    if (o)
        ret = Py_BuildValue("(NO)", o, (PyObject *)bm);
done:
    Py_XDECREF(x);
    Py_XDECREF(mk);
    Py_XDECREF(xr);
    Py_XDECREF(mr);
    Py_XDECREF(res);
    Py_XDECREF(bm);
    return ret;
}

/* dropout_philox(inputs, rate, seed, step, out=None) -> (output, binary_mask). */
static PyObject *py_dropout_philox(PyObject *self, PyObject *const *args, Py_ssize_t nargs,
                                   PyObject *kwnames)
{
    static const char *const names[] = {"inputs", "rate", "seed", "step", "out"};
    const char *fn = "dropout_philox";
    PyObject *v[5], *ret = NULL;
    PyArrayObject *x = NULL, *xr = NULL, *res = NULL, *bm = NULL;
    double rate = 0;
    uint64_t seed, step;
    if (parse_args(fn, args, nargs, kwnames, names, 5, 4, v) < 0 ||
        real_arg(fn, "rate", v[1], &rate) < 0 || u64_arg(fn, "seed", v[2], &seed) < 0 ||
        u64_arg(fn, "step", v[3], &step) < 0)
        return NULL;
    if (!(rate >= 0 && rate < 1)) {
        PyErr_Format(PyExc_ValueError, "%s: rate must be in [0, 1), got %R", fn, v[1]);
        return NULL;
    }
    if (!(x = to_array(fn, "inputs", v[0])))
        goto done;
    int t = float_type(fn, 1, &x);
    mat X, Y, BM;
    if (t < 0 || cast_to(&x, t) < 0 || !(xr = input_rows(x, &X)))
        goto done;
    if (!(res = result_array(fn, unless_none(v[4]), PyArray_NDIM(x), PyArray_DIMS(x), t,
                             (PyArrayObject *[]){xr}, 1, 1)) ||
        !(bm = new_array(PyArray_NDIM(x), PyArray_DIMS(x), t)))
        goto done;
    rows_of(res, &Y);
    rows_of(bm, &BM);
    RUN_KERNEL((double)X.m * X.n * 20, t, nnf_dropout_philox, X.m, X.n, X.data, X.rs, X.cs,
               seed, step, 1 - rate, BM.data, BM.rs, BM.cs, Y.data, Y.rs, Y.cs);
    PyObject *o = finish_out(unless_none(v[4]), res);
    res = NULL;
    if (o)
        ret = Py_BuildValue("(NO)", o, (PyObject *)bm);
done:
    Py_XDECREF(x);
    Py_XDECREF(xr);
    Py_XDECREF(res);
    Py_XDECREF(bm);
    return ret;
}

/* _philox_words(seed, step, block, count) -> uint32 array (count, 4): Philox4x32-10 at the
 * counters (block + k, step), key seed, for the tests to check against published values. */
static PyObject *py_philox_words(PyObject *self, PyObject *const *args, Py_ssize_t nargs,
                                 PyObject *kwnames)
{
    static const char *const names[] = {"seed", "step", "block", "count"};
    const char *fn = "_philox_words";
    PyObject *v[4];
    uint64_t seed, step, block, count;
    if (parse_args(fn, args, nargs, kwnames, names, 4, 4, v) < 0 ||
        u64_arg(fn, "seed", v[0], &seed) < 0 || u64_arg(fn, "step", v[1], &step) < 0 ||
        u64_arg(fn, "block", v[2], &block) < 0 || u64_arg(fn, "count", v[3], &count) < 0)
        return NULL;
    if (count > ((uint64_t)1 << 32)) {
        PyErr_Format(PyExc_ValueError, "%s: count must be at most 2**32, got %R", fn, v[3]);
        return NULL;
    }
    npy_intp dims[2] = {(npy_intp)count, 4};
    PyArrayObject *out = (PyArrayObject *)PyArray_SimpleNew(2, dims, NPY_UINT32);
    if (!out)
        return NULL;
    uint32_t *w = PyArray_DATA(out);
    for (uint64_t k = 0; k < count; k += NNF_PHILOX_MAX_BLOCKS) {
        uint64_t nb = count - k < NNF_PHILOX_MAX_BLOCKS ? count - k : NNF_PHILOX_MAX_BLOCKS;
        nnf_philox_blocks(seed, step, block + k, (int)nb, w + 4 * k);
    }
    return (PyObject *)out;
}

static PyObject *py_dropout_backward(PyObject *self, PyObject *const *args, Py_ssize_t n, PyObject *kw)
{
    static const char *const names[] = {"dvalues", "binary_mask", "out"};
    return elementwise("dropout_backward", NNF_EW_MUL, names, args, n, kw);
}

PyMethodDef nnf_py_dropout_methods[] = {
    {"dropout", FASTCALL(py_dropout),
     "dropout(inputs, mask, rate, out=None)\n--\n\n(inputs * binary_mask, binary_mask) with "
     "binary_mask = mask / (1 - rate)."},
    {"dropout_philox", FASTCALL(py_dropout_philox),
     "dropout_philox(inputs, rate, seed, step, out=None)\n--\n\n(inputs * binary_mask, "
     "binary_mask): element e of the flattened inputs is kept iff word e of Philox4x32-10's "
     "stream (seed, step) is below ceil((1 - rate) * 2**32); binary_mask is 1 / (1 - rate) "
     "where kept, else 0."},
    {"_philox_words", FASTCALL(py_philox_words),
     "_philox_words(seed, step, block, count)\n--\n\nuint32 array (count, 4): "
     "Philox4x32-10 at counters (block + k, step) with key seed."},
    {"dropout_backward", FASTCALL(py_dropout_backward),
     "dropout_backward(dvalues, binary_mask, out=None)\n--\n\ndvalues * binary_mask."},
    {NULL, NULL, 0, NULL},
};
