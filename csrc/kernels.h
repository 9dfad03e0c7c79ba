/* kernels.h: the list of nnfast's kernels, each signature written once.
 *
 * NNF_KERNELS(X, T, S) calls X(S, return type, name, parameters...) for every kernel, T being
 * the element type (float, double) and S its suffix (f32, f64). A parameter is written
 * "(type) name". From this list come the public prototypes nnf_<name>_f32 / nnf_<name>_f64
 * (nnfast.h), the table of one instruction set's kernels (isa/table.h), each set's table
 * (isa/instantiate.h: the kernel <name> is the template's NNF_FN(<name>)), and the public
 * entry points that call through the chosen table (kernels.c).
 *
 * Conventions (nnfast.h): sizes and strides in elements; a matrix `x (m, n)` is x, x_rs, x_cs.
 * Adding a kernel: its template function NNF_FN(<name>) in its family's .inc, and one entry
 * here. */
#ifndef NNFAST_KERNELS_H
#define NNFAST_KERNELS_H

#define NNF_KERNELS(X, T, S)                                                                     \
    /* c (m, n) = act(a (m, k) @ b (k, n) + bias (n)); bias may be NULL (no bias).             \
     * c must not overlap a, b or bias. */                                                     \
    X(S, nnf_status, dense, (nnf_idx) m, (nnf_idx) n, (nnf_idx) k,                             \
      (const T *) a, (nnf_idx) a_rs, (nnf_idx) a_cs, (const T *) b, (nnf_idx) b_rs,            \
      (nnf_idx) b_cs, (const T *) bias, (nnf_idx) bias_s, (nnf_activation) act,                \
      (T *) c, (nnf_idx) c_rs, (nnf_idx) c_cs)                                                 \
    /* y (m, n) = max(x, 0), NaN propagated; y may be x itself (same strides). */              \
    X(S, void, relu, (nnf_idx) m, (nnf_idx) n, (const T *) x, (nnf_idx) x_rs, (nnf_idx) x_cs,  \
      (T *) y, (nnf_idx) y_rs, (nnf_idx) y_cs)                                                 \
    /* y (m, n) = x (m, n) */                                                                  \
    X(S, void, copy, (nnf_idx) m, (nnf_idx) n, (const T *) x, (nnf_idx) x_rs, (nnf_idx) x_cs,  \
      (T *) y, (nnf_idx) y_rs, (nnf_idx) y_cs)                                                 \
    /* y (m, n) = softmax of each row of x (m, n); y may be x itself (same strides). */        \
    X(S, void, softmax, (nnf_idx) m, (nnf_idx) n, (const T *) x, (nnf_idx) x_rs,               \
      (nnf_idx) x_cs, (T *) y, (nnf_idx) y_rs, (nnf_idx) y_cs)                                 \
    /* Categorical cross-entropy of probabilities p (m, n) against labels, either class        \
     * indices idx (m) (int64, any stride) or one-hot rows onehot (m, n) (T).                  \
     * Exactly one of idx / onehot is non-NULL. reduction NONE writes loss (m) with stride    \
     * loss_s; MEAN / SUM write one value to *loss. On NNF_ELABEL, *bad_row is the first row   \
     * whose label is out of range. */                                                         \
    X(S, nnf_status, cce, (nnf_idx) m, (nnf_idx) n, (const T *) p, (nnf_idx) p_rs,             \
      (nnf_idx) p_cs, (const int64_t *) idx, (nnf_idx) idx_s, (const T *) onehot,              \
      (nnf_idx) oh_rs, (nnf_idx) oh_cs, (nnf_reduction) reduction, (T *) loss,                 \
      (nnf_idx) loss_s, (nnf_idx *) bad_row)                                                   \
    /* probs (m, n) = softmax(logits (m, n)) and *mean_loss = mean CCE of probs against the   \
     * labels (idx or onehot as in nnf_cce). probs may be logits itself. */                    \
    X(S, nnf_status, softmax_cce, (nnf_idx) m, (nnf_idx) n, (const T *) logits,                \
      (nnf_idx) l_rs, (nnf_idx) l_cs, (const int64_t *) idx, (nnf_idx) idx_s,                  \
      (const T *) onehot, (nnf_idx) oh_rs, (nnf_idx) oh_cs, (T *) probs, (nnf_idx) p_rs,        \
      (nnf_idx) p_cs, (T *) mean_loss, (nnf_idx *) bad_row)                                    \
    /* Row-wise argmax of p (m, n) (first maximum; a NaN counts as the maximum, as in          \
     * numpy.argmax) compared with labels (idx, or argmax of onehot rows); *correct = count. */ \
    X(S, void, accuracy, (nnf_idx) m, (nnf_idx) n, (const T *) p, (nnf_idx) p_rs,              \
      (nnf_idx) p_cs, (const int64_t *) idx, (nnf_idx) idx_s, (const T *) onehot,              \
      (nnf_idx) oh_rs, (nnf_idx) oh_cs, (nnf_idx *) correct)                                   \
    /* Dense layer backward; inputs x (m, k), weights w (k, n), dvalues dv (m, n):             \
     *   if relu_out (m, n): dv = relu backward (0 where relu_out <= 0, else dv, so a NaN      \
     *                       relu_out keeps dv), written to drelu (m, n), which then stands    \
     *                       for dv below (drelu may be NULL: the masked dv is then not kept); \
     *   dw (k, n) = x.T @ dv  [+ reg[0] * sign(w) + 2 * reg[1] * w]                           \
     *   db (n)    = sum of dv over rows  [+ reg[2] * sign(b) + 2 * reg[3] * b]                \
     *   dx (m, k) = dv @ w.T  (skipped when dx is NULL)                                        \
     * reg (4) = weight l1, weight l2, bias l1, bias l2 (a term only when > 0; sign(0) = 1, as \
     * the book's dL1); b (n) may be NULL when reg[2] and reg[3] are 0. Outputs must not       \
     * overlap the inputs. Products through nnf_dense's kernels with swapped strides: no       \
     * transposed copies. */                                                                   \
    X(S, nnf_status, dense_backward, (nnf_idx) m, (nnf_idx) k, (nnf_idx) n,                    \
      (const T *) dv, (nnf_idx) dv_rs, (nnf_idx) dv_cs,                                        \
      (const T *) relu_out, (nnf_idx) ro_rs, (nnf_idx) ro_cs,                                  \
      (T *) drelu, (nnf_idx) dr_rs, (nnf_idx) dr_cs,                                           \
      (const T *) x, (nnf_idx) x_rs, (nnf_idx) x_cs,                                           \
      (const T *) w, (nnf_idx) w_rs, (nnf_idx) w_cs,                                           \
      (const T *) b, (nnf_idx) b_s, (const double *) reg,                                      \
      (T *) dw, (nnf_idx) dw_rs, (nnf_idx) dw_cs, (T *) db, (nnf_idx) db_s,                    \
      (T *) dx, (nnf_idx) dx_rs, (nnf_idx) dx_cs)                                              \
    /* dense_backward's dw (k, n) and db (n), bitwise, for 1 <= k <= 4 inputs x (m, k) and    \
     * dvalues without ReLU, given rows [i0, i1) of dv at a time (dv (i1 - i0, n) points at   \
     * row i0, contiguous columns) in order from row 0 to m: so a caller can compute dv a     \
     * block of rows at a time and never store it whole. sums ((2k + 1) * (n + 16) elements, \
     * zeroed before row 0) carries the running sums; the call that ends at                  \
     * row m writes dw and db (contiguous) with w's (k, n) and b's regularization terms.      \
     * b may be NULL when reg[2] and reg[3] are 0. */                                         \
    X(S, void, dense_backward_rows, (nnf_idx) m, (nnf_idx) k, (nnf_idx) n, (nnf_idx) i0,       \
      (nnf_idx) i1, (const T *) dv, (nnf_idx) dv_rs, (const T *) x, (nnf_idx) x_rs,            \
      (nnf_idx) x_cs, (const T *) w, (const T *) b, (const double *) reg, (T *) sums,         \
      (T *) dw, (T *) db)                                                                      \
    /* y (m, n) = op(a (m, n), b (m, n)) (see nnf_elementwise); y may be a or b itself. */     \
    X(S, void, elementwise, (nnf_elementwise) op, (nnf_idx) m, (nnf_idx) n,                    \
      (const T *) a, (nnf_idx) a_rs, (nnf_idx) a_cs, (const T *) b, (nnf_idx) b_rs,            \
      (nnf_idx) b_cs, (T *) y, (nnf_idx) y_rs, (nnf_idx) y_cs)                                 \
    /* Softmax + categorical cross-entropy backward: d (m, n) = (p (m, n) - one_hot) / m, the  \
     * labels as in nnf_cce (one-hot rows by their argmax, as the book does). If loss_sum is   \
     * not NULL it receives the sum of the clipped per-sample losses and *correct the rows     \
     * whose argmax is the label (the step's loss and accuracy, in the same pass). */          \
    X(S, nnf_status, softmax_cce_backward, (nnf_idx) m, (nnf_idx) n, (const T *) p,            \
      (nnf_idx) p_rs, (nnf_idx) p_cs, (const int64_t *) idx, (nnf_idx) idx_s,                  \
      (const T *) onehot, (nnf_idx) oh_rs, (nnf_idx) oh_cs, (T *) d, (nnf_idx) d_rs,            \
      (nnf_idx) d_cs, (double *) loss_sum, (nnf_idx *) correct, (nnf_idx *) bad_row)           \
    /* A classifier's output layer and its loss in one call: p (m, n) = softmax(a (m, k) @     \
     * b (k, n) + bias (n)) as nnf_dense computes it, then nnf_softmax_cce_backward of p, both \
     * bitwise; on NNF_ELABEL, p and d may be left unwritten. */                               \
    X(S, nnf_status, dense_softmax_cce_backward, (nnf_idx) m, (nnf_idx) n, (nnf_idx) k,         \
      (const T *) a, (nnf_idx) a_rs, (nnf_idx) a_cs, (const T *) b, (nnf_idx) b_rs,            \
      (nnf_idx) b_cs, (const T *) bias, (nnf_idx) bias_s, (const int64_t *) idx,               \
      (nnf_idx) idx_s, (const T *) onehot, (nnf_idx) oh_rs, (nnf_idx) oh_cs, (T *) p,          \
      (nnf_idx) p_rs, (nnf_idx) p_cs, (T *) d, (nnf_idx) d_rs, (nnf_idx) d_cs,                  \
      (double *) loss_sum, (nnf_idx *) correct, (nnf_idx *) bad_row)                           \
    /* Categorical cross-entropy backward: d (m, n) = -y_true / dv (m, n) / m (no clipping, as \
     * the book); labels as in nnf_cce. */                                                     \
    X(S, nnf_status, cce_backward, (nnf_idx) m, (nnf_idx) n, (const T *) dv, (nnf_idx) dv_rs,  \
      (nnf_idx) dv_cs, (const int64_t *) idx, (nnf_idx) idx_s, (const T *) onehot,             \
      (nnf_idx) oh_rs, (nnf_idx) oh_cs, (T *) d, (nnf_idx) d_rs, (nnf_idx) d_cs,                \
      (nnf_idx *) bad_row)                                                                     \
    /* Binary cross-entropy (predictions clipped to [1e-7, 1 - 1e-7]), mean squared error or   \
     * mean absolute error of p (m, n) against t (m, n): the mean over each row's n outputs,   \
     * reduced over rows as in nnf_cce (loss (m) with stride loss_s, or one value). */         \
    X(S, void, pair_loss, (nnf_pair_loss) kind, (nnf_idx) m, (nnf_idx) n, (const T *) p,       \
      (nnf_idx) p_rs, (nnf_idx) p_cs, (const T *) t, (nnf_idx) t_rs, (nnf_idx) t_cs,           \
      (nnf_reduction) reduction, (T *) loss, (nnf_idx) loss_s)                                 \
    /* Their backward, the book's formulas, divided by n outputs and m samples:               \
     * d (m, n) from dv (m, n) (the predictions) and t (m, n). */                              \
    X(S, void, pair_loss_backward, (nnf_pair_loss) kind, (nnf_idx) m, (nnf_idx) n,             \
      (const T *) dv, (nnf_idx) dv_rs, (nnf_idx) dv_cs, (const T *) t, (nnf_idx) t_rs,          \
      (nnf_idx) t_cs, (T *) d, (nnf_idx) d_rs, (nnf_idx) d_cs)                                 \
    /* Dropout forward with a drawn 0/1 mask (m, n): bm (m, n) = mask / keep (the book's       \
     * binary_mask) and y (m, n) = x (m, n) * bm. */                                           \
    X(S, void, dropout, (nnf_idx) m, (nnf_idx) n, (const T *) x, (nnf_idx) x_rs,               \
      (nnf_idx) x_cs, (const int64_t *) mask, (nnf_idx) mk_rs, (nnf_idx) mk_cs,                 \
      (double) keep, (T *) bm, (nnf_idx) bm_rs, (nnf_idx) bm_cs, (T *) y, (nnf_idx) y_rs,       \
      (nnf_idx) y_cs)                                                                          \
    /* Dropout forward drawing its own mask: element e = i * n + j of x (m, n) is kept iff    \
     * word e of Philox4x32-10's stream (seed, step) is below ceil(keep * 2^32) (rng/philox.h);\
     * bm (m, n) = 1 / keep where kept, else 0, and y (m, n) = x * bm. keep in (0, 1]. The     \
     * mask depends only on (seed, step, e), never on the thread count or instruction set. */  \
    X(S, void, dropout_philox, (nnf_idx) m, (nnf_idx) n, (const T *) x, (nnf_idx) x_rs,        \
      (nnf_idx) x_cs, (uint64_t) seed, (uint64_t) step, (double) keep, (T *) bm,               \
      (nnf_idx) bm_rs, (nnf_idx) bm_cs, (T *) y, (nnf_idx) y_rs, (nnf_idx) y_cs)               \
    /* Dropout over a ReLU's output x (m, n), rows row0 .. row0 + m of nnf_dropout_philox's  \
     * (., n) array (element (i, j) is the stream's (row0 + i) * n + j), on the calling       \
     * thread: y (m, n) = x * the binary mask, and instead of the mask bits (m, n) = 1 where   \
     * x is not <= 0, + 2 where kept. Contiguous columns. For a caller that splits the rows   \
     * over threads or works a block of rows at a time (the network). */                      \
    X(S, void, relu_dropout_philox_rows, (nnf_idx) row0, (nnf_idx) m, (nnf_idx) n,             \
      (const T *) x, (nnf_idx) x_rs, (uint64_t) seed, (uint64_t) step, (double) keep,          \
      (uint8_t *) bits, (nnf_idx) bits_rs, (T *) y, (nnf_idx) y_rs)                            \
    /* Its backward: dx (m, n) = d (m, n) * the binary mask (1 / keep where bits has 2, else   \
     * 0), then 0 where bits lacks 1 (the ReLU's backward). Contiguous columns. */             \
    X(S, void, relu_dropout_backward, (nnf_idx) m, (nnf_idx) n, (const T *) d,                 \
      (nnf_idx) d_rs, (const uint8_t *) bits, (nnf_idx) bits_rs, (double) keep, (T *) dx,      \
      (nnf_idx) dx_rs)                                                                         \
    /* One optimizer step in place over a parameter p (m, n), its gradient g (m, n) and its    \
     * state (m, n each): s1 = momentums (SGD with momentum, Adam) or cache (Adagrad,         \
     * RMSprop); s2 = Adam's cache. Unused state pointers may be NULL. */                      \
    X(S, void, optimizer_step, (const nnf_optim_params *) o, (nnf_idx) m, (nnf_idx) n,         \
      (T *) p, (nnf_idx) p_rs, (nnf_idx) p_cs, (const T *) g, (nnf_idx) g_rs, (nnf_idx) g_cs,   \
      (T *) s1, (nnf_idx) s1_rs, (nnf_idx) s1_cs, (T *) s2, (nnf_idx) s2_rs, (nnf_idx) s2_cs)   \
    /* Regularization loss of x (m, n): l1 * sum|x| + l2 * sum(x * x), a term only when its   \
     * factor is > 0. */                                                                       \
    X(S, double, regularization_loss, (nnf_idx) m, (nnf_idx) n, (const T *) x,                 \
      (nnf_idx) x_rs, (nnf_idx) x_cs, (double) l1, (double) l2)                                 \
    /* The backward of x (m, k) -> dense (k -> n) + ReLU (output ro (m, n)) -> dense (n -> c) \
     * from the second layer's dvalues dv (m, c), 1 <= k <= 4: the two nnf_dense_backward     \
     * calls, bitwise: the second's dw2 (n, c), db2 (c) and dinputs, then the first's dw      \
     * (k, n), db (n) on those dinputs with relu_out = ro, without dinputs; with c <= 4,       \
     * m >= 2, 8 < n <= 256, no array of (m, n) is written: each row of the dinputs computed  \
     * where it is summed, ro read once. Weights w (k, n), w2 (n, c) and the results          \
     * contiguous; biases b, b2 (NULL when reg[2], reg[3] (reg2's) are 0) and reg, reg2 as    \
     * in nnf_dense_backward; ro and dv contiguous columns. */                                \
    X(S, nnf_status, dense_relu_dense_backward, (nnf_idx) m, (nnf_idx) k, (nnf_idx) n,          \
      (nnf_idx) c, (const T *) x, (nnf_idx) x_rs, (nnf_idx) x_cs, (const T *) ro,               \
      (nnf_idx) ro_rs, (const T *) dv, (nnf_idx) dv_rs, (const T *) w, (const T *) b,           \
      (const double *) reg, (const T *) w2, (const T *) b2, (const double *) reg2, (T *) dw,    \
      (T *) db, (T *) dw2, (T *) db2)

