/* network.h: what the two files of nnfast._core.Network share: the object (network.c builds
 * it, network_run.c trains it and runs it forward). */
#ifndef NNF_PY_NETWORK_H
#define NNF_PY_NETWORK_H

#include "binding.h"

#pragma GCC visibility push(hidden)

typedef struct {
    PyObject_HEAD
    nnf_net *net;
    int type; /* NPY_FLOAT or NPY_DOUBLE */
    nnf_idx n_inputs;
    int n_layers;
    /* Inside train or forward, which run without the GIL (in thread `runner`): every other
     * call is refused, since those calls use the network's buffers as their scratch. */
    int running;
    unsigned long runner;
    Py_ssize_t state_views; /* live arrays from param() viewing the optimizer's state */
} NetworkObject;

/* RuntimeError naming method when the network is running; 0 or -1. */
int network_busy(NetworkObject *self, const char *method);
/* A status of the network as an exception ("Network.<method>: " and its message): 0 for
 * NNF_OK, else -1 (a callback's pending exception stays the one raised). */
int network_raise(NetworkObject *self, const char *method, nnf_status st);
/* An integer argument >= min into *out (absent: kept); TypeError / ValueError naming it. */
int network_int_arg(const char *fn, const char *name, PyObject *v, long long min,
                    long long *out);

PyObject *network_train(NetworkObject *self, PyObject *const *args, Py_ssize_t nargs,
                        PyObject *kwnames);
PyObject *network_forward(NetworkObject *self, PyObject *const *args, Py_ssize_t nargs,
                          PyObject *kwnames);

#pragma GCC visibility pop

#endif
