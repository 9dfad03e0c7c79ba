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
    NNF_ESHAPE = 3,      /* a size, stride or data set that does not fit the network */
    NNF_EINVAL = 4,      /* a setting out of range, or a network that cannot run so */
    NNF_ECALLBACK = 5,   /* a caller's hook returned an error */
    NNF_STOPPED = 6,     /* a caller's hook asked to stop: the network is at a step boundary */
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
/* The set the kernels run on: the best the CPU supports from the library's load; read it,
 * set it only through nnf_isa_select (which also switches the kernels' table). */
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
int nnf_get_num_threads(void); /* unset: the default, fixed at this first use */
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

/* ---------------------------------------------------------------------------------------- */
/* The network (net/): the book's Model in C. Build it layer by layer (nnf_net_new, then
 * nnf_net_add_* in order), set its loss, optimizer and accuracy, then nnf_net_train and
 * nnf_net_forward. It runs the book's training step with the kernels above, making the calls
 * nnfast.nn's Model.train makes, in its order: its parameters are Model.train's, bit for bit.
 * The network owns every buffer (parameters, gradients, optimizer state, each batch's
 * activations and gradients, allocated when a call first needs rows of that size) and frees
 * them in nnf_net_free. Layers are numbered from 0 in the order they were added. A function
 * that fails leaves the network as it was (a failed step: as it was after the last whole
 * step) and its message in nnf_net_error; none prints or aborts. One call at a time on a
 * network (its buffers are its calls' scratch); separate networks are independent. */
typedef struct nnf_net nnf_net;

typedef enum { NNF_F32 = 0, NNF_F64 = 1 } nnf_dtype;

typedef enum {
    NNF_LAYER_DENSE = 0, NNF_LAYER_RELU = 1, NNF_LAYER_SOFTMAX = 2, NNF_LAYER_SIGMOID = 3,
    NNF_LAYER_LINEAR = 4, NNF_LAYER_DROPOUT = 5,
} nnf_layer_kind;

/* The loss. Categorical cross-entropy after an output softmax runs as the book's
 * Activation_Softmax_Loss_CategoricalCrossentropy (one backward for both). */
typedef enum { NNF_NET_CCE = 0, NNF_NET_BCE = 1, NNF_NET_MSE = 2, NNF_NET_MAE = 3 } nnf_net_loss;

/* The accuracy of the output layer's predictions: CATEGORICAL, an output softmax's argmax
 * against the class labels (or one-hot rows' argmax); BINARY, predictions equal to the
 * targets; REGRESSION, |prediction - target| < precision (the book's precision is
 * np.std(y) / 250). A sigmoid's predictions are (output > 0.5), other layers' the outputs.
 * Over (m, k) outputs a step's accuracy is the matches / (m * k), an epoch's the matches /
 * samples, as the book counts. */
typedef enum {
    NNF_ACC_CATEGORICAL = 0, NNF_ACC_BINARY = 1, NNF_ACC_REGRESSION = 2,
} nnf_net_accuracy;

/* The optimizer: kind NNF_OPT_SGD (with momentum when momentum != 0), NNF_OPT_ADAGRAD,
 * NNF_OPT_RMSPROP or NNF_OPT_ADAM, with the book's hyperparameters; the learning rate at
 * iteration t is learning_rate / (1 + decay * t). nnf_net_optimizer_defaults gives the
 * book's defaults of a kind. */
typedef struct {
    nnf_optimizer kind;
    double learning_rate, decay, momentum, epsilon, rho, beta_1, beta_2;
} nnf_net_optimizer;
nnf_net_optimizer nnf_net_optimizer_defaults(nnf_optimizer kind);