/* ---------------------------------------------------------------------------------------- */
/* Expanding the list. NNF_PARAMS(...) turns "(type) name, ..." into a parameter list          */
/* "type name, ...", NNF_ARGS(...) into the argument list "name, ...".                       */

#define NNF_TYPED(...) __VA_ARGS__ /* (type) name -> type name */
#define NNF_UNTYPED(...)           /* (type) name -> name */
#define NNF_PARAMS(...) NNF_MAP(NNF_TYPED, __VA_ARGS__)
#define NNF_ARGS(...) NNF_MAP(NNF_UNTYPED, __VA_ARGS__)
/* The return statement of a forwarding call: none for void. */
#define NNF_RETURN_void
#define NNF_RETURN_nnf_status return
#define NNF_RETURN_double return

/* NNF_MAP(F, p1, ..., pN) = F p1, ..., F pN, for N <= 32. */
#define NNF_MAP(F, ...) NNF_MAP_PASTE(NNF_MAP, NNF_COUNT(__VA_ARGS__))(F, __VA_ARGS__)
#define NNF_MAP_PASTE(a, b) NNF_MAP_PASTE_(a, b)
#define NNF_MAP_PASTE_(a, b) a##b
#define NNF_COUNT(...)                                                                         \
    NNF_COUNT_(__VA_ARGS__, 32, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17, 16, \
               15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0)
