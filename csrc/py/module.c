/* module.c: the module nnfast._core: the instruction-set and thread settings, and the method
 * table assembled from the kernel families' tables. */
#define NNF_PY_MODULE /* this file fills the NumPy API table (import_array) */
#include "binding.h"
#include <stdlib.h>

/* Instruction-set selection (tests force each path the machine can run). */

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

/* The settings' methods; the kernels' come from their families' tables. */
static PyMethodDef settings_methods[] = {
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

/* The module's functions, family by family: a new function is a row of its family's table. */
static PyMethodDef *const method_tables[] = {
    nnf_py_products_methods, nnf_py_activations_methods, nnf_py_losses_methods,
    nnf_py_dropout_methods,  nnf_py_optimizers_methods,  settings_methods,
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "nnfast._core",
    "nnfast's C core: kernels on NumPy arrays (see the nnfast package for documentation).", -1,
    NULL, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__core(void)
{
    import_array();
    if (select_isa(getenv("NNFAST_ISA")) < 0 || threads_from_env() < 0)
        return NULL;
    PyObject *mod = PyModule_Create(&module);
    for (size_t i = 0; mod && i < sizeof method_tables / sizeof *method_tables; i++)
        if (PyModule_AddFunctions(mod, method_tables[i]) < 0)
            Py_CLEAR(mod);
#ifndef NNF_COMPILE_ARGS
#define NNF_COMPILE_ARGS "unknown"
#endif
    if (mod && (PyType_Ready(&nnf_py_network_type) < 0 ||
                PyModule_AddType(mod, &nnf_py_network_type) < 0))
        Py_CLEAR(mod);
    if (mod && PyModule_AddStringConstant(mod, "COMPILE_ARGS", NNF_COMPILE_ARGS) < 0)
        Py_CLEAR(mod);
    return mod;
}
