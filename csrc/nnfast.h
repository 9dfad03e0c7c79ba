/* nnfast.h: the C core's interface. C11, no Python.
 *
 * Every kernel works on raw pointers with sizes and strides counted in ELEMENTS (not bytes),
 * so transposed, sliced and negative-stride views are read in place. A matrix argument
 * `x (m, n)` comes as `x, x_rs, x_cs`: element (i, j) is x[i * x_rs + j * x_cs].
 * Each kernel exists for float32 (`_f32`) and float64 (`_f64`), instantiated from one
 * template (the *.inc files). Kernels return an nnf_status; they never print or abort.
 */
#ifndef NNFAST_H
#define NNFAST_H

#include <stddef.h>
#include <stdint.h>

typedef ptrdiff_t nnf_idx;

typedef enum {
    NNF_OK = 0,
    NNF_ENOMEM = 1,      /* a scratch buffer could not be allocated */
    NNF_ELABEL = 2,      /* a class label is outside [0, n_classes) */
} nnf_status;

typedef enum {
    NNF_ACT_NONE = 0,    /* identity: also the notes' "linear" */
    NNF_ACT_RELU = 1,
    NNF_ACT_SOFTMAX = 2, /* row-wise over the n output columns */
} nnf_activation;

/* Instruction sets with kernels of their own (dense's register tiles). */
#if (defined(__x86_64__) || defined(_M_X64)) && (defined(__GNUC__) || defined(__clang__))
#define NNF_X86 1
#else
#define NNF_X86 0
#endif
typedef enum { NNF_ISA_GENERIC = 0, NNF_ISA_AVX2 = 1, NNF_ISA_AVX512 = 2, NNF_ISA_COUNT = 3 } nnf_isa;
extern nnf_isa nnf_isa_current;
int nnf_isa_supported(nnf_isa isa);
/* NULL or "" picks the best supported; a name ("generic", "avx2", "avx512") forces one.
 * Returns 0, -1 for an unknown name, -2 for a set this CPU lacks. */
int nnf_isa_select(const char *name);
const char *nnf_isa_name(nnf_isa isa);

/* Threads (threads.c). A kernel splits its output into n_tasks parts and calls
 * nnf_parallel, which runs fn(ctx, task, n_tasks) for every task, on up to
 * nnf_get_num_threads() threads, and returns when all are done. Tasks must write disjoint
 * memory. n_tasks may be reduced: a task function must cover its share of the work for the
 * n_tasks it is given. */
typedef void (*nnf_task_fn)(void *ctx, int task, int n_tasks);
void nnf_parallel(int n_tasks, nnf_task_fn fn, void *ctx);
int nnf_get_num_threads(void);
void nnf_set_num_threads(int n); /* n <= 0: the cores this process may use */
int nnf_default_threads(void);

/* Loss reduction over samples. */
typedef enum { NNF_REDUCE_NONE = 0, NNF_REDUCE_MEAN = 1, NNF_REDUCE_SUM = 2 } nnf_reduction;

/* The notes' clipping of predicted probabilities before the log. */
#define NNF_CLIP_EPS 1e-7

/* Declarations for one element type. T is the C type, S the suffix. */
#define NNF_DECLARE(T, S)                                                                        \
    /* c (m, n) = act(a (m, k) @ b (k, n) + bias (n)); bias may be NULL (no bias).             \
     * c must not overlap a, b or bias. */                                                     \
    nnf_status nnf_dense_##S(nnf_idx m, nnf_idx n, nnf_idx k,                                  \
                             const T *a, nnf_idx a_rs, nnf_idx a_cs,                           \
                             const T *b, nnf_idx b_rs, nnf_idx b_cs,                           \
                             const T *bias, nnf_idx bias_s, nnf_activation act,                \
                             T *c, nnf_idx c_rs, nnf_idx c_cs);                                \
    /* y (m, n) = max(x, 0), NaN propagated; y may be x itself (same strides). */              \
    void nnf_relu_##S(nnf_idx m, nnf_idx n, const T *x, nnf_idx x_rs, nnf_idx x_cs,            \
                      T *y, nnf_idx y_rs, nnf_idx y_cs);                                       \
    /* y (m, n) = x (m, n) */                                                                  \
    void nnf_copy_##S(nnf_idx m, nnf_idx n, const T *x, nnf_idx x_rs, nnf_idx x_cs,            \
                      T *y, nnf_idx y_rs, nnf_idx y_cs);                                       \
    /* y (m, n) = softmax of each row of x (m, n); y may be x itself (same strides). */        \
    void nnf_softmax_##S(nnf_idx m, nnf_idx n, const T *x, nnf_idx x_rs, nnf_idx x_cs,         \
                         T *y, nnf_idx y_rs, nnf_idx y_cs);                                    \
    /* Categorical cross-entropy of probabilities p (m, n) against labels, either class        \
     * indices idx (m) (int64, any stride) or one-hot rows onehot (m, n) (T).                  \
     * Exactly one of idx / onehot is non-NULL. reduction NONE writes loss (m) with stride    \
     * loss_s; MEAN / SUM write one value to *loss. On NNF_ELABEL, *bad_row is the first row   \
     * whose label is out of range. */                                                         \
    nnf_status nnf_cce_##S(nnf_idx m, nnf_idx n, const T *p, nnf_idx p_rs, nnf_idx p_cs,       \
                           const int64_t *idx, nnf_idx idx_s,                                  \
                           const T *onehot, nnf_idx oh_rs, nnf_idx oh_cs,                      \
                           nnf_reduction reduction, T *loss, nnf_idx loss_s, nnf_idx *bad_row);\
    /* probs (m, n) = softmax(logits (m, n)) and *mean_loss = mean CCE of probs against the   \
     * labels (idx or onehot as in nnf_cce). probs may be logits itself. */                    \
    nnf_status nnf_softmax_cce_##S(nnf_idx m, nnf_idx n,                                       \
                                   const T *logits, nnf_idx l_rs, nnf_idx l_cs,                \
                                   const int64_t *idx, nnf_idx idx_s,                          \
                                   const T *onehot, nnf_idx oh_rs, nnf_idx oh_cs,              \
                                   T *probs, nnf_idx p_rs, nnf_idx p_cs,                       \
                                   T *mean_loss, nnf_idx *bad_row);                            \
    /* Row-wise argmax of p (m, n) (first maximum; a NaN counts as the maximum, as in          \
     * numpy.argmax) compared with labels (idx, or argmax of onehot rows); *correct = count. */ \
    void nnf_accuracy_##S(nnf_idx m, nnf_idx n, const T *p, nnf_idx p_rs, nnf_idx p_cs,        \
                          const int64_t *idx, nnf_idx idx_s,                                   \
                          const T *onehot, nnf_idx oh_rs, nnf_idx oh_cs, nnf_idx *correct);

NNF_DECLARE(float, f32)
NNF_DECLARE(double, f64)

#endif
