/* labels.c: class labels for the losses and accuracy: predictions (samples, classes) with
 * labels as integer class indices (samples,) or one-hot rows (samples, classes). */
#include "binding.h"

void labelled_clear(labelled *d)
{
    Py_XDECREF(d->pred);
    Py_XDECREF(d->y);
    Py_XDECREF(d->idx);
    Py_XDECREF(d->onehot);
}

/* 1-D integer labels y as int64 (a new reference): y itself when it is int64 already, else
 * a copy converted by a loop here, which costs a fraction of NumPy's general cast for the
 * few hundred labels of a batch (uint64 labels above INT64_MAX become negative, so the
 * kernels' range check still refuses them). */
PyArrayObject *labels_as_int64(PyArrayObject *y)
{
    if (PyArray_TYPE(y) == NPY_INT64 || !PyArray_ISINTEGER(y) || !PyArray_ISALIGNED(y) ||
        !PyArray_ISNOTSWAPPED(y))
        return (PyArrayObject *)PyArray_FROM_OTF((PyObject *)y, NPY_INT64,
                                                 NPY_ARRAY_ALIGNED | NPY_ARRAY_NOTSWAPPED |
                                                 NPY_ARRAY_FORCECAST);
    npy_intp m = PyArray_DIM(y, 0), s = PyArray_STRIDE(y, 0);
    PyArrayObject *idx = (PyArrayObject *)PyArray_SimpleNew(1, &m, NPY_INT64);
    if (!idx)
        return NULL;
    const char *src = PyArray_BYTES(y);
    int64_t *dst = PyArray_DATA(idx);
#define LABELS_CASE(NPY, C)                                                                    \
    case NPY:                                                                                  \
        for (npy_intp i = 0; i < m; i++)                                                       \
            dst[i] = (int64_t) * (const C *)(src + i * s);                                     \
        break;
    switch (PyArray_TYPE(y)) { /* every integer type (PyArray_ISINTEGER) */
        LABELS_CASE(NPY_BYTE, npy_byte)
        LABELS_CASE(NPY_UBYTE, npy_ubyte)
        LABELS_CASE(NPY_SHORT, npy_short)
        LABELS_CASE(NPY_USHORT, npy_ushort)
        LABELS_CASE(NPY_INT, npy_int)
        LABELS_CASE(NPY_UINT, npy_uint)
        LABELS_CASE(NPY_LONG, npy_long)
        LABELS_CASE(NPY_ULONG, npy_ulong)
        LABELS_CASE(NPY_LONGLONG, npy_longlong)
        LABELS_CASE(NPY_ULONGLONG, npy_ulonglong)
    }
#undef LABELS_CASE
    return idx;
}

int labelled_parse(const char *fn, const char *pred_name, PyObject *pred_obj, PyObject *y_obj,
                   labelled *d)
{
    memset(d, 0, sizeof *d);
    if (!(d->pred = to_array(fn, pred_name, pred_obj)) || !(d->y = to_array(fn, "y_true", y_obj)))
        return -1;
    if (PyArray_NDIM(d->pred) != 2) {
        PyErr_Format(PyExc_ValueError, "%s: %s must be 2-D (samples, classes), got shape %s", fn,
                     pred_name, SHAPE(d->pred));
        return -1;
    }
    npy_intp m = PyArray_DIM(d->pred, 0);
    int ndy = PyArray_NDIM(d->y);
    if (ndy == 1) {
        char kind = PyArray_DESCR(d->y)->kind;
        if (kind != 'i' && kind != 'u') {
            PyErr_Format(PyExc_TypeError, "%s: 1-D y_true must hold integer class indices, got "
                         "dtype %S", fn, (PyObject *)PyArray_DESCR(d->y));
            return -1;
        }
        if (PyArray_DIM(d->y, 0) != m) {
            PyErr_Format(PyExc_ValueError, "%s: y_true has %zd labels but %s has %zd samples "
                         "(shape %s)", fn, (Py_ssize_t)PyArray_DIM(d->y, 0), pred_name,
                         (Py_ssize_t)m, SHAPE(d->pred));
            return -1;
        }
        if (!(d->idx = labels_as_int64(d->y)))
            return -1;
        d->L = col_of(d->idx);
        d->t = float_type(fn, 1, &d->pred);
    } else if (ndy == 2) {
        if (!PyArray_CompareLists(PyArray_DIMS(d->y), PyArray_DIMS(d->pred), 2)) {
            PyErr_Format(PyExc_ValueError, "%s: one-hot y_true has shape %s but %s has shape %s",
                         fn, SHAPE(d->y), pred_name, SHAPE(d->pred));
            return -1;
        }
        d->t = float_type(fn, 2, (PyArrayObject *[]){d->pred, d->y});
        Py_INCREF(d->y);
        d->onehot = d->y;
        if (d->t < 0 || cast_to(&d->onehot, d->t) < 0)
            return -1;
        d->L = mat_of(d->onehot);
    } else {
        PyErr_Format(PyExc_ValueError, "%s: y_true must be 1-D class indices or 2-D one-hot rows, "
                     "got shape %s", fn, SHAPE(d->y));
        return -1;
    }
    if (d->t < 0 || cast_to(&d->pred, d->t) < 0)
        return -1;
    d->P = mat_of(d->pred);
    return 0;
}

/* IndexError for the label of sample `row`, read from the labels as the caller gave them. */
void raise_bad_label(const char *fn, const labelled *d, nnf_idx row)
{
    PyObject *val = PyArray_GETITEM(d->y, PyArray_GETPTR1(d->y, row));
    if (val)
        PyErr_Format(PyExc_IndexError, "%s: y_true[%zd] = %S is not a class index in [0, %zd)",
                     fn, (Py_ssize_t)row, val, (Py_ssize_t)d->P.n);
    Py_XDECREF(val);
}

