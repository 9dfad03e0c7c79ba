/* arrays.c: Python objects as arrays the C core can read (conversion, the compute dtype,
 * matrix views, memory overlap) and the arrays it writes into (new results and `out=`). */
#include "binding.h"

/* "(3,4)" into buf. */
const char *dims_str(int nd, const npy_intp *dims, char *buf, size_t size)
{
    int len = snprintf(buf, size, "(");
    for (int i = 0; i < nd && (size_t)len < size; i++)
        len += snprintf(buf + len, size - len, i ? ",%zd" : "%zd", (Py_ssize_t)dims[i]);
    if ((size_t)len < size)
        snprintf(buf + len, size - len, nd == 1 ? ",)" : ")");
    return buf;
}

/* Any Python object numpy.asarray accepts -> a new reference to an array (no copy if it is
 * one already). The kind is checked here so that strings, objects, complex numbers and the
 * like are refused with the argument's name. */
PyArrayObject *to_array(const char *fn, const char *name, PyObject *obj)
{
    if (obj == NULL || obj == Py_None) {
        PyErr_Format(PyExc_TypeError, "%s: %s must be an array-like of numbers, got None", fn, name);
        return NULL;
    }
    /* An ndarray (or subclass) is what PyArray_FROM_O would return; skip its dtype discovery. */
    PyArrayObject *a = PyArray_Check(obj) ? (Py_INCREF(obj), (PyArrayObject *)obj)
                                          : (PyArrayObject *)PyArray_FROM_O(obj);
    if (!a)
        return NULL;
    char kind = PyArray_DESCR(a)->kind;
    if (kind != 'f' && kind != 'i' && kind != 'u' && kind != 'b') {
        PyErr_Format(PyExc_TypeError, "%s: %s has dtype %S; nnfast takes real numbers (float32, "
                     "float64, integers or bool)", fn, name, (PyObject *)PyArray_DESCR(a));
        Py_DECREF(a);
        return NULL;
    }
    return a;
}

/* The dtype a float computation over arrs takes: NumPy's result type when that is float32 or
 * float64, float64 when all are integers or bools; -1 with TypeError for float16 or wider. */
int float_type(const char *fn, int n, PyArrayObject **arrs)
{
    /* The common case without NumPy's promotion machinery: float32/float64 arrays promote to
     * float64 if any is float64. A 0-d array among mixed types takes the general path (NumPy
     * 1.x promoted it by value). */
    int fast = NPY_FLOAT, mixed = 0, any_0d = 0;
    for (int i = 0; i < n && fast >= 0; i++) {
        int ti = PyArray_TYPE(arrs[i]);
        if (ti != NPY_FLOAT && ti != NPY_DOUBLE)
            fast = -1;
        else if (ti == NPY_DOUBLE)
            fast = NPY_DOUBLE;
        mixed |= ti != PyArray_TYPE(arrs[0]);
        any_0d |= PyArray_NDIM(arrs[i]) == 0;
    }
    if (fast >= 0 && n > 0 && !(mixed && any_0d))
        return fast;
    PyArray_Descr *d = PyArray_ResultType(n, arrs, 0, NULL);
    if (!d)
        return -1;
    int t = d->type_num;
    Py_DECREF(d);
    if (t == NPY_FLOAT || t == NPY_DOUBLE)
        return t;
    if (PyTypeNum_ISINTEGER(t) || PyTypeNum_ISBOOL(t))
        return NPY_DOUBLE;
    PyErr_Format(PyExc_TypeError, "%s: inputs promote to %s; nnfast computes in float32 or "
                 "float64: cast with .astype(np.float32)", fn,
                 t == NPY_HALF ? "float16" : "an unsupported dtype");
    return -1;
}

/* *a (new reference) -> an aligned, native-order array of type t; steals the old reference.
 * A view when nothing has to change. */
int cast_to(PyArrayObject **a, int t)
{
    if (PyArray_TYPE(*a) == t && PyArray_ISALIGNED(*a) && PyArray_ISNOTSWAPPED(*a))
        return 0; /* what PyArray_FROM_OTF would return: *a itself */
    PyArrayObject *c = (PyArrayObject *)PyArray_FROM_OTF((PyObject *)*a, t,
                                                         NPY_ARRAY_ALIGNED | NPY_ARRAY_NOTSWAPPED);
    Py_DECREF(*a);
    *a = c;
    return c ? 0 : -1;
}

