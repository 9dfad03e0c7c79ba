/* arrays.h: Python objects as arrays the C core can read, and the arrays it writes (arrays.c).
 * Included by binding.h; the small helpers every call runs are inline here. */

/* A matrix view of an array for the kernels: element (i, j) at data[i * rs + j * cs]. */
typedef struct {
    void *data;
    nnf_idx m, n, rs, cs;
} mat;

/* Conversion and dtype */
PyArrayObject *to_array(const char *fn, const char *name, PyObject *obj);
int float_type(const char *fn, int n, PyArrayObject **arrs);
int cast_to(PyArrayObject **a, int t);

/* Shapes: "(3,4)" into buf; ValueError unless b has a's shape. */
const char *dims_str(int nd, const npy_intp *dims, char *buf, size_t size);
#define SHAPE(a) dims_str(PyArray_NDIM(a), PyArray_DIMS(a), (char[96]){0}, 96)
int same_shape(const char *fn, PyArrayObject *a, const char *an, PyArrayObject *b,
               const char *bn);

/* Views and memory */
int rows_of(PyArrayObject *a, mat *v);
int overlaps(PyArrayObject *a, PyArrayObject *b);

/* Results */
PyArrayObject *new_array(int nd, npy_intp *shape, int t);
int need_writeable(PyArrayObject *a, const char *fn, const char *name);
PyArrayObject *result_array(const char *fn, PyObject *out, int nd, npy_intp *shape, int t,
                            PyArrayObject **inputs, int n_inputs, int in_place_ok);

static inline nnf_idx stride_of(PyArrayObject *a, int d)
{
    return PyArray_STRIDE(a, d) / (nnf_idx)PyArray_ITEMSIZE(a);
}

/* 1-D a as a row (1, n). */
static inline mat row_of(PyArrayObject *a)
{
    return (mat){PyArray_DATA(a), 1, PyArray_DIM(a, 0), 0, stride_of(a, 0)};
}
/* 1-D a as a column (n, 1). */
static inline mat col_of(PyArrayObject *a)
{
    return (mat){PyArray_DATA(a), PyArray_DIM(a, 0), 1, stride_of(a, 0), 0};
}
/* 2-D a as it is. */
static inline mat mat_of(PyArrayObject *a)
{
    return (mat){PyArray_DATA(a), PyArray_DIM(a, 0), PyArray_DIM(a, 1), stride_of(a, 0),
                 stride_of(a, 1)};
}

/* rows_of for an input, copying it to C order when its axes do not merge. New reference. */
static inline PyArrayObject *input_rows(PyArrayObject *a, mat *v)
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

/* Whether two elements of the matrix view v share memory (a writeable `out` made with
 * as_strided, e.g. zero strides): the kernels read back what they wrote, so such an `out`
 * gets the result through a scratch array, element by element as NumPy assigns it. */
static inline int self_overlapping(mat v)
{
    nnf_idx rs = v.rs < 0 ? -v.rs : v.rs, cs = v.cs < 0 ? -v.cs : v.cs;
    if ((v.m > 1 && rs == 0) || (v.n > 1 && cs == 0))
        return 1;
    return v.m > 1 && v.n > 1 && cs * v.n > rs && rs * v.m > cs;
}

/* ValueError unless a is 2-D. */
static inline int need_2d(const char *fn, PyArrayObject *a, const char *name, const char *axes)
{
    if (PyArray_NDIM(a) == 2)
        return 0;
    PyErr_Format(PyExc_ValueError, "%s: %s must be 2-D %s, got shape %s", fn, name, axes, SHAPE(a));
    return -1;
}

/* After the kernel: copy a scratch result into `out`; return what the caller gets
 * (`out`, or the new array; a 0-d result without `out` becomes a NumPy scalar). Steals res. */
static inline PyObject *finish_out(PyObject *out, PyArrayObject *res)
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
static inline PyObject *scalar_of(int t, const void *v)
{
    PyArray_Descr *d = PyArray_DescrFromType(t);
    PyObject *s = PyArray_Scalar((void *)v, d, NULL);
    Py_DECREF(d);
    return s;
}
