/* binding.c: the only file that sees Python. It turns Python arguments into arrays the C core
 * can read (checking every dtype, shape and `out`), picks the float32 or float64 kernel,
 * releases the GIL around the kernel call, and turns status codes into exceptions.
 * No loop here touches array elements.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#define NPY_NO_DEPRECATED_API NPY_1_22_API_VERSION
#include <numpy/arrayobject.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "nnfast.h"

/* Calls fn_f32 or fn_f64; pointer arguments are void * so one argument list serves both. */
#define DISPATCH(t, fn, ...) ((t) == NPY_FLOAT ? fn##_f32(__VA_ARGS__) : fn##_f64(__VA_ARGS__))

/* Below this many multiply-adds a kernel runs with the GIL held: releasing and re-taking it
 * would cost more than the work. */
#define GIL_FREE_MIN_WORK 4096.0
#define RELEASE_GIL(work) PyThreadState *gil_state_ = (work) >= GIL_FREE_MIN_WORK ? PyEval_SaveThread() : NULL
#define ACQUIRE_GIL() do { if (gil_state_) PyEval_RestoreThread(gil_state_); } while (0)

/* ---------------------------------------------------------------------------------------- */
/* Argument parsing: positional or keyword, METH_FASTCALL so a tiny call stays cheap.        */

/* The UTF-8 of a str for comparing with C strings: ValueError if it holds a NUL character
 * (strcmp would stop there and take "relu\0x" for "relu"). */
static const char *utf8_of(PyObject *str, const char *fn, const char *what)
{
    Py_ssize_t len;
    const char *s = PyUnicode_AsUTF8AndSize(str, &len);
    if (s && (Py_ssize_t)strlen(s) != len) {
        PyErr_Format(PyExc_ValueError, "%s: %s %R contains a null character", fn, what, str);
        return NULL;
    }
    return s;
}

/* Fills vals[0..n) from args/kwnames by the names in `names`; missing optional ones stay NULL.
 * The first `required` are mandatory. Borrowed references. */
static int parse_args(const char *fn, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames,
                      const char *const *names, int n, int required, PyObject **vals)
{
    if (nargs > n) {
        PyErr_Format(PyExc_TypeError, "%s() takes at most %d arguments (%zd given)", fn, n, nargs);
        return -1;
    }
    for (int i = 0; i < n; i++)
        vals[i] = i < nargs ? args[i] : NULL;
    Py_ssize_t nkw = kwnames ? PyTuple_GET_SIZE(kwnames) : 0;
    for (Py_ssize_t k = 0; k < nkw; k++) {
        const char *key = utf8_of(PyTuple_GET_ITEM(kwnames, k), fn, "keyword argument");
        if (!key)
            return -1;
        int i = 0;
        while (i < n && strcmp(key, names[i]) != 0)
            i++;
        if (i == n) {
            PyErr_Format(PyExc_TypeError, "%s() got an unexpected keyword argument '%s'", fn, key);
            return -1;
        }
        if (vals[i]) {
            PyErr_Format(PyExc_TypeError, "%s() got multiple values for argument '%s'", fn, key);
            return -1;
        }
        vals[i] = args[nargs + k];
    }
    for (int i = 0; i < required; i++)
        if (!vals[i]) {
            PyErr_Format(PyExc_TypeError, "%s() missing required argument '%s'", fn, names[i]);
            return -1;
        }
    return 0;
}

/* An optional argument for which None means "not given" (out=None, activation=None). */
static PyObject *unless_none(PyObject *v)
{
    return v == Py_None ? NULL : v;
}

/* ---------------------------------------------------------------------------------------- */
/* Arrays: conversion, dtype resolution, shapes.                                            */

/* "(3,4)" into buf. */
static const char *dims_str(int nd, const npy_intp *dims, char *buf, size_t size)
{
    int len = snprintf(buf, size, "(");
    for (int i = 0; i < nd && (size_t)len < size; i++)
        len += snprintf(buf + len, size - len, i ? ",%zd" : "%zd", (Py_ssize_t)dims[i]);
    if ((size_t)len < size)
        snprintf(buf + len, size - len, nd == 1 ? ",)" : ")");
    return buf;
}
static const char *shape_str(PyArrayObject *a, char *buf, size_t size)
{
    return dims_str(PyArray_NDIM(a), PyArray_DIMS(a), buf, size);
}
#define SHAPE(a) shape_str((a), (char[96]){0}, 96)

/* Any Python object numpy.asarray accepts -> a new reference to an array (no copy if it is
 * one already). The kind is checked here so that strings, objects, complex numbers and the
 * like are refused with the argument's name. */
static PyArrayObject *to_array(const char *fn, const char *name, PyObject *obj)
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
static int float_type(const char *fn, int n, PyArrayObject **arrs)
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
static int cast_to(PyArrayObject **a, int t)
{
    if (PyArray_TYPE(*a) == t && PyArray_ISALIGNED(*a) && PyArray_ISNOTSWAPPED(*a))
        return 0; /* what PyArray_FROM_OTF would return: *a itself */
    PyArrayObject *c = (PyArrayObject *)PyArray_FROM_OTF((PyObject *)*a, t,
                                                         NPY_ARRAY_ALIGNED | NPY_ARRAY_NOTSWAPPED);
    Py_DECREF(*a);
    *a = c;
    return c ? 0 : -1;
}

/* A matrix view of an array for the kernels: element (i, j) at data[i * rs + j * cs]. */
typedef struct {
    void *data;
    nnf_idx m, n, rs, cs;
} mat;

static nnf_idx stride_of(PyArrayObject *a, int d)
{
    return PyArray_STRIDE(a, d) / (nnf_idx)PyArray_ITEMSIZE(a);
}

/* 1-D a as a row (1, n). */
static mat row_of(PyArrayObject *a)
{
    return (mat){PyArray_DATA(a), 1, PyArray_DIM(a, 0), 0, stride_of(a, 0)};
}
/* 1-D a as a column (n, 1). */
static mat col_of(PyArrayObject *a)
{
    return (mat){PyArray_DATA(a), PyArray_DIM(a, 0), 1, stride_of(a, 0), 0};
}
/* 2-D a as it is. */
static mat mat_of(PyArrayObject *a)
{
    return (mat){PyArray_DATA(a), PyArray_DIM(a, 0), PyArray_DIM(a, 1), stride_of(a, 0),
                 stride_of(a, 1)};
}

