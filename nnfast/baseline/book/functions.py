"""The book's formulas as functions of arrays: one step of a class's forward, backward or
update on plain arrays, in whatever dtype they come in (np.longdouble too: the tests' exact
side). `clip` is the book's np.clip bounds, which a caller may round to its dtype."""
import numpy as np

from .layers import Layer_Dense


def dense_backward(dvalues, inputs, weights, biases=None, wl1=0, wl2=0, bl1=0, bl2=0,
                   relu_output=None):
    """(dweights, dbiases of the biases' shape ((1, n) without biases), dinputs), the book's
    Layer_Dense.backward (after Activation_ReLU.backward when relu_output is given)."""
    if relu_output is not None:
        dvalues = relu_backward(dvalues, relu_output)
    layer = Layer_Dense(0, 0, wl1, wl2, bl1, bl2)
    layer.inputs, layer.weights = inputs, weights
    layer.biases = np.zeros((1, dvalues.shape[1]), weights.dtype) if biases is None else \
        np.asarray(biases).reshape(1, -1)
    layer.backward(dvalues)
    dbiases = layer.dbiases if biases is None else layer.dbiases.reshape(np.shape(biases))
    return layer.dweights, dbiases, layer.dinputs


def relu_backward(dvalues, inputs):
    """The book's Activation_ReLU.backward: dvalues, 0 where inputs <= 0."""
    dinputs = np.array(dvalues, copy=True)
    dinputs[inputs <= 0] = 0
    return dinputs


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def sigmoid_backward(dvalues, output):
    return dvalues * (1 - output) * output


def softmax_backward(dvalues, output):
    """The book's Jacobian product per row over the last axis, (diag(s) - s s.T) @ dvalues,
    in its factored form s * (dvalues - sum(s * dvalues)) (equal in exact arithmetic; the
    form nnfast documents, so NaN/inf propagate alike)."""
    return output * (dvalues - np.sum(output * dvalues, axis=-1, keepdims=True))


def labels_of(y_true):
    """Class indices: 1-D labels as they are, one-hot rows by np.argmax (the book)."""
    y_true = np.asarray(y_true)
    return np.argmax(y_true, axis=1) if y_true.ndim == 2 else y_true.astype(np.int64)


def softmax_crossentropy_backward(probabilities, y_true):
    """The book's Activation_Softmax_Loss_CategoricalCrossentropy.backward."""
    samples = len(probabilities)
    dinputs = np.array(probabilities, copy=True)
    dinputs[range(samples), labels_of(y_true)] -= 1
    return dinputs / samples


def categorical_crossentropy_backward(dvalues, y_true):
    """The book's Loss_CategoricalCrossentropy.backward (np.eye for index labels)."""
    samples, labels = dvalues.shape
    y_true = np.asarray(y_true)
    if y_true.ndim == 1:
        y_true = np.eye(labels, dtype=dvalues.dtype)[y_true]
    return -y_true / dvalues / samples


def binary_crossentropy_terms(y_pred_clipped, y_true):
    """The two terms of the book's binary cross-entropy per element: t log(p), (1-t) log(1-p)."""
    return y_true * np.log(y_pred_clipped), (1 - y_true) * np.log(1 - y_pred_clipped)


def pair_loss_samples(kind, y_pred, y_true, clip=(1e-7, 1 - 1e-7)):
    """Per-sample losses of the book's Loss_BinaryCrossentropy ("bce"), Loss_MeanSquaredError
    ("mse"), Loss_MeanAbsoluteError ("mae") forward."""
    if kind == "bce":
        a, b = binary_crossentropy_terms(np.clip(y_pred, *clip), y_true)
        return np.mean(-(a + b), axis=-1)
    if kind == "mse":
        return np.mean((y_true - y_pred) ** 2, axis=-1)
    return np.mean(np.abs(y_true - y_pred), axis=-1)


def pair_loss_backward(kind, dvalues, y_true, clip=(1e-7, 1 - 1e-7)):
    """The book's backward of those losses (MAE: the derivative, sign(dvalues - y_true))."""
    samples, outputs = dvalues.shape
    if kind == "bce":
        c = np.clip(dvalues, *clip)
        d = -(y_true / c - (1 - y_true) / (1 - c)) / outputs
    elif kind == "mse":
        d = -2 * (y_true - dvalues) / outputs
    else:
        d = np.sign(dvalues - y_true) / outputs
    return d / samples


def dropout(inputs, mask, rate):
    """The book's Layer_Dropout.forward with the mask given: (output, binary_mask)."""
    binary_mask = mask / (1 - rate)
    return inputs * binary_mask, binary_mask


def regularization_loss(x, l1=0, l2=0):
    """The book's penalty of one array: each term only when its factor is > 0."""
    loss = 0
    if l1 > 0:
        loss += l1 * np.sum(np.abs(x))
    if l2 > 0:
        loss += l2 * np.sum(x * x)
    return loss


def optimizer_update(kind, param, grad, s1=None, s2=None, learning_rate=1.0, momentum=0.0,
                     epsilon=1e-7, rho=0.9, beta_1=0.9, beta_2=0.999, iteration=0):
    """One step of the book's update_params on one array, in place on param and its state:
    kind "sgd" (s1: momentums when momentum), "adagrad" / "rmsprop" (s1: cache), "adam"
    (s1: momentums, s2: cache)."""
    if kind == "sgd":
        if momentum:
            s1[...] = momentum * s1 - learning_rate * grad
            update = s1
        else:
            update = -learning_rate * grad
    elif kind == "adagrad":
        s1 += grad ** 2
        update = -learning_rate * grad / (np.sqrt(s1) + epsilon)
    elif kind == "rmsprop":
        s1[...] = rho * s1 + (1 - rho) * grad ** 2
        update = -learning_rate * grad / (np.sqrt(s1) + epsilon)
    else:
        s1[...] = beta_1 * s1 + (1 - beta_1) * grad
        corrected_m = s1 / (1 - beta_1 ** (iteration + 1))
        s2[...] = beta_2 * s2 + (1 - beta_2) * grad ** 2
        corrected_c = s2 / (1 - beta_2 ** (iteration + 1))
        update = -learning_rate * corrected_m / (np.sqrt(corrected_c) + epsilon)
    param += update


def optimizer_step(kind, param, grad, s1=None, s2=None, **hyperparameters):
    """optimizer_update on copies: the updated (param, s1, s2) as new arrays, the arguments
    left as they were."""
    param, s1, s2 = (None if a is None else np.array(a, copy=True) for a in (param, s1, s2))
    optimizer_update(kind, param, grad, s1, s2, **hyperparameters)
    return param, s1, s2