/* Any-dimensional a as rows over its last axis: (prod(shape[:-1]), shape[-1]); a 0-d array
 * is (1, 1). Returns 0 when the leading axes cannot be merged into one stride. */
int rows_of(PyArrayObject *a, mat *v)
{
    int nd = PyArray_NDIM(a);
    if (nd == 0) {
        *v = (mat){PyArray_DATA(a), 1, 1, 0, 0};
        return 1;
    }
    if (nd == 1) {
        *v = row_of(a);
        return 1;
    }
    /* Merge axes 0 .. nd-2 into one of stride rs, skipping length-1 axes. */
    npy_intp m = 1, rs = 0, expect = 0;
    int have = 0;
    for (int d = nd - 2; d >= 0; d--) {
        npy_intp len = PyArray_DIM(a, d), st = PyArray_STRIDE(a, d);
        m *= len;
        if (len == 1)
            continue;
        if (have && st != expect)
            return 0;
        if (!have)
            rs = st;
        have = 1;
        expect = st * len;
    }
    if (m == 0)
        rs = 0;
    *v = (mat){PyArray_DATA(a), m, PyArray_DIM(a, nd - 1), rs / (nnf_idx)PyArray_ITEMSIZE(a),
               stride_of(a, nd - 1)};
    return 1;
}

/* Byte range [lo, hi) that a's elements occupy. */
static void extent(PyArrayObject *a, char **lo, char **hi)
{
    char *l = PyArray_BYTES(a), *h = l;
    for (int d = 0; d < PyArray_NDIM(a); d++) {
        npy_intp span = (PyArray_DIM(a, d) - 1) * PyArray_STRIDE(a, d);
        if (span < 0)
            l += span;
        else
            h += span;
    }
    *lo = l;
    *hi = h + PyArray_ITEMSIZE(a);
}

int overlaps(PyArrayObject *a, PyArrayObject *b)
{
    if (!a || !b || PyArray_SIZE(a) == 0 || PyArray_SIZE(b) == 0)
        return 0;
    char *alo, *ahi, *blo, *bhi;
    extent(a, &alo, &ahi);
    extent(b, &blo, &bhi);
    return alo < bhi && blo < ahi;
}

static int same_layout(PyArrayObject *a, PyArrayObject *b)
{
    return PyArray_DATA(a) == PyArray_DATA(b) && PyArray_NDIM(a) == PyArray_NDIM(b) &&
           PyArray_CompareLists(PyArray_DIMS(a), PyArray_DIMS(b), PyArray_NDIM(a)) &&
           PyArray_CompareLists(PyArray_STRIDES(a), PyArray_STRIDES(b), PyArray_NDIM(a));
}

/* A new C-order array (new reference) whose data starts on a cache line. NumPy's allocator
 * aligns to 16 bytes, on which three of four AVX-512 loads and stores straddle two lines:
 * the spiral's backward products ran up to 1.5x slower on such arrays. The array is a view
 * of a uint8 buffer 63 bytes longer (its base); small arrays, which gain nothing, are
 * NumPy's own. */
PyArrayObject *new_array(int nd, npy_intp *shape, int t)
{
    npy_intp bytes = t == NPY_FLOAT32 ? 4 : 8;
    for (int i = 0; i < nd; i++) {
        if (shape[i] < 0 || (shape[i] > 0 && bytes > (NPY_MAX_INTP - 64) / shape[i]))
            return (PyArrayObject *)PyArray_SimpleNew(nd, shape, t); /* NumPy's error */
        bytes *= shape[i];
    }
    if (bytes < 1024 || (t != NPY_FLOAT32 && t != NPY_FLOAT64))
        return (PyArrayObject *)PyArray_SimpleNew(nd, shape, t);
    npy_intp padded = bytes + 63;
    PyArrayObject *buf = (PyArrayObject *)PyArray_SimpleNew(1, &padded, NPY_UINT8);
    if (!buf)
        return NULL;
    char *data = PyArray_BYTES(buf);
    data += (64 - (uintptr_t)data % 64) % 64;
    PyArrayObject *a = (PyArrayObject *)PyArray_NewFromDescr(
        &PyArray_Type, PyArray_DescrFromType(t), nd, shape, NULL, data, NPY_ARRAY_CARRAY, NULL);
    if (!a || PyArray_SetBaseObject(a, (PyObject *)buf) < 0) { /* steals buf on success */
        Py_XDECREF(a);
        if (!a)
            Py_DECREF(buf);
        return NULL;
    }
    return a;
}

