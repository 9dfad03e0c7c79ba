/* activations.c: the activations and their backward passes: relu, linear and softmax (over
 * rows of the last axis), sigmoid; relu_backward, sigmoid_backward, softmax_backward, and the
 * element-wise wrapper they share with dropout_backward. */
#include "binding.h"

typedef enum { OP_RELU, OP_LINEAR, OP_SOFTMAX } unary_op;

/* y = relu(x), a copy of x, or softmax over x's rows of the last axis; x of any shape. */
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
    double work = (double)X.m * X.n * (op == OP_SOFTMAX ? 8 : 1);
    if (op == OP_RELU)
        RUN_KERNEL(work, t, nnf_relu, X.m, X.n, X.data, X.rs, X.cs, Y.data, Y.rs, Y.cs);
    else if (op == OP_LINEAR)
        RUN_KERNEL(work, t, nnf_copy, X.m, X.n, X.data, X.rs, X.cs, Y.data, Y.rs, Y.cs);
    else
        RUN_KERNEL(work, t, nnf_softmax, X.m, X.n, X.data, X.rs, X.cs, Y.data, Y.rs, Y.cs);
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

/* y = op(a, b) element-wise (binding.h): the wrapper of every nnf_elementwise op. */
PyObject *elementwise(const char *fn, nnf_elementwise op, const char *const *names,
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
    RUN_KERNEL((double)A.m * A.n * (unary ? 8 : 2), t, nnf_elementwise, op, A.m, A.n, A.data,
               A.rs, A.cs, B.data, B.rs, B.cs, Y.data, Y.rs, Y.cs);
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

PyMethodDef nnf_py_activations_methods[] = {
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
    {"relu_backward", FASTCALL(py_relu_backward),
     "relu_backward(dvalues, inputs, out=None)\n--\n\ndvalues where inputs > 0, else 0."},
    {"sigmoid", FASTCALL(py_sigmoid), "sigmoid(x, out=None)\n--\n\n1 / (1 + exp(-x))."},
    {"sigmoid_backward", FASTCALL(py_sigmoid_backward),
     "sigmoid_backward(dvalues, output, out=None)\n--\n\ndvalues * (1 - output) * output."},
    {"softmax_backward", FASTCALL(py_softmax_backward),
     "softmax_backward(dvalues, output, out=None)\n--\n\nThe softmax Jacobian times dvalues, "
     "row-wise."},
    {NULL, NULL, 0, NULL},
};