/* A new network of dtype taking n_inputs features; *net is NULL on failure. */
nnf_status nnf_net_new(nnf_dtype dtype, nnf_idx n_inputs, nnf_net **net);
void nnf_net_free(nnf_net *net); /* NULL: nothing */
/* The width of the network's output (its inputs' with no layers). */
nnf_idx nnf_net_outputs(const nnf_net *net);
/* The last failure's message ("" after none). */
const char *nnf_net_error(const nnf_net *net);

/* Dense layer: previous width -> n_outputs, weights (in, n_outputs) and biases (1, n_outputs)
 * set to zero (nnf_net_init_weights or nnf_net_param to set them), with the book's
 * regularizers (a term only when its factor is > 0). Layers are added before the optimizer. */
nnf_status nnf_net_add_dense(nnf_net *net, nnf_idx n_outputs, double weight_l1,
                             double weight_l2, double bias_l1, double bias_l2);
/* An activation: NNF_LAYER_RELU, SOFTMAX, SIGMOID or LINEAR. */
nnf_status nnf_net_add_activation(nnf_net *net, nnf_layer_kind kind);
/* Dropout of the fraction rate in [0, 1) (the book's Layer_Dropout(rate)). */
nnf_status nnf_net_add_dropout(nnf_net *net, double rate);
nnf_status nnf_net_set_loss(nnf_net *net, nnf_net_loss loss);
nnf_status nnf_net_set_accuracy(nnf_net *net, nnf_net_accuracy kind, double precision);
/* Sets the optimizer, its state arrays zeroed, iterations 0 and the learning rate o's. */
nnf_status nnf_net_set_optimizer(nnf_net *net, const nnf_net_optimizer *o);
/* The optimizer's step count (the book's iterations) and current learning rate: read, or set
 * to continue a run. */
void nnf_net_get_iterations(const nnf_net *net, int64_t *iterations, double *learning_rate);
nnf_status nnf_net_set_iterations(nnf_net *net, int64_t iterations, double learning_rate);

/* A dense layer's arrays, in the network's memory and dtype (float or double): element
 * (i, j) at p[i * row_stride + j] for i < rows, j < cols. The caller may read and write them
 * between calls; they stay where they are until nnf_net_free (or, for the optimizer's state,
 * the next nnf_net_set_optimizer). NULL (and zero sizes) for a layer without it: not dense,
 * or state the optimizer does not keep. */
typedef enum {
    NNF_PARAM_WEIGHTS = 0, NNF_PARAM_BIASES = 1, NNF_PARAM_DWEIGHTS = 2, NNF_PARAM_DBIASES = 3,
    NNF_PARAM_WEIGHT_MOMENTUMS = 4, /* SGD with momentum, Adam */
    NNF_PARAM_WEIGHT_CACHE = 5,     /* Adagrad, RMSprop, Adam */
    NNF_PARAM_BIAS_MOMENTUMS = 6, NNF_PARAM_BIAS_CACHE = 7,
} nnf_param;
void *nnf_net_param(nnf_net *net, int layer, nnf_param which, nnf_idx *rows, nnf_idx *cols,
                    nnf_idx *row_stride);
/* Every dense layer's weights = 0.01 * a standard normal draw (a generator of the seed), its
 * biases 0: the book's initialization, for C programs (Python sets the book's own draws). */
void nnf_net_init_weights(nnf_net *net, uint64_t seed);

/* A data set of n samples: inputs x (n, n_inputs) in the network's dtype; the loss's y as
 * class labels (n) (NNF_NET_CCE, NNF_ACC_CATEGORICAL) or targets (n, outputs) in the
 * network's dtype (one-hot rows for NNF_NET_CCE, values for the others). */
typedef struct {
    nnf_idx n;
    const void *x;
    nnf_idx x_rs, x_cs;
    const int64_t *labels; /* or NULL */
    nnf_idx labels_s;
    const void *targets;   /* or NULL */
    nnf_idx t_rs, t_cs;
} nnf_net_data;

