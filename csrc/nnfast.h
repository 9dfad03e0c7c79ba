/* nnfast.h: the C core's interface. C11, no Python.
 *
 * Every kernel works on raw pointers with sizes and strides counted in ELEMENTS (not bytes),
 * so transposed, sliced and negative-stride views are read in place. A matrix argument
 * `x (m, n)` comes as `x, x_rs, x_cs`: element (i, j) is x[i * x_rs + j * x_cs].
 * Each kernel exists for float32 (`_f32`) and float64 (`_f64`), instantiated from one
 * template (the *.inc files); kernels.h lists them, with every argument's shape. Kernels
 * report errors by their nnf_status; they never print or abort.
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

/* Instruction sets with kernels of their own (isa/: every kernel compiled for each). */
#if (defined(__x86_64__) || defined(_M_X64)) && (defined(__GNUC__) || defined(__clang__))
#define NNF_X86 1
#else
#define NNF_X86 0
#endif
typedef enum { NNF_ISA_GENERIC = 0, NNF_ISA_AVX2 = 1, NNF_ISA_AVX512 = 2, NNF_ISA_COUNT = 3 } nnf_isa;
/* The set the kernels run on: read it, set it only through nnf_isa_select (which also
 * switches the kernels' table). */
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

/* Training: backward passes, the book's other losses, dropout, optimizer steps and
 * regularization. */
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

/* The kernels (kernels.h): nnf_<name>_f32 and nnf_<name>_f64 for each, e.g. nnf_dense_f32. */
#include "kernels.h"
#define NNF_PROTOTYPE(S, ret, name, ...) ret nnf_##name##_##S(NNF_PARAMS(__VA_ARGS__));
NNF_KERNELS(NNF_PROTOTYPE, float, f32)
NNF_KERNELS(NNF_PROTOTYPE, double, f64)
#undef NNF_PROTOTYPE

#endif
