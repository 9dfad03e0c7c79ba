/* dropout.c: the book's dropout layer, forward (with the caller's binomial mask) and
 * backward. */
#include "binding.h"

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

static PyObject *py_dropout_backward(PyObject *self, PyObject *const *args, Py_ssize_t n, PyObject *kw)
{
    static const char *const names[] = {"dvalues", "binary_mask", "out"};
    return elementwise("dropout_backward", NNF_EW_MUL, names, args, n, kw);
}

PyMethodDef nnf_py_dropout_methods[] = {
    {"dropout", FASTCALL(py_dropout),
     "dropout(inputs, mask, rate, out=None)\n--\n\n(inputs * binary_mask, binary_mask) with "
     "binary_mask = mask / (1 - rate)."},
    {"dropout_backward", FASTCALL(py_dropout_backward),
     "dropout_backward(dvalues, binary_mask, out=None)\n--\n\ndvalues * binary_mask."},
    {NULL, NULL, 0, NULL},
};
