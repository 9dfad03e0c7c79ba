/* binding.h: what the files of the Python binding share. csrc/py/ is the only code that sees
 * Python: a wrapper parses its arguments (args.h), turns them into arrays the C core can read,
 * checking every dtype, shape and `out` (arrays.h, labels.h), runs the float32 or float64
 * kernel through RUN_KERNEL and returns arrays or raises. No loop here touches array elements.
 *
 * Files: args.h (argument parsing), arrays.c/.h (conversion, matrix views, results and out=),
 * labels.c/.h (class labels), one file per kernel family exporting its method table
 * (products.c, activations.c, losses.c, dropout.c, optimizers.c), network.c/network_run.c
 * (the type Network over the C library's network), module.c (the module: ISA and thread
 * settings, the method table assembled from the families', the Network type).
 */
#ifndef NNF_PY_BINDING_H
#define NNF_PY_BINDING_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#define NPY_NO_DEPRECATED_API NPY_1_22_API_VERSION
/* One NumPy API table for all the binding's files; module.c fills it (import_array). */
#define PY_ARRAY_UNIQUE_SYMBOL nnf_py_array_api
#ifndef NNF_PY_MODULE
#define NO_IMPORT_ARRAY
#endif
#include <numpy/arrayobject.h>
#include <string.h>
#include "nnfast.h"

/* The helpers below are shared between the binding's files, not exported from the extension:
 * hidden, a call to one is a direct call, as it was within one file. */
#pragma GCC visibility push(hidden)

/* ---------------------------------------------------------------------------------------- */
/* Running a kernel                                                                         */

/* Below this many multiply-adds a kernel runs with the GIL held: releasing and re-taking it
 * would cost more than the work. */
#define GIL_FREE_MIN_WORK 4096.0

/* A kernel call's status; NNF_OK for a kernel that cannot fail (it returns nothing). GCC and
 * Clang builtins, like the statement expression below: the kernels need those compilers. */
#define STATUS_OF(call)                                                                        \
    __builtin_choose_expr(__builtin_types_compatible_p(__typeof__(call), void), ((call), NNF_OK), \
                          (call))

/* The kernel fn_f32 or fn_f64 (t: NPY_FLOAT or NPY_DOUBLE) on the arguments (pointers as
 * void *, so one argument list serves both), run without the GIL when `work` (its
 * multiply-adds, or a like count) is at least GIL_FREE_MIN_WORK; evaluates to its nnf_status. */
#define KERNEL_STATUS(work, t, fn, ...)                                                        \
    ({                                                                                         \
        PyThreadState *gil_state_ = (work) >= GIL_FREE_MIN_WORK ? PyEval_SaveThread() : NULL;  \
        nnf_status status_ = (t) == NPY_FLOAT ? STATUS_OF(fn##_f32(__VA_ARGS__))               \
                                              : STATUS_OF(fn##_f64(__VA_ARGS__));              \
        if (gil_state_)                                                                        \
            PyEval_RestoreThread(gil_state_);                                                  \
        status_;                                                                               \
    })

/* A kernel's status as a Python exception: 0 for NNF_OK, else -1 with it raised (NNF_ELABEL
 * is raised by raise_label_status, which knows the labels). */
static inline int raise_status(nnf_status st)
{
    if (st == NNF_ENOMEM)
        PyErr_NoMemory();
    return st == NNF_OK ? 0 : -1;
}

/* How every wrapper runs its kernel: KERNEL_STATUS, then the status raised; 0 or -1. */
#define RUN_KERNEL(work, t, fn, ...) raise_status(KERNEL_STATUS(work, t, fn, __VA_ARGS__))

/* ---------------------------------------------------------------------------------------- */
/* The method tables: each family's NULL-terminated table of its functions and docstrings. */

#define FASTCALL(f) (PyCFunction)(void (*)(void))(f), METH_FASTCALL | METH_KEYWORDS

extern PyMethodDef nnf_py_products_methods[];
extern PyMethodDef nnf_py_activations_methods[];
extern PyMethodDef nnf_py_losses_methods[];
extern PyMethodDef nnf_py_dropout_methods[];
extern PyMethodDef nnf_py_optimizers_methods[];
/* The type nnfast._core.Network (network.c, network_run.c). */
extern PyTypeObject nnf_py_network_type;

/* y = op(a, b) element-wise over two arrays of one shape (the sigmoid takes a alone): the
 * wrapper of every nnf_elementwise op (activations.c). */
PyObject *elementwise(const char *fn, nnf_elementwise op, const char *const *names,
                      PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames);

#include "args.h"
#include "arrays.h"
#include "labels.h"

#pragma GCC visibility pop

#endif