/* 0, or -1 with ValueError "<fn>: <name> is read-only" (NumPy's message) when a is not
 * writeable. The label is joined without printf: this runs for every in-place argument. */
int need_writeable(PyArrayObject *a, const char *fn, const char *name)
{
    char what[96];
    size_t lf = strlen(fn), ln = strlen(name);
    if (lf + ln + 3 > sizeof what)
        lf = ln = 0;
    memcpy(what, fn, lf);
    memcpy(what + lf, ": ", 2);
    memcpy(what + lf + 2, name, ln);
    what[lf + 2 + ln] = '\0';
    return PyArray_FailUnlessWriteable(a, what);
}

/* The array a kernel writes its result into (new reference).
 * Without `out`: a new C-order array of the shape and type. With `out`: `out` is checked
 * (ndarray, exact dtype, shape, writeable) and used directly when the kernel can write it in
 * place; otherwise (it overlaps an input the kernel still reads, is byte-swapped or
 * misaligned, or its axes do not merge) a scratch array is returned and finish_out copies it
 * into `out`. `in_place_ok` says the kernel may write over an input of identical layout. */
PyArrayObject *result_array(const char *fn, PyObject *out, int nd, npy_intp *shape, int t,
                            PyArrayObject **inputs, int n_inputs, int in_place_ok)
{
    if (!out)
        return new_array(nd, shape, t);
    if (!PyArray_Check(out)) {
        PyErr_Format(PyExc_TypeError, "%s: out must be a numpy.ndarray, got %s", fn,
                     Py_TYPE(out)->tp_name);
        return NULL;
    }
    PyArrayObject *o = (PyArrayObject *)out;
    PyArray_Descr *want = PyArray_DescrFromType(t);
    int same_type = PyArray_EquivTypes(PyArray_DESCR(o), want);
    if (!same_type)
        PyErr_Format(PyExc_TypeError, "%s: out has dtype %S but the result is %S", fn,
                     (PyObject *)PyArray_DESCR(o), (PyObject *)want);
    Py_DECREF(want);
    if (!same_type)
        return NULL;
    if (PyArray_NDIM(o) != nd || !PyArray_CompareLists(PyArray_DIMS(o), shape, nd)) {
        /* the shape as text, not an array of it: the result may be too big to allocate */
        PyErr_Format(PyExc_ValueError, "%s: out has shape %s but the result has shape %s", fn,
                     SHAPE(o), dims_str(nd, shape, (char[96]){0}, 96));
        return NULL;
    }
    if (need_writeable(o, fn, "out") < 0)
        return NULL;
    mat ov;
    int direct = PyArray_ISALIGNED(o) && PyArray_ISNOTSWAPPED(o) && rows_of(o, &ov) &&
                 !self_overlapping(ov);
    for (int i = 0; i < n_inputs && direct; i++)
        if (overlaps(o, inputs[i]) && !(in_place_ok && same_layout(o, inputs[i])))
            direct = 0;
    if (direct) {
        Py_INCREF(o);
        return o;
    }
    return new_array(nd, shape, t);
}

/* ValueError unless b has a's shape. */
int same_shape(const char *fn, PyArrayObject *a, const char *an, PyArrayObject *b,
               const char *bn)
{
    if (PyArray_NDIM(a) == PyArray_NDIM(b) &&
        PyArray_CompareLists(PyArray_DIMS(a), PyArray_DIMS(b), PyArray_NDIM(a)))
        return 0;
    PyErr_Format(PyExc_ValueError, "%s: %s has shape %s but %s has shape %s", fn, bn, SHAPE(b),
                 an, SHAPE(a));
    return -1;
}

