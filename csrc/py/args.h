/* args.h: argument parsing, positional or keyword, METH_FASTCALL so a tiny call stays cheap;
 * str, True/False and real-number options; the one parser of reduction= and of activation=.
 * Included by binding.h. Every function is inline: each runs on every call of a wrapper. */

/* The UTF-8 of a str for comparing with C strings: ValueError if it holds a NUL character
 * (strcmp would stop there and take "relu\0x" for "relu"). */
static inline const char *utf8_of(PyObject *str, const char *fn, const char *what)
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
static inline int parse_args(const char *fn, PyObject *const *args, Py_ssize_t nargs,
                             PyObject *kwnames, const char *const *names, int n, int required,
                             PyObject **vals)
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
static inline PyObject *unless_none(PyObject *v)
{
    return v == Py_None ? NULL : v;
}

/* A True/False option: a bool (Python's or NumPy's) or an integer, else TypeError naming
 * it (an array's truth value would raise NumPy's message, which names nothing). Returns
 * 0 or 1, dflt for NULL, -1 with the error set. */
static inline int flag_arg(const char *fn, const char *name, PyObject *v, int dflt)
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

/* A real-number argument; absent (NULL) keeps *out (its default). None is refused, not taken
 * for the default: learning_rate=None would silently make the step a no-op. */
static inline int real_arg(const char *fn, const char *name, PyObject *v, double *out)
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

/* Reads v[first ..] as the real-number hyperparameters dst[0 ..] (absent ones keep their
 * defaults). */
static inline int real_args(const char *fn, const char *const *names, PyObject **v, int first,
                            int n, double *dst)
{
    for (int i = first; i < n; i++)
        if (real_arg(fn, names[i], v[i], &dst[i - first]) < 0)
            return -1;
    return 0;
}

/* reduction='mean' (also when absent) | 'sum' | 'none' -> *r. */
static inline int reduction_arg(const char *fn, PyObject *obj, nnf_reduction *r)
{
    *r = NNF_REDUCE_MEAN;
    if (!obj)
        return 0;
    const char *s = PyUnicode_Check(obj) ? utf8_of(obj, fn, "reduction") : NULL;
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

/* activation=None (absent: NULL) | "linear" | "relu" | "softmax" -> *act. */
static inline int activation_arg(const char *fn, PyObject *obj, nnf_activation *act)
{
    *act = NNF_ACT_NONE;
    if (!obj)
        return 0;
    if (!PyUnicode_Check(obj)) {
        PyErr_Format(PyExc_TypeError, "%s: activation must be None or a string, got %s", fn,
                     Py_TYPE(obj)->tp_name);
        return -1;
    }
    const char *s = utf8_of(obj, fn, "activation");
    if (!s)
        return -1;
    if (strcmp(s, "linear") == 0)
        return 0;
    if (strcmp(s, "relu") == 0)
        *act = NNF_ACT_RELU;
    else if (strcmp(s, "softmax") == 0)
        *act = NNF_ACT_SOFTMAX;
    else {
        PyErr_Format(PyExc_ValueError, "%s: unknown activation %R; expected None, 'linear', "
                     "'relu' or 'softmax'", fn, obj);
        return -1;
    }
    return 0;
}