#define NNF_COUNT_(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, \
                   _18, _19, _20, _21, _22, _23, _24, _25, _26, _27, _28, _29, _30, _31, _32,  \
                   N, ...)                                                                     \
    N
#define NNF_MAP1(F, p) F p
#define NNF_MAP2(F, p, ...) F p, NNF_MAP1(F, __VA_ARGS__)
#define NNF_MAP3(F, p, ...) F p, NNF_MAP2(F, __VA_ARGS__)
#define NNF_MAP4(F, p, ...) F p, NNF_MAP3(F, __VA_ARGS__)
#define NNF_MAP5(F, p, ...) F p, NNF_MAP4(F, __VA_ARGS__)
#define NNF_MAP6(F, p, ...) F p, NNF_MAP5(F, __VA_ARGS__)
#define NNF_MAP7(F, p, ...) F p, NNF_MAP6(F, __VA_ARGS__)
#define NNF_MAP8(F, p, ...) F p, NNF_MAP7(F, __VA_ARGS__)
#define NNF_MAP9(F, p, ...) F p, NNF_MAP8(F, __VA_ARGS__)
#define NNF_MAP10(F, p, ...) F p, NNF_MAP9(F, __VA_ARGS__)
#define NNF_MAP11(F, p, ...) F p, NNF_MAP10(F, __VA_ARGS__)
#define NNF_MAP12(F, p, ...) F p, NNF_MAP11(F, __VA_ARGS__)
#define NNF_MAP13(F, p, ...) F p, NNF_MAP12(F, __VA_ARGS__)
#define NNF_MAP14(F, p, ...) F p, NNF_MAP13(F, __VA_ARGS__)
#define NNF_MAP15(F, p, ...) F p, NNF_MAP14(F, __VA_ARGS__)
#define NNF_MAP16(F, p, ...) F p, NNF_MAP15(F, __VA_ARGS__)
#define NNF_MAP17(F, p, ...) F p, NNF_MAP16(F, __VA_ARGS__)
#define NNF_MAP18(F, p, ...) F p, NNF_MAP17(F, __VA_ARGS__)
#define NNF_MAP19(F, p, ...) F p, NNF_MAP18(F, __VA_ARGS__)
#define NNF_MAP20(F, p, ...) F p, NNF_MAP19(F, __VA_ARGS__)
#define NNF_MAP21(F, p, ...) F p, NNF_MAP20(F, __VA_ARGS__)
#define NNF_MAP22(F, p, ...) F p, NNF_MAP21(F, __VA_ARGS__)
#define NNF_MAP23(F, p, ...) F p, NNF_MAP22(F, __VA_ARGS__)
#define NNF_MAP24(F, p, ...) F p, NNF_MAP23(F, __VA_ARGS__)
#define NNF_MAP25(F, p, ...) F p, NNF_MAP24(F, __VA_ARGS__)
#define NNF_MAP26(F, p, ...) F p, NNF_MAP25(F, __VA_ARGS__)
#define NNF_MAP27(F, p, ...) F p, NNF_MAP26(F, __VA_ARGS__)
#define NNF_MAP28(F, p, ...) F p, NNF_MAP27(F, __VA_ARGS__)
#define NNF_MAP29(F, p, ...) F p, NNF_MAP28(F, __VA_ARGS__)
#define NNF_MAP30(F, p, ...) F p, NNF_MAP29(F, __VA_ARGS__)
#define NNF_MAP31(F, p, ...) F p, NNF_MAP30(F, __VA_ARGS__)
#define NNF_MAP32(F, p, ...) F p, NNF_MAP31(F, __VA_ARGS__)

#endif
