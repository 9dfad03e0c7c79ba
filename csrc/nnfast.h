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
/* Per-sample losses computed at a time (their logs in SIMD registers), on the stack. */
#define NNF_LOSS_CHUNK 256

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
    /* y (len) = -log(x (len)), contiguous, as libm's log to within an ulp; y may be x. */     \
    void nnf_neg_log_##S(nnf_idx len, const T *x, T *y);                                       \
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

/* ---------------------------------------------------------------------------------------- */
/* Training (backward.c, optimizers.c): backward passes, the book's other losses, dropout,
 * optimizer steps and regularization. Same conventions: (m, n) arrays as (pointer, rs, cs). */

typedef enum {
    NNF_EW_RELU_BACKWARD = 0,    /* y = b <= 0 ? 0 : a     (a: dvalues, b: the ReLU's inputs) */
    NNF_EW_SIGMOID = 1,          /* y = 1 / (1 + exp(-a))  (b unused) */
    NNF_EW_SIGMOID_BACKWARD = 2, /* y = a * (1 - b) * b    (b: the sigmoid's output) */
    NNF_EW_SOFTMAX_BACKWARD = 3, /* y = b * (a - sum(a * b)) row-wise (b: the softmax output) */
    NNF_EW_MUL = 4,              /* y = a * b              (dropout backward) */
} nnf_elementwise;

typedef enum { NNF_LOSS_BCE = 0, NNF_LOSS_MSE = 1, NNF_LOSS_MAE = 2 } nnf_pair_loss;

typedef enum {
    NNF_OPT_SGD = 0, NNF_OPT_SGD_MOMENTUM = 1, NNF_OPT_ADAGRAD = 2, NNF_OPT_RMSPROP = 3,
    NNF_OPT_ADAM = 4,
} nnf_optimizer;

/* The book's hyperparameters of one step. correction_1/2 are Adam's bias corrections,
 * 1 - beta_1 ** (iterations + 1) and 1 - beta_2 ** (iterations + 1). */
typedef struct {
    nnf_optimizer kind;
    double learning_rate, momentum, epsilon, rho, beta_1, beta_2, correction_1, correction_2;
} nnf_optim_params;

