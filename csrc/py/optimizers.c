/* optimizers.c: the book's optimizer steps, each updating its parameter and state arrays in
 * place (SGD with momentum, Adagrad, RMSprop, Adam), and the regularization loss. */
#include "binding.h"
#include <math.h>

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
    RUN_KERNEL((double)P.m * P.n * 8, t, nnf_optimizer_step, o, P.m, P.n, P.data, P.rs, P.cs,
               G.data, G.rs, G.cs, S1.data, S1.rs, S1.cs, S2.data, S2.rs, S2.cs);
done:
    Py_XDECREF(g);
    Py_XDECREF(gr);
    if (PyErr_Occurred())
        return NULL;
    Py_RETURN_NONE;
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
    loss = t == NPY_FLOAT ? nnf_regularization_loss_f32(X.m, X.n, X.data, X.rs, X.cs, r[0], r[1])
                          : nnf_regularization_loss_f64(X.m, X.n, X.data, X.rs, X.cs, r[0], r[1]);
done:
    Py_XDECREF(x);
    Py_XDECREF(xr);
    return PyErr_Occurred() ? NULL : PyFloat_FromDouble(loss);
}

PyMethodDef nnf_py_optimizers_methods[] = {
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
    {NULL, NULL, 0, NULL},
};
