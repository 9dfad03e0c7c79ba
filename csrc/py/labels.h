/* labels.h: predictions (samples, classes) with their class labels, for the losses and
 * accuracy (labels.c). Included by binding.h. */

/* What a loss needs from (y_pred, y_true): the predictions as a 2-D array of the compute
 * type, and the labels as int64 class indices or as one-hot rows of the compute type. */
typedef struct {
    PyArrayObject *pred, *y, *idx, *onehot; /* y: the labels as given, for messages */
    int t;
    mat P, L;                               /* L: idx as a column (m, 1) or onehot (m, c) */
} labelled;

/* (predictions named pred_name, y_true) -> *d; 0, or -1 with the error set. Either way
 * labelled_clear(d) releases what it holds. */
int labelled_parse(const char *fn, const char *pred_name, PyObject *pred_obj, PyObject *y_obj,
                   labelled *d);
void labelled_clear(labelled *d);
void raise_bad_label(const char *fn, const labelled *d, nnf_idx row);
/* 1-D integer labels y as int64 (a new reference; y itself when it is int64 already). */
PyArrayObject *labels_as_int64(PyArrayObject *y);

/* Label pointers of d for the kernels: (idx, idx_s, onehot, oh_rs, oh_cs). */
#define LABEL_ARGS(d) ((d).idx ? (d).L.data : NULL), (d).L.rs, \
                      ((d).onehot ? (d).L.data : NULL), (d).L.rs, (d).L.cs

/* raise_status for a kernel that checks labels: NNF_ELABEL as the IndexError naming the
 * label of sample *bad. */
static inline int raise_label_status(const char *fn, const labelled *d, nnf_status st,
                                     const nnf_idx *bad)
{
    if (st == NNF_ELABEL) {
        raise_bad_label(fn, d, *bad);
        return -1;
    }
    return raise_status(st);
}

/* RUN_KERNEL for such a kernel on d (which writes the first bad sample into *bad). */
#define RUN_LABEL_KERNEL(fn, d, bad, work, kernel, ...) \
    raise_label_status(fn, d, KERNEL_STATUS(work, (d)->t, kernel, __VA_ARGS__), bad)