#define NNF_DECLARE_TRAIN(T, S)                                                                  \
    /* Dense layer backward; inputs x (m, k), weights w (k, n), dvalues dv (m, n):             \
     *   if relu_out (m, n): dv = relu backward (0 where relu_out <= 0, else dv, so a NaN      \
     *                       relu_out keeps dv), written to drelu (m, n), which then stands    \
     *                       for dv below;                                                      \
     *   dw (k, n) = x.T @ dv  [+ reg[0] * sign(w) + 2 * reg[1] * w]                           \
     *   db (n)    = sum of dv over rows  [+ reg[2] * sign(b) + 2 * reg[3] * b]                \
     *   dx (m, k) = dv @ w.T  (skipped when dx is NULL)                                        \
     * reg = weight l1, weight l2, bias l1, bias l2 (a term only when > 0; sign(0) = 1, as the  \
     * book's dL1); b may be NULL when reg[2] and reg[3] are 0. Outputs must not overlap the     \
     * inputs. Products through nnf_dense with swapped strides: no transposed copies. */       \
    nnf_status nnf_dense_backward_##S(nnf_idx m, nnf_idx k, nnf_idx n,                         \
                                      const T *dv, nnf_idx dv_rs, nnf_idx dv_cs,               \
                                      const T *relu_out, nnf_idx ro_rs, nnf_idx ro_cs,         \
                                      T *drelu, nnf_idx dr_rs, nnf_idx dr_cs,                  \
                                      const T *x, nnf_idx x_rs, nnf_idx x_cs,                  \
                                      const T *w, nnf_idx w_rs, nnf_idx w_cs,                  \
                                      const T *b, nnf_idx b_s, const double reg[4],            \
                                      T *dw, nnf_idx dw_rs, nnf_idx dw_cs, T *db, nnf_idx db_s,\
                                      T *dx, nnf_idx dx_rs, nnf_idx dx_cs);                    \
    /* The dense backward pass of a layer with few inputs (1 <= k <= 4) in one sweep over dv \
     * (rows contiguous, as those of relu_out, drelu and w): dw (k, n) = x.T @ d, db (n) =  \
     * column sums of d, dx (m, k) = d @ w.T (skipped when dx is NULL), d being dv, or, when \
     * relu_out is not NULL, dv masked where relu_out <= 0, written to drelu (m, n). One     \
     * thread; no regularization terms.                                                      \
     * The numbers of nnf_dense's products and of np.sum(axis=0). */                           \
    nnf_status nnf_dense_backward_few_inputs_##S(nnf_idx m, nnf_idx k, nnf_idx n,            \
                                                 const T *dv, nnf_idx dv_rs,                  \
                                                 const T *relu_out, nnf_idx ro_rs,            \
                                                 T *drelu, nnf_idx dr_rs,                     \
                                                 const T *x, nnf_idx x_rs, nnf_idx x_cs,      \
                                                 const T *w, nnf_idx w_rs,                    \
                                                 T *dw, nnf_idx dw_rs, nnf_idx dw_cs,         \
                                                 T *db, nnf_idx db_s,                         \
                                                 T *dx, nnf_idx dx_rs, nnf_idx dx_cs);        \
    /* y (m, n) = op(a (m, n), b (m, n)) (see nnf_elementwise); y may be a or b itself. */     \
    void nnf_elementwise_##S(nnf_elementwise op, nnf_idx m, nnf_idx n,                         \
                             const T *a, nnf_idx a_rs, nnf_idx a_cs,                           \
                             const T *b, nnf_idx b_rs, nnf_idx b_cs,                           \
                             T *y, nnf_idx y_rs, nnf_idx y_cs);                                \
    /* Softmax + categorical cross-entropy backward: d (m, n) = (p - one_hot) / m, the labels \
     * as in nnf_cce (one-hot rows by their argmax, as the book does). If loss_sum is not       \
     * NULL it receives the sum of the clipped per-sample losses and *correct the rows whose   \
     * argmax is the label (the step's loss and accuracy, in the same pass). */                 \
    nnf_status nnf_softmax_cce_backward_##S(nnf_idx m, nnf_idx n,                              \
                                            const T *p, nnf_idx p_rs, nnf_idx p_cs,            \
                                            const int64_t *idx, nnf_idx idx_s,                 \
                                            const T *onehot, nnf_idx oh_rs, nnf_idx oh_cs,     \
                                            T *d, nnf_idx d_rs, nnf_idx d_cs,                  \
                                            double *loss_sum, nnf_idx *correct, nnf_idx *bad_row); \
    /* Categorical cross-entropy backward: d (m, n) = -y_true / dv / m (no clipping, as the    \
     * book). */                                                                               \
    nnf_status nnf_cce_backward_##S(nnf_idx m, nnf_idx n, const T *dv, nnf_idx dv_rs,          \
                                    nnf_idx dv_cs, const int64_t *idx, nnf_idx idx_s,          \
                                    const T *onehot, nnf_idx oh_rs, nnf_idx oh_cs,             \
                                    T *d, nnf_idx d_rs, nnf_idx d_cs, nnf_idx *bad_row);       \
    /* Binary cross-entropy (predictions clipped to [1e-7, 1 - 1e-7]), mean squared error or   \
     * mean absolute error of p (m, n) against t (m, n): the mean over each row's n outputs,   \
     * reduced over rows as in nnf_cce. */                                                     \
    void nnf_pair_loss_##S(nnf_pair_loss kind, nnf_idx m, nnf_idx n,                           \
                           const T *p, nnf_idx p_rs, nnf_idx p_cs,                             \
                           const T *t, nnf_idx t_rs, nnf_idx t_cs,                             \
                           nnf_reduction reduction, T *loss, nnf_idx loss_s);                  \
    /* Their backward, the book's formulas, divided by n outputs and m samples. */             \
    void nnf_pair_loss_backward_##S(nnf_pair_loss kind, nnf_idx m, nnf_idx n,                  \
                                    const T *dv, nnf_idx dv_rs, nnf_idx dv_cs,                 \
                                    const T *t, nnf_idx t_rs, nnf_idx t_cs,                    \
                                    T *d, nnf_idx d_rs, nnf_idx d_cs);                         \
    /* Dropout forward with a drawn 0/1 mask (m, n): bm = mask / keep (the book's binary_mask) \
     * and y = x * bm. */                                                                      \
    void nnf_dropout_##S(nnf_idx m, nnf_idx n, const T *x, nnf_idx x_rs, nnf_idx x_cs,         \
                         const int64_t *mask, nnf_idx mk_rs, nnf_idx mk_cs, double keep,       \
                         T *bm, nnf_idx bm_rs, nnf_idx bm_cs, T *y, nnf_idx y_rs, nnf_idx y_cs); \
    /* One optimizer step in place over a parameter p (m, n), its gradient g and its state:    \
     * s1 = momentums (SGD with momentum, Adam) or cache (Adagrad, RMSprop); s2 = Adam's      \
     * cache. Unused state pointers may be NULL. */                                            \
    void nnf_optimizer_step_##S(const nnf_optim_params *o, nnf_idx m, nnf_idx n,               \
                                T *p, nnf_idx p_rs, nnf_idx p_cs,                              \
                                const T *g, nnf_idx g_rs, nnf_idx g_cs,                        \
                                T *s1, nnf_idx s1_rs, nnf_idx s1_cs,                           \
                                T *s2, nnf_idx s2_rs, nnf_idx s2_cs);                          \
    /* Regularization loss of x (m, n): l1 * sum|x| + l2 * sum(x * x), a term only when its   \
     * factor is > 0. */                                                                       \
    double nnf_regularization_loss_##S(nnf_idx m, nnf_idx n, const T *x, nnf_idx x_rs,         \
                                       nnf_idx x_cs, double l1, double l2);

NNF_DECLARE_TRAIN(float, f32)
NNF_DECLARE_TRAIN(double, f64)

#endif