/* Any-dimensional a as rows over its last axis: (prod(shape[:-1]), shape[-1]); a 0-d array
 * is (1, 1). Returns 0 when the leading axes cannot be merged into one stride. */
static int rows_of(PyArrayObject *a, mat *v)
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

/* rows_of for an input, copying it to C order when its axes do not merge. New reference. */
static PyArrayObject *input_rows(PyArrayObject *a, mat *v)
{
    if (rows_of(a, v)) {
        Py_INCREF(a);
        return a;
    }
    PyArrayObject *c = (PyArrayObject *)PyArray_NewCopy(a, NPY_CORDER);
    if (c)
        rows_of(c, v);
    return c;
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

static int overlaps(PyArrayObject *a, PyArrayObject *b)
{
    if (!a || !b || PyArray_SIZE(a) == 0 || PyArray_SIZE(b) == 0)
        return 0;
    char *alo, *ahi, *blo, *bhi;
    extent(a, &alo, &ahi);
    extent(b, &blo, &bhi);
    return alo < bhi && blo < ahi;
}

/* Whether two elements of the matrix view v share memory (a writeable `out` made with
 * as_strided, e.g. zero strides): the kernels read back what they wrote, so such an `out`
 * gets the result through a scratch array, element by element as NumPy assigns it. */
static int self_overlapping(mat v)
{
    nnf_idx rs = v.rs < 0 ? -v.rs : v.rs, cs = v.cs < 0 ? -v.cs : v.cs;
    if ((v.m > 1 && rs == 0) || (v.n > 1 && cs == 0))
        return 1;
    return v.m > 1 && v.n > 1 && cs * v.n > rs && rs * v.m > cs;
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
static PyArrayObject *new_array(int nd, npy_intp *shape, int t)
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
static int need_writeable(PyArrayObject *a, const char *fn, const char *name)
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
static PyArrayObject *result_array(const char *fn, PyObject *out, int nd, npy_intp *shape, int t,
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

/* After the kernel: copy a scratch result into `out`; return what the caller gets
 * (`out`, or the new array; a 0-d result without `out` becomes a NumPy scalar). Steals res. */
static PyObject *finish_out(PyObject *out, PyArrayObject *res)
{
    if (!out)
        return PyArray_Return(res);
    if ((PyObject *)res != out) {
        int rc = PyArray_CopyInto((PyArrayObject *)out, res);
        Py_DECREF(res);
        if (rc < 0)
            return NULL;
        Py_INCREF(out);
        return out;
    }
    return (PyObject *)res;
}

/* A NumPy scalar of type t holding *v. */
static PyObject *scalar_of(int t, const void *v)
{
    PyArray_Descr *d = PyArray_DescrFromType(t);
    PyObject *s = PyArray_Scalar((void *)v, d, NULL);
    Py_DECREF(d);
    return s;
}

static void no_memory(void) { PyErr_NoMemory(); }

/* A kernel's status as a Python exception (NNF_ELABEL is reported by the caller, which knows
 * the labels). Returns 0 on NNF_OK. */
static int raise_status(nnf_status st)
{
    if (st == NNF_ENOMEM)
        no_memory();
    return st == NNF_OK ? 0 : -1;
}

/* ---------------------------------------------------------------------------------------- */
/* dot and dense                                                                            */

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
    nnf_status st;
    {
        RELEASE_GIL((double)A.m * B.n * A.n);
        st = DISPATCH(t, nnf_dense, A.m, B.n, A.n, A.data, A.rs, A.cs, B.data, B.rs, B.cs, NULL,
                      0, NNF_ACT_NONE, C.data, C.rs, C.cs);
        ACQUIRE_GIL();
    }
    if (raise_status(st) == 0) {
        ret = finish_out(v[2], res);
        res = NULL;
    }
done:
    Py_XDECREF(a);
    Py_XDECREF(b);
    Py_XDECREF(res);
    return ret;
}

/* activation=None | "linear" | "relu" | "softmax" -> *act. */
static int parse_activation(PyObject *obj, nnf_activation *act)
{
    *act = NNF_ACT_NONE;
    if (!obj)
        return 0;
    if (!PyUnicode_Check(obj)) {
        PyErr_Format(PyExc_TypeError, "dense: activation must be None or a string, got %s",
                     Py_TYPE(obj)->tp_name);
        return -1;
    }
    const char *s = utf8_of(obj, "dense", "activation");
    if (!s)
        return -1;
    if (strcmp(s, "linear") == 0)
        return 0;
    if (strcmp(s, "relu") == 0)
        *act = NNF_ACT_RELU;
    else if (strcmp(s, "softmax") == 0)
        *act = NNF_ACT_SOFTMAX;
    else {
        PyErr_Format(PyExc_ValueError, "dense: unknown activation %R; expected None, 'linear', "
                     "'relu' or 'softmax'", obj);
        return -1;
    }
    return 0;
}

static PyObject *py_dense(PyObject *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    static const char *const names[] = {"inputs", "weights", "biases", "activation", "out"};
    PyObject *v[5], *ret = NULL;
    PyArrayObject *x = NULL, *w = NULL, *b = NULL, *res = NULL;
    nnf_activation act;
    if (parse_args("dense", args, nargs, kwnames, names, 5, 3, v) < 0 ||
        parse_activation(unless_none(v[3]), &act) < 0)
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
    nnf_status st;
    {
        RELEASE_GIL((double)X.m * n * k);
        st = DISPATCH(t, nnf_dense, X.m, n, k, X.data, X.rs, X.cs, W.data, W.rs, W.cs,
                      PyArray_DATA(b), stride_of(b, ndb - 1), act, C.data, C.rs, C.cs);
        ACQUIRE_GIL();
    }
    if (raise_status(st) == 0) {
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

/* ---------------------------------------------------------------------------------------- */
/* Activations: relu, linear, softmax over rows of the last axis.                           */

typedef enum { OP_RELU, OP_LINEAR, OP_SOFTMAX } unary_op;

static PyObject *unary(const char *fn, unary_op op, PyObject *const *args, Py_ssize_t nargs,
                       PyObject *kwnames)
{
    static const char *const names[] = {"x", "out"};
    PyObject *v[2], *ret = NULL;
    PyArrayObject *x = NULL, *xr = NULL, *res = NULL;
    if (parse_args(fn, args, nargs, kwnames, names, 2, 1, v) < 0)
        return NULL;
    v[1] = unless_none(v[1]);
    if (!(x = to_array(fn, "x", v[0])))
        return NULL;
    if (op == OP_SOFTMAX && PyArray_NDIM(x) == 0) {
        PyErr_Format(PyExc_ValueError, "%s: x must have at least 1 dimension (softmax is taken "
                     "over the last axis), got a 0-d array", fn);
        goto done;
    }
    int t = float_type(fn, 1, &x);
    mat X, Y;
    if (t < 0 || cast_to(&x, t) < 0 || !(xr = input_rows(x, &X)))
        goto done;
    if (!(res = result_array(fn, v[1], PyArray_NDIM(x), PyArray_DIMS(x), t, &x, 1, 1)))
        goto done;
    rows_of(res, &Y); /* result_array returns only arrays whose axes merge */
    {
        RELEASE_GIL((double)X.m * X.n * (op == OP_SOFTMAX ? 8 : 1));
        if (op == OP_RELU)
            DISPATCH(t, nnf_relu, X.m, X.n, X.data, X.rs, X.cs, Y.data, Y.rs, Y.cs);
        else if (op == OP_LINEAR)
            DISPATCH(t, nnf_copy, X.m, X.n, X.data, X.rs, X.cs, Y.data, Y.rs, Y.cs);
        else
            DISPATCH(t, nnf_softmax, X.m, X.n, X.data, X.rs, X.cs, Y.data, Y.rs, Y.cs);
        ACQUIRE_GIL();
    }
    ret = finish_out(v[1], res);
    res = NULL;
done:
    Py_XDECREF(x);
    Py_XDECREF(xr);
    Py_XDECREF(res);
    return ret;
}

static PyObject *py_relu(PyObject *self, PyObject *const *args, Py_ssize_t n, PyObject *kw)
{
    return unary("relu", OP_RELU, args, n, kw);
}
static PyObject *py_linear(PyObject *self, PyObject *const *args, Py_ssize_t n, PyObject *kw)
{
    return unary("linear", OP_LINEAR, args, n, kw);
}
static PyObject *py_softmax(PyObject *self, PyObject *const *args, Py_ssize_t n, PyObject *kw)
{
    return unary("softmax", OP_SOFTMAX, args, n, kw);
}

/* ---------------------------------------------------------------------------------------- */
/* Losses and accuracy: predictions (samples, classes) against labels.                      */

/* What a loss needs from (y_pred, y_true): the predictions as a 2-D array of the compute
 * type, and the labels as int64 class indices or as one-hot rows of the compute type. */
typedef struct {
    PyArrayObject *pred, *y, *idx, *onehot; /* y: the labels as given, for messages */
    int t;
    mat P, L;                               /* L: idx as a column (m, 1) or onehot (m, c) */
} labelled;

static void labelled_clear(labelled *d)
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
static PyArrayObject *labels_as_int64(PyArrayObject *y)
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

static int labelled_parse(const char *fn, const char *pred_name, PyObject *pred_obj,
                          PyObject *y_obj, labelled *d)
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
static void raise_bad_label(const char *fn, labelled *d, nnf_idx row)
{
    PyObject *val = PyArray_GETITEM(d->y, PyArray_GETPTR1(d->y, row));
    if (val)
        PyErr_Format(PyExc_IndexError, "%s: y_true[%zd] = %S is not a class index in [0, %zd)",
                     fn, (Py_ssize_t)row, val, (Py_ssize_t)d->P.n);
    Py_XDECREF(val);
}

static int parse_reduction(PyObject *obj, nnf_reduction *r)
{
    *r = NNF_REDUCE_MEAN;
    if (!obj)
        return 0;
    const char *s = PyUnicode_Check(obj) ? utf8_of(obj, "categorical_crossentropy", "reduction") : NULL;
    if (!s && !PyErr_Occurred())
        PyErr_Format(PyExc_TypeError, "categorical_crossentropy: reduction must be a string, "
                     "got %s", Py_TYPE(obj)->tp_name);
    if (!s)
        return -1;
    if (strcmp(s, "none") == 0)
        *r = NNF_REDUCE_NONE;
    else if (strcmp(s, "sum") == 0)
        *r = NNF_REDUCE_SUM;
    else if (strcmp(s, "mean") != 0) {
        PyErr_Format(PyExc_ValueError, "categorical_crossentropy: unknown reduction %R; expected "
                     "'mean', 'sum' or 'none'", obj);
        return -1;
    }
    return 0;
}

/* Label pointers of d for the kernels: (idx, idx_s, onehot, oh_rs, oh_cs). */
#define LABEL_ARGS(d) ((d).idx ? (d).L.data : NULL), (d).L.rs, \
                      ((d).onehot ? (d).L.data : NULL), (d).L.rs, (d).L.cs

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
    if (parse_reduction(v[2], &red) < 0)
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
    nnf_status st;
    {
        RELEASE_GIL((double)d.P.m * d.P.n);
        st = DISPATCH(d.t, nnf_cce, d.P.m, d.P.n, d.P.data, d.P.rs, d.P.cs, LABEL_ARGS(d), red,
                      loss, loss_s, &bad);
        ACQUIRE_GIL();
    }
    if (st == NNF_ELABEL)
        raise_bad_label(fn, &d, bad);
    else if (raise_status(st) == 0)
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
    nnf_status st;
    {
        RELEASE_GIL((double)d.P.m * d.P.n * 8);
        st = DISPATCH(d.t, nnf_softmax_cce, d.P.m, d.P.n, d.P.data, d.P.rs, d.P.cs, LABEL_ARGS(d),
                      Pr.data, Pr.rs, Pr.cs, (void *)loss, &bad);
        ACQUIRE_GIL();
    }
    if (st == NNF_ELABEL)
        raise_bad_label(fn, &d, bad);
    else if (raise_status(st) == 0) {
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
    {
        RELEASE_GIL((double)d.P.m * d.P.n);
        DISPATCH(d.t, nnf_accuracy, d.P.m, d.P.n, d.P.data, d.P.rs, d.P.cs, LABEL_ARGS(d), &correct);
        ACQUIRE_GIL();
    }
    ret = PyFloat_FromDouble(d.P.m ? (double)correct / (double)d.P.m : NAN);
done:
    labelled_clear(&d);
    return ret;
}

/* ---------------------------------------------------------------------------------------- */
/* Training: backward passes, the book's other losses, dropout, optimizer steps.             */

/* A real-number argument; absent (NULL) keeps *out (its default). None is refused, not taken
 * for the default: learning_rate=None would silently make the step a no-op. */
/* A True/False option: a bool (Python's or NumPy's) or an integer, else TypeError naming
 * it (an array's truth value would raise NumPy's message, which names nothing). Returns
 * 0 or 1, dflt for NULL, -1 with the error set. */
static int flag_arg(const char *fn, const char *name, PyObject *v, int dflt)
{
    if (!v)
        return dflt;
    if (!PyBool_Check(v) && !PyLong_Check(v) && !PyArray_IsScalar(v, Bool)) {
        PyErr_Format(PyExc_TypeError, "%s: %s must be True or False, got %.100s", fn, name,
                     Py_TYPE(v)->tp_name);
        return -1;
    }
    return PyObject_IsTrue(v);
}

static int real_arg(const char *fn, const char *name, PyObject *v, double *out)
{
    if (!v)
        return 0;
    double d = v == Py_None ? -1.0 : PyFloat_AsDouble(v);
    if (v == Py_None || (d == -1.0 && PyErr_Occurred())) {
        PyErr_Clear();
        PyErr_Format(PyExc_TypeError, "%s: %s must be a real number, got %s", fn, name,
                     Py_TYPE(v)->tp_name);
        return -1;
    }
    *out = d;
    return 0;
}

/* ValueError unless b has a's shape. */
static int same_shape(const char *fn, PyArrayObject *a, const char *an, PyArrayObject *b,
                      const char *bn)
{
    if (PyArray_NDIM(a) == PyArray_NDIM(b) &&
        PyArray_CompareLists(PyArray_DIMS(a), PyArray_DIMS(b), PyArray_NDIM(a)))
        return 0;
    PyErr_Format(PyExc_ValueError, "%s: %s has shape %s but %s has shape %s", fn, bn, SHAPE(b),
                 an, SHAPE(a));
    return -1;
}

/* ValueError unless a is 2-D. */
static int need_2d(const char *fn, PyArrayObject *a, const char *name, const char *axes)
{
    if (PyArray_NDIM(a) == 2)
        return 0;
    PyErr_Format(PyExc_ValueError, "%s: %s must be 2-D %s, got shape %s", fn, name, axes, SHAPE(a));
    return -1;
}

/* y = op(a, b) element-wise over two arrays of one shape (the sigmoid takes a alone). */
static PyObject *elementwise(const char *fn, nnf_elementwise op, const char *const *names,
                             PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    const int unary = op == NNF_EW_SIGMOID, nn = unary ? 2 : 3;
    PyObject *v[3], *ret = NULL;
    PyArrayObject *a = NULL, *b = NULL, *ar = NULL, *br = NULL, *res = NULL;
    mat A, B, Y;
    if (parse_args(fn, args, nargs, kwnames, names, nn, nn - 1, v) < 0)
        return NULL;
    PyObject *out = unless_none(v[nn - 1]);
    if (!(a = to_array(fn, names[0], v[0])) || (!unary && !(b = to_array(fn, names[1], v[1]))))
        goto done;
    if (!unary && same_shape(fn, a, names[0], b, names[1]) < 0)
        goto done;
    if (op == NNF_EW_SOFTMAX_BACKWARD && PyArray_NDIM(a) == 0) {
        PyErr_Format(PyExc_ValueError, "%s: %s must have at least 1 dimension (softmax is over "
                     "the last axis), got a 0-d array", fn, names[0]);
        goto done;
    }
    int t = float_type(fn, unary ? 1 : 2, (PyArrayObject *[]){a, b});
    if (t < 0 || cast_to(&a, t) < 0 || !(ar = input_rows(a, &A)))
        goto done;
    if (unary)
        B = A;
    else if (cast_to(&b, t) < 0 || !(br = input_rows(b, &B)))
        goto done;
    if (!(res = result_array(fn, out, PyArray_NDIM(a), PyArray_DIMS(a), t,
                             (PyArrayObject *[]){ar, br}, unary ? 1 : 2, 1)))
        goto done;
    rows_of(res, &Y);
    {
        RELEASE_GIL((double)A.m * A.n * (unary ? 8 : 2));
        DISPATCH(t, nnf_elementwise, op, A.m, A.n, A.data, A.rs, A.cs, B.data, B.rs, B.cs,
                 Y.data, Y.rs, Y.cs);
        ACQUIRE_GIL();
    }
    ret = finish_out(out, res);
    res = NULL;
done:
    Py_XDECREF(a);
    Py_XDECREF(b);
    Py_XDECREF(ar);
    Py_XDECREF(br);
    Py_XDECREF(res);
    return ret;
}

static PyObject *py_relu_backward(PyObject *self, PyObject *const *args, Py_ssize_t n, PyObject *kw)
{
    static const char *const names[] = {"dvalues", "inputs", "out"};
    return elementwise("relu_backward", NNF_EW_RELU_BACKWARD, names, args, n, kw);
}
static PyObject *py_sigmoid(PyObject *self, PyObject *const *args, Py_ssize_t n, PyObject *kw)
{
    static const char *const names[] = {"x", "out"};
    return elementwise("sigmoid", NNF_EW_SIGMOID, names, args, n, kw);
}
static PyObject *py_sigmoid_backward(PyObject *self, PyObject *const *args, Py_ssize_t n, PyObject *kw)
{
    static const char *const names[] = {"dvalues", "output", "out"};
    return elementwise("sigmoid_backward", NNF_EW_SIGMOID_BACKWARD, names, args, n, kw);
}
static PyObject *py_softmax_backward(PyObject *self, PyObject *const *args, Py_ssize_t n, PyObject *kw)
{
    static const char *const names[] = {"dvalues", "output", "out"};
    return elementwise("softmax_backward", NNF_EW_SOFTMAX_BACKWARD, names, args, n, kw);
}
static PyObject *py_dropout_backward(PyObject *self, PyObject *const *args, Py_ssize_t n, PyObject *kw)
{
    static const char *const names[] = {"dvalues", "binary_mask", "out"};
    return elementwise("dropout_backward", NNF_EW_MUL, names, args, n, kw);
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
    nnf_status st;
    {
        RELEASE_GIL(2.0 * m * n * k);
        st = DISPATCH(t, nnf_dense_backward, m, k, n, DV.data, DV.rs, DV.cs, RO.data, RO.rs, RO.cs,
                      DR.data, DR.rs, DR.cs, Xm.data, Xm.rs, Xm.cs, Wm.data, Wm.rs, Wm.cs,
                      Bm.data, Bm.cs, reg, DW.data, DW.rs, DW.cs, DB.data, DB.cs, DX.data,
                      DX.rs, DX.cs);
        ACQUIRE_GIL();
    }
    if (raise_status(st) < 0)
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
    nnf_status st;
    {
        RELEASE_GIL((double)d.P.m * d.P.n * (stats ? 4 : 1));
        st = DISPATCH(d.t, nnf_softmax_cce_backward, d.P.m, d.P.n, d.P.data, d.P.rs, d.P.cs,
                      LABEL_ARGS(d), D.data, D.rs, D.cs, stats ? &loss_sum : NULL, &correct, &bad);
        ACQUIRE_GIL();
    }
    if (st == NNF_ELABEL) {
        raise_bad_label(fn, &d, bad);
        goto done;
    }
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
    nnf_status st;
    {
        RELEASE_GIL((double)d.P.m * d.P.n * 2);
        st = DISPATCH(d.t, nnf_cce_backward, d.P.m, d.P.n, d.P.data, d.P.rs, d.P.cs,
                      LABEL_ARGS(d), D.data, D.rs, D.cs, &bad);
        ACQUIRE_GIL();
    }
    if (st == NNF_ELABEL) {
        raise_bad_label(fn, &d, bad);
        goto done;
    }
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

static int reduction_arg(const char *fn, PyObject *obj, nnf_reduction *r)
{
    *r = NNF_REDUCE_MEAN;
    const char *s = obj ? (PyUnicode_Check(obj) ? utf8_of(obj, fn, "reduction") : NULL) : "mean";
    if (!s) {
        if (!PyErr_Occurred())
            PyErr_Format(PyExc_TypeError, "%s: reduction must be a string, got %s", fn,
                         Py_TYPE(obj)->tp_name);
        return -1;
    }
    if (strcmp(s, "none") == 0)
        *r = NNF_REDUCE_NONE;
    else if (strcmp(s, "sum") == 0)
        *r = NNF_REDUCE_SUM;
    else if (strcmp(s, "mean") != 0) {
        PyErr_Format(PyExc_ValueError, "%s: unknown reduction %R; expected 'mean', 'sum' or "
                     "'none'", fn, obj);
        return -1;
    }
    return 0;
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
    {
        RELEASE_GIL((double)P.m * P.n * 4);
        DISPATCH(t, nnf_pair_loss, kind, P.m, P.n, P.data, P.rs, P.cs, T.data, T.rs, T.cs, red,
                 loss, 1);
        ACQUIRE_GIL();
    }
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
    {
        RELEASE_GIL((double)P.m * P.n * 4);
        DISPATCH(t, nnf_pair_loss_backward, kind, P.m, P.n, P.data, P.rs, P.cs, T.data, T.rs,
                 T.cs, D.data, D.rs, D.cs);
        ACQUIRE_GIL();
    }
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
    {
        RELEASE_GIL((double)X.m * X.n * 2);
        DISPATCH(t, nnf_dropout, X.m, X.n, X.data, X.rs, X.cs, M.data, M.rs, M.cs, 1 - rate,
                 BM.data, BM.rs, BM.cs, Y.data, Y.rs, Y.cs);
        ACQUIRE_GIL();
    }
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

/* An array an optimizer updates in place: an ndarray of dtype t (-1: float32 or float64,
 * which then sets t), writeable, aligned, native byte order, of the given shape (NULL: any),
 * no two of its elements at one address (the kernel would update that address twice). */
static int inplace_arg(const char *fn, const char *name, PyObject *obj, int *t,
                       PyArrayObject *shape_of, mat *out)
{
    if (!obj || !PyArray_Check(obj)) {
        PyErr_Format(PyExc_TypeError, "%s: %s must be a numpy.ndarray (updated in place), got %s",
                     fn, name, obj ? Py_TYPE(obj)->tp_name : "nothing");
        return -1;
    }
    PyArrayObject *a = (PyArrayObject *)obj;
    int at = PyArray_TYPE(a);
    if ((*t < 0 && at != NPY_FLOAT && at != NPY_DOUBLE) || (*t >= 0 && at != *t)) {
        PyErr_Format(PyExc_TypeError, "%s: %s has dtype %S; expected %s", fn, name,
                     (PyObject *)PyArray_DESCR(a),
                     *t < 0 ? "float32 or float64" : *t == NPY_FLOAT ? "float32 (param's dtype)"
                                                                    : "float64 (param's dtype)");
        return -1;
    }
    *t = at;
    if (shape_of && same_shape(fn, shape_of, "param", a, name) < 0)
        return -1;
    if (need_writeable(a, fn, name) < 0)
        return -1;
    if (PyArray_SIZE(a) > 1 && rows_of(a, out) && self_overlapping(*out)) {
        PyErr_Format(PyExc_ValueError, "%s: %s has elements that share memory (zero or "
                     "overlapping strides); an array updated in place needs one address per "
                     "element", fn, name);
        return -1;
    }
    if (!PyArray_ISALIGNED(a) || !PyArray_ISNOTSWAPPED(a) || !rows_of(a, out)) {
        PyErr_Format(PyExc_ValueError, "%s: %s must be aligned, in native byte order and of "
                     "mergeable strides (a C- or Fortran-contiguous array or a row slice)", fn,
                     name);
        return -1;
    }
    return 0;
}

/* One optimizer step in place: param, grad and up to two state arrays (NULL: none). */
static PyObject *optimizer_run(const char *fn, const nnf_optim_params *o, PyObject *param,
                               PyObject *grad, const char *s1_name, PyObject *s1,
                               const char *s2_name, PyObject *s2)
{
    PyArrayObject *g = NULL, *gr = NULL;
    mat P, G, S1 = {0}, S2 = {0};
    int t = -1;
    if (inplace_arg(fn, "param", param, &t, NULL, &P) < 0 ||
        (s1_name && inplace_arg(fn, s1_name, s1, &t, (PyArrayObject *)param, &S1) < 0) ||
        (s2_name && inplace_arg(fn, s2_name, s2, &t, (PyArrayObject *)param, &S2) < 0))
        return NULL;
    /* The arrays updated in place must not share memory: the step would write one through
     * the other (momentums=param would add the update twice). */
    PyArrayObject *upd[3] = {(PyArrayObject *)param, s1_name ? (PyArrayObject *)s1 : NULL,
                             s2_name ? (PyArrayObject *)s2 : NULL};
    const char *upd_names[3] = {"param", s1_name, s2_name};
    for (int i = 0; i < 3; i++)
        for (int j = i + 1; j < 3; j++)
            if (overlaps(upd[i], upd[j])) {
                PyErr_Format(PyExc_ValueError, "%s: %s shares memory with %s; each array "
                             "updated in place needs its own", fn, upd_names[j], upd_names[i]);
                return NULL;
            }
    /* grad in the param's dtype, cast as NumPy's `param += -lr * grad` casts (same_kind:
     * a float64 gradient updates a float32 parameter); copied when it shares memory with an
     * array the step writes, so every element reads the gradient as it was before the call. */
    if (!(g = to_array(fn, "grad", grad)) ||
        same_shape(fn, (PyArrayObject *)param, "param", g, "grad") < 0)
        goto done;
    PyArrayObject *gc = (PyArrayObject *)PyArray_FROM_OTF(
        (PyObject *)g, t, NPY_ARRAY_ALIGNED | NPY_ARRAY_NOTSWAPPED | NPY_ARRAY_FORCECAST);
    Py_DECREF(g);
    g = gc;
    if (!g)
        goto done;
    if (overlaps(g, upd[0]) || overlaps(g, upd[1]) || overlaps(g, upd[2])) {
        gc = (PyArrayObject *)PyArray_NewCopy(g, NPY_CORDER);
        Py_DECREF(g);
        if (!(g = gc))
            goto done;
    }
    if (!(gr = input_rows(g, &G)))
        goto done;
    {
        RELEASE_GIL((double)P.m * P.n * 8);
        DISPATCH(t, nnf_optimizer_step, o, P.m, P.n, P.data, P.rs, P.cs, G.data, G.rs, G.cs,
                 S1.data, S1.rs, S1.cs, S2.data, S2.rs, S2.cs);
        ACQUIRE_GIL();
    }
done:
    Py_XDECREF(g);
    Py_XDECREF(gr);
    if (PyErr_Occurred())
        return NULL;
    Py_RETURN_NONE;
}

/* Reads v[first ..] as the real-number hyperparameters dst[0 ..] (absent ones keep their
 * defaults). */
static int real_args(const char *fn, const char *const *names, PyObject **v, int first, int n,
                     double *dst)
{
    for (int i = first; i < n; i++)
        if (real_arg(fn, names[i], v[i], &dst[i - first]) < 0)
            return -1;
    return 0;
}

static PyObject *py_sgd_update(PyObject *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kw)
{
    static const char *const names[] = {"param", "grad", "learning_rate", "momentum", "momentums"};
    const char *fn = "sgd_update";
    PyObject *v[5];
    double r[2] = {0, 0};
    if (parse_args(fn, args, nargs, kw, names, 5, 3, v) < 0 || real_args(fn, names, v, 2, 4, r) < 0)
        return NULL;
    nnf_optim_params o = {r[1] != 0 ? NNF_OPT_SGD_MOMENTUM : NNF_OPT_SGD, .learning_rate = r[0],
                          .momentum = r[1]};
    return optimizer_run(fn, &o, v[0], v[1], r[1] != 0 ? "momentums" : NULL, v[4], NULL, NULL);
}

static PyObject *py_adagrad_update(PyObject *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kw)
{
    static const char *const names[] = {"param", "grad", "cache", "learning_rate", "epsilon"};
    const char *fn = "adagrad_update";
    PyObject *v[5];
    double r[2] = {0, 1e-7};
    if (parse_args(fn, args, nargs, kw, names, 5, 4, v) < 0 || real_args(fn, names, v, 3, 5, r) < 0)
        return NULL;
    nnf_optim_params o = {NNF_OPT_ADAGRAD, .learning_rate = r[0], .epsilon = r[1]};
    return optimizer_run(fn, &o, v[0], v[1], "cache", v[2], NULL, NULL);
}

static PyObject *py_rmsprop_update(PyObject *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kw)
{
    static const char *const names[] = {"param", "grad", "cache", "learning_rate", "epsilon", "rho"};
    const char *fn = "rmsprop_update";
    PyObject *v[6];
    double r[3] = {0, 1e-7, 0.9};
    if (parse_args(fn, args, nargs, kw, names, 6, 4, v) < 0 || real_args(fn, names, v, 3, 6, r) < 0)
        return NULL;
    nnf_optim_params o = {NNF_OPT_RMSPROP, .learning_rate = r[0], .epsilon = r[1], .rho = r[2]};
    return optimizer_run(fn, &o, v[0], v[1], "cache", v[2], NULL, NULL);
}

static PyObject *py_adam_update(PyObject *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kw)
{
    static const char *const names[] = {"param", "grad", "momentums", "cache", "learning_rate",
                                        "iteration", "epsilon", "beta_1", "beta_2"};
    const char *fn = "adam_update";
    PyObject *v[9];
    double r[5] = {0, 0, 1e-7, 0.9, 0.999}; /* learning_rate, iteration, epsilon, beta_1, beta_2 */
    if (parse_args(fn, args, nargs, kw, names, 9, 6, v) < 0 || real_args(fn, names, v, 4, 9, r) < 0)
        return NULL;
    /* The book's bias corrections: 1 - beta ** (iterations + 1), Python's float power. */
    nnf_optim_params o = {NNF_OPT_ADAM, .learning_rate = r[0], .epsilon = r[2], .beta_1 = r[3],
                          .beta_2 = r[4], .correction_1 = 1 - pow(r[3], r[1] + 1),
                          .correction_2 = 1 - pow(r[4], r[1] + 1)};
    return optimizer_run(fn, &o, v[0], v[1], "momentums", v[2], "cache", v[3]);
}

/* regularization_loss(x, l1=0, l2=0) -> l1 * sum(|x|) + l2 * sum(x * x) as a float. */
static PyObject *py_regularization_loss(PyObject *self, PyObject *const *args, Py_ssize_t nargs,
                                        PyObject *kw)
{
    static const char *const names[] = {"x", "l1", "l2"};
    const char *fn = "regularization_loss";
    PyObject *v[3];
    double r[2] = {0, 0}, loss = 0;
    PyArrayObject *x = NULL, *xr = NULL;
    mat X;
    if (parse_args(fn, args, nargs, kw, names, 3, 1, v) < 0 || real_args(fn, names, v, 1, 3, r) < 0)
        return NULL;
    int t = -1;
    if (!(x = to_array(fn, "x", v[0])) || (t = float_type(fn, 1, &x)) < 0 || cast_to(&x, t) < 0 ||
        !(xr = input_rows(x, &X)))
        goto done;
    loss = DISPATCH(t, nnf_regularization_loss, X.m, X.n, X.data, X.rs, X.cs, r[0], r[1]);
done:
    Py_XDECREF(x);
    Py_XDECREF(xr);
    return PyErr_Occurred() ? NULL : PyFloat_FromDouble(loss);
}

/* ---------------------------------------------------------------------------------------- */
/* Instruction-set selection (tests force each path the machine can run).                    */

static int select_isa(const char *name)
{
    int rc = nnf_isa_select(name);
    if (rc == -1)
        PyErr_Format(PyExc_ValueError, "unknown instruction set '%s': expected 'generic', 'avx2' or "
                     "'avx512' (or empty for the best this CPU supports)", name);
    else if (rc == -2)
        PyErr_Format(PyExc_ValueError, "instruction set '%s' is not supported by this CPU", name);
    return rc;
}

static PyObject *py_get_isa(PyObject *self, PyObject *unused)
{
    return PyUnicode_FromString(nnf_isa_name(nnf_isa_current));
}

static PyObject *py_set_isa(PyObject *self, PyObject *arg)
{
    const char *name = arg == Py_None ? "" : utf8_of(arg, "set_isa", "name");
    if (!name || select_isa(name) < 0)
        return NULL;
    return py_get_isa(self, NULL);
}

/* Threads: NNFAST_NUM_THREADS at import, set_num_threads / get_num_threads after. */
static int set_threads(long n, const char *source)
{
    if (n < 1 || n > 1024) {
        PyErr_Format(PyExc_ValueError, "%s must be a whole number from 1 to 1024, got %ld",
                     source, n);
        return -1;
    }
    Py_BEGIN_ALLOW_THREADS /* waits for a job another thread may be running */
    nnf_set_num_threads((int)n);
    Py_END_ALLOW_THREADS
    return 0;
}

static PyObject *py_set_num_threads(PyObject *self, PyObject *arg)
{
    if (!PyLong_Check(arg) || PyBool_Check(arg)) {
        PyErr_Format(PyExc_TypeError, "set_num_threads: n must be an int, got %s",
                     Py_TYPE(arg)->tp_name);
        return NULL;
    }
    long n = PyLong_AsLong(arg);
    if (n == -1 && PyErr_Occurred())
        return NULL;
    if (set_threads(n, "set_num_threads: n") < 0)
        return NULL;
    Py_RETURN_NONE;
}

static PyObject *py_get_num_threads(PyObject *self, PyObject *unused)
{
    return PyLong_FromLong(nnf_get_num_threads());
}

/* NNFAST_NUM_THREADS, if set and not empty; else the cores this process may use. */
static int threads_from_env(void)
{
    const char *s = getenv("NNFAST_NUM_THREADS");
    if (!s || !*s) {
        nnf_set_num_threads(0);
        return 0;
    }
    char *end;
    long n = strtol(s, &end, 10);
    if (*end != '\0') {
        PyErr_Format(PyExc_ValueError, "NNFAST_NUM_THREADS must be a whole number from 1 to "
                     "1024, got '%s'", s);
        return -1;
    }
    return set_threads(n, "NNFAST_NUM_THREADS");
}

static PyObject *py_supported_isas(PyObject *self, PyObject *unused)
{
    PyObject *list = PyList_New(0);
    for (int i = 0; list && i < NNF_ISA_COUNT; i++)
        if (nnf_isa_supported((nnf_isa)i)) {
            PyObject *s = PyUnicode_FromString(nnf_isa_name((nnf_isa)i));
            if (!s || PyList_Append(list, s) < 0)
                Py_CLEAR(list);
            Py_XDECREF(s);
        }
    return list;
}

/* ---------------------------------------------------------------------------------------- */

#define FASTCALL(f) (PyCFunction)(void (*)(void))(f), METH_FASTCALL | METH_KEYWORDS

static PyMethodDef methods[] = {
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
    {"relu", FASTCALL(py_relu),
     "relu(x, out=None)\n--\n\n"
     "np.maximum(0, x), element-wise, any shape (NaN propagates).\n\n"
     "dtype: float32 stays float32, float64 stays float64, integer/bool input gives float64.\n"
     "out: an ndarray of x's shape and the result dtype to write into (may be x itself).\n\n"
     "Raises TypeError for float16/complex/object/string data or a wrong out dtype,\n"
     "ValueError for an out of the wrong shape or a read-only out."},
    {"linear", FASTCALL(py_linear),
     "linear(x, out=None)\n--\n\n"
     "The linear (identity) activation: a copy of x, any shape.\n\n"
     "dtype: float32 stays float32, float64 stays float64, integer/bool input gives float64.\n"
     "out: an ndarray of x's shape and the result dtype to write into.\n\n"
     "Raises TypeError for float16/complex/object/string data or a wrong out dtype,\n"
     "ValueError for an out of the wrong shape or a read-only out."},
    {"softmax", FASTCALL(py_softmax),
     "softmax(x, out=None)\n--\n\n"
     "Softmax over the last axis: exp(x - max) / sum(exp(x - max)) per row, the row maximum\n"
     "subtracted first so large values do not overflow. x has 1 or more dimensions; the\n"
     "result has x's shape, each row summing to 1.\n\n"
     "dtype: float32 stays float32, float64 stays float64, integer/bool input gives float64.\n"
     "out: an ndarray of x's shape and the result dtype to write into.\n\n"
     "Raises ValueError for a 0-d x, an out of the wrong shape or a read-only out,\n"
     "TypeError for float16/complex/object/string data or a wrong out dtype."},
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
    {"dense_backward", FASTCALL(py_dense_backward),
     "dense_backward(dvalues, inputs, weights, biases=None, weight_regularizer_l1=0, "
     "weight_regularizer_l2=0, bias_regularizer_l1=0, bias_regularizer_l2=0, relu_output=None, "
     "need_dinputs=True, dweights=None, dbiases=None, dinputs=None)\n--\n\n"
     "(dweights, dbiases, dinputs): the dense layer's backward pass with L1/L2 terms."},
    {"relu_backward", FASTCALL(py_relu_backward),
     "relu_backward(dvalues, inputs, out=None)\n--\n\ndvalues where inputs > 0, else 0."},
    {"sigmoid", FASTCALL(py_sigmoid), "sigmoid(x, out=None)\n--\n\n1 / (1 + exp(-x))."},
    {"sigmoid_backward", FASTCALL(py_sigmoid_backward),
     "sigmoid_backward(dvalues, output, out=None)\n--\n\ndvalues * (1 - output) * output."},
    {"softmax_backward", FASTCALL(py_softmax_backward),
     "softmax_backward(dvalues, output, out=None)\n--\n\nThe softmax Jacobian times dvalues, "
     "row-wise."},
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
    {"dropout", FASTCALL(py_dropout),
     "dropout(inputs, mask, rate, out=None)\n--\n\n(inputs * binary_mask, binary_mask) with "
     "binary_mask = mask / (1 - rate)."},
    {"dropout_backward", FASTCALL(py_dropout_backward),
     "dropout_backward(dvalues, binary_mask, out=None)\n--\n\ndvalues * binary_mask."},
    {"sgd_update", FASTCALL(py_sgd_update),
     "sgd_update(param, grad, learning_rate, momentum=0, momentums=None)\n--\n\n"
     "The book's SGD step, in place."},
    {"adagrad_update", FASTCALL(py_adagrad_update),
     "adagrad_update(param, grad, cache, learning_rate, epsilon=1e-7)\n--\n\n"
     "The book's Adagrad step, in place."},
    {"rmsprop_update", FASTCALL(py_rmsprop_update),
     "rmsprop_update(param, grad, cache, learning_rate, epsilon=1e-7, rho=0.9)\n--\n\n"
     "The book's RMSprop step, in place."},
    {"adam_update", FASTCALL(py_adam_update),
     "adam_update(param, grad, momentums, cache, learning_rate, iteration, epsilon=1e-7, "
     "beta_1=0.9, beta_2=0.999)\n--\n\nThe book's Adam step, in place."},
    {"regularization_loss", FASTCALL(py_regularization_loss),
     "regularization_loss(x, l1=0, l2=0)\n--\n\nl1 * sum(|x|) + l2 * sum(x * x), each term "
     "only when its factor is > 0 (the book's rule), accumulated in float64; a float."},
    {"get_isa", py_get_isa, METH_NOARGS,
     "get_isa()\n--\n\nThe instruction set the kernels use: 'generic', 'avx2' or 'avx512' (str)."},
    {"set_isa", py_set_isa, METH_O,
     "set_isa(name)\n--\n\nForce 'generic', 'avx2' or 'avx512' (None: the best supported)."},
    {"set_num_threads", py_set_num_threads, METH_O,
     "set_num_threads(n)\n--\n\nUse up to n threads (n >= 1) for large products. The result "
     "does not depend on n: work is split over outputs, never over a sum."},
    {"get_num_threads", py_get_num_threads, METH_NOARGS,
     "get_num_threads()\n--\n\nThe number of threads large products use."},
    {"supported_isas", py_supported_isas, METH_NOARGS,
     "supported_isas()\n--\n\nThe instruction sets this CPU can run, a list of str such as\n"
     "['generic', 'avx2', 'avx512']; set_isa and NNFAST_ISA accept these."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "nnfast._core",
    "nnfast's C core: kernels on NumPy arrays (see the nnfast package for documentation).", -1,
    methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__core(void)
{
    import_array();
    if (select_isa(getenv("NNFAST_ISA")) < 0 || threads_from_env() < 0)
        return NULL;
    PyObject *mod = PyModule_Create(&module);
#ifndef NNF_COMPILE_ARGS
#define NNF_COMPILE_ARGS "unknown"
#endif
    if (mod && PyModule_AddStringConstant(mod, "COMPILE_ARGS", NNF_COMPILE_ARGS) < 0)
        Py_CLEAR(mod);
    return mod;
}