/* What a step or an epoch reports: epoch counted from 1; step from 0 within the epoch (an
 * epoch's report: its number of steps); the data and regularization loss, the accuracy and
 * the learning rate of the step (an epoch's: its samples' mean loss and accuracy, the
 * regularization loss after its last step), as the book's Model.train prints them; and
 * loss_sum, the per-sample losses summed, of which data_loss is the mean (the book's
 * accumulated_sum). A float32 network's loss sums in float32, as NumPy's float32 sums the
 * book accumulates (data_loss is then loss_sum / samples divided in float32), but for
 * softmax + cross-entropy's, in double. */
typedef struct {
    int64_t epoch;
    nnf_idx step;
    double data_loss, regularization_loss, accuracy, learning_rate;
    double loss_sum;
} nnf_net_report;

/* How nnf_net_train runs. Hooks may be NULL; each gets ctx. A hook's nonzero return stops the
 * training after the whole step (NNF_STOPPED from on_step/on_epoch, NNF_ECALLBACK from the
 * others, which run before the step's first change). */
typedef struct {
    int64_t epochs;
    nnf_idx batch_size; /* 0: the whole data set in each step (the book's batch_size=None) */
    void *ctx;
    /* The samples' order in an epoch: a permutation of 0..n-1 into order (n). NULL: in order. */
    int (*order)(void *ctx, int64_t epoch, nnf_idx n, int64_t *order);
    /* Dropout layer `layer`'s 0/1 mask (m, n) of the step, contiguous, 1 with probability
     * keep (the book draws np.random.binomial(1, keep, (m, n))). A network with dropout
     * needs it or each dropout layer's stream (nnf_net_set_dropout_stream). */
    int (*dropout_mask)(void *ctx, int layer, nnf_idx m, nnf_idx n, double keep, int64_t *mask);
    /* After each step whose number is a multiple of report_every (>= 1), and each epoch's
     * last: the step's report. */
    int (*on_step)(void *ctx, const nnf_net_report *report);
    nnf_idx report_every;
    int (*on_epoch)(void *ctx, const nnf_net_report *report); /* after each epoch */
} nnf_net_train_options;

/* options->epochs epochs of the book's steps over data, in batches: forward, loss, accuracy,
 * backward, then the optimizer's update of every dense layer. Labels are checked before the
 * first step (NNF_ELABEL naming the sample in nnf_net_error). */
nnf_status nnf_net_train(nnf_net *net, const nnf_net_data *data,
                         const nnf_net_train_options *options);
/* Dropout layer `layer`'s own masks: the fast stream of nnfast.dropout_philox (Philox4x32-10,
 * key seed, docs/numerics.md). With a stream set and options->dropout_mask NULL, each
 * training step draws the layer's mask (m, n) in C as element e = i * n + j of the stream
 * (seed, step), i counted from the batch's first row, then counts step up by one: the masks
 * and outputs of nnfast.dropout_philox(batch inputs, rate, seed, step), as a Python
 * Layer_Dropout(rng="fast") of that seed and step draws them, for any thread count. A
 * dropout_mask hook, when given, draws every dropout layer's mask instead (the stream is then
 * neither read nor stepped). get reads the stream's seed and next step (NNF_EINVAL before a
 * set); both return NNF_EINVAL for a layer that is not dropout. */
nnf_status nnf_net_set_dropout_stream(nnf_net *net, int layer, uint64_t seed, uint64_t step);
nnf_status nnf_net_get_dropout_stream(nnf_net *net, int layer, uint64_t *seed, uint64_t *step);

/* The outputs (n, outputs) of inputs x (n, n_inputs), batch_size rows at a time (0: all),
 * without dropout (the book's training=False); out, in the network's dtype, is written
 * through its strides. */
nnf_status nnf_net_forward(nnf_net *net, nnf_idx n, const void *x, nnf_idx x_rs, nnf_idx x_cs,
                           void *out, nnf_idx out_rs, nnf_idx out_cs, nnf_idx batch_size);

#endif
