"""Training runs: the book's loops written with nnfast.nn against the same loops on the NumPy
reference of the book's classes (nnfast.baseline.book), and the book's examples learning.

Rounding differences (another summation order in the matrix products) grow along a training
run, as any two float implementations' do; over 200 steps they stay far below the
tolerances used here (measured: ~1e-8 for Adam at learning rate 0.05, the most sensitive)."""
import io
import contextlib

import numpy as np
import pytest

import nnfast.nn as nn
from nnfast.baseline import book as ref  # the book's classes in plain NumPy
from nnfast.datasets import spiral_data

OPTIMIZERS = [
    ("Optimizer_SGD", dict(learning_rate=1.0, decay=1e-3, momentum=0.9)),
    ("Optimizer_SGD", dict(decay=1e-3)),
    ("Optimizer_Adagrad", dict(decay=1e-4)),
    ("Optimizer_RMSprop", dict(learning_rate=0.02, decay=1e-5, rho=0.999)),
    ("Optimizer_Adam", dict(learning_rate=0.05, decay=5e-7)),
]


def book_spiral_loop(mod, optimizer, kwargs, epochs, regularized=False, dropout=0.0, dtype=None):
    """The book's chapter 10-15 training loop (spiral data, 2 -> 64 -> 3) with classes from mod."""
    np.random.seed(0)
    X, y = spiral_data(samples=100, classes=3)
    reg = dict(weight_regularizer_l2=5e-4, bias_regularizer_l2=5e-4) if regularized else {}
    dense1 = mod.Layer_Dense(2, 64, **reg)
    activation1 = mod.Activation_ReLU()
    drop = mod.Layer_Dropout(dropout) if dropout else None
    dense2 = mod.Layer_Dense(64, 3)
    loss_activation = mod.Activation_Softmax_Loss_CategoricalCrossentropy()
    opt = getattr(mod, optimizer)(**kwargs)
    history = []
    for epoch in range(epochs):
        dense1.forward(X)
        activation1.forward(dense1.output)
        hidden = activation1.output
        if drop:
            drop.forward(hidden, training=True)
            hidden = drop.output
        dense2.forward(hidden)
        data_loss = loss_activation.forward(dense2.output, y)
        reg_loss = loss_activation.loss.regularization_loss(dense1) + \
            loss_activation.loss.regularization_loss(dense2)
        predictions = np.argmax(loss_activation.output, axis=1)
        accuracy = np.mean(predictions == y)
        history.append((data_loss + reg_loss, accuracy, opt.current_learning_rate))
        loss_activation.backward(loss_activation.output, y)
        dense2.backward(loss_activation.dinputs)
        grad = dense2.dinputs
        if drop:
            drop.backward(grad)
            grad = drop.dinputs
        activation1.backward(grad)
        dense1.backward(activation1.dinputs)
        opt.pre_update_params()
        opt.update_params(dense1)
        opt.update_params(dense2)
        opt.post_update_params()
    return history, (dense1.weights, dense1.biases, dense2.weights, dense2.biases)


@pytest.mark.parametrize("optimizer,kwargs", OPTIMIZERS, ids=lambda v: str(v))
def test_200_steps_agree_with_numpy(restore_global_seed, optimizer, kwargs):
    ours, p_ours = book_spiral_loop(nn, optimizer, kwargs, 200)
    theirs, p_theirs = book_spiral_loop(ref, optimizer, kwargs, 200)
    np.testing.assert_allclose([h[0] for h in ours], [h[0] for h in theirs], rtol=1e-7)
    np.testing.assert_allclose([h[2] for h in ours], [h[2] for h in theirs], rtol=1e-15)
    assert sum(a != b for (_, a, _), (_, b, _) in zip(ours, theirs)) <= 2  # a tie may flip
    for a, b in zip(p_ours, p_theirs):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-6)
    assert ours[-1][0] < ours[0][0] - 0.02  # it trains


def test_200_steps_with_regularization_and_dropout_agree_with_numpy(restore_global_seed):
    # the same seed draws the same dropout masks: nnfast draws them as the book does
    ours, p_ours = book_spiral_loop(nn, "Optimizer_Adam", dict(learning_rate=0.02, decay=5e-7),
                                    200, regularized=True, dropout=0.1)
    theirs, p_theirs = book_spiral_loop(ref, "Optimizer_Adam", dict(learning_rate=0.02, decay=5e-7),
                                        200, regularized=True, dropout=0.1)
    np.testing.assert_allclose([h[0] for h in ours], [h[0] for h in theirs], rtol=1e-7)
    for a, b in zip(p_ours, p_theirs):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-6)


def test_book_spiral_example_reaches_090(restore_global_seed):
    """The book's spiral example: 2 -> 64 -> 3, Adam(learning_rate=0.05, decay=5e-7), 10,001
    epochs, run through Model.train (about a second)."""
    np.random.seed(0)
    X, y = spiral_data(samples=100, classes=3)
    model = nn.Model()
    model.add(nn.Layer_Dense(2, 64))
    model.add(nn.Activation_ReLU())
    model.add(nn.Layer_Dense(64, 3))
    model.add(nn.Activation_Softmax())
    model.set(loss=nn.Loss_CategoricalCrossentropy(),
              optimizer=nn.Optimizer_Adam(learning_rate=0.05, decay=5e-7),
              accuracy=nn.Accuracy_Categorical())
    model.finalize()
    model.train(X, y, epochs=10001, verbose=False)
    predictions = np.argmax(model.predict(X), axis=1)
    assert np.mean(predictions == y) > 0.9
    assert model.accuracy.calculate_accumulated() > 0.9


def run_binary(mod, epochs):
    """The book's chapter 16 binary logistic regression (2 spiral classes, sigmoid, BCE)."""
    np.random.seed(0)
    X, y = spiral_data(samples=100, classes=2)
    y = y.reshape(-1, 1)
    dense1 = mod.Layer_Dense(2, 64, weight_regularizer_l2=5e-4, bias_regularizer_l2=5e-4)
    activation1 = mod.Activation_ReLU()
    dense2 = mod.Layer_Dense(64, 1)
    activation2 = mod.Activation_Sigmoid()
    loss_function = mod.Loss_BinaryCrossentropy()
    optimizer = mod.Optimizer_Adam(decay=5e-7)
    losses = []
    for epoch in range(epochs):
        dense1.forward(X)
        activation1.forward(dense1.output)
        dense2.forward(activation1.output)
        activation2.forward(dense2.output)
        data_loss = loss_function.calculate(activation2.output, y)
        losses.append(data_loss + loss_function.regularization_loss(dense1)
                      + loss_function.regularization_loss(dense2))
        loss_function.backward(activation2.output, y)
        activation2.backward(loss_function.dinputs)
        dense2.backward(activation2.dinputs)
        activation1.backward(dense2.dinputs)
        dense1.backward(activation1.dinputs)
        optimizer.pre_update_params()
        optimizer.update_params(dense1)
        optimizer.update_params(dense2)
        optimizer.post_update_params()
    accuracy = np.mean((activation2.output > 0.5) * 1 == y)
    return losses, accuracy


def test_binary_example_learns_and_agrees(restore_global_seed):
    ours, acc = run_binary(nn, 2000)
    theirs, acc_ref = run_binary(ref, 200)
    np.testing.assert_allclose(ours[:200], theirs, rtol=1e-7)
    assert ours[-1] < 0.7 * ours[0]  # from log(2)
    assert acc > 0.8


def run_regression(mod, epochs):
    """The book's chapter 17 regression (sine data, 1 -> 64 -> 64 -> 1, linear output, MSE),
    with the 0.1-scaled initial weights the book uses there."""
    X, y = ref.sine_data()
    np.random.seed(0)
    dense1, dense2, dense3 = mod.Layer_Dense(1, 64), mod.Layer_Dense(64, 64), mod.Layer_Dense(64, 1)
    for d in (dense1, dense2, dense3):
        d.weights = d.weights * 10  # 0.1 * randn
    a1, a2, a3 = mod.Activation_ReLU(), mod.Activation_ReLU(), mod.Activation_Linear()
    loss_function = mod.Loss_MeanSquaredError()
    optimizer = mod.Optimizer_Adam(learning_rate=0.005, decay=1e-3)
    accuracy = mod.Accuracy_Regression()
    accuracy.init(y)
    losses = []
    for epoch in range(epochs):
        dense1.forward(X)
        a1.forward(dense1.output)
        dense2.forward(a1.output)
        a2.forward(dense2.output)
        dense3.forward(a2.output)
        a3.forward(dense3.output)
        losses.append(loss_function.calculate(a3.output, y))
        loss_function.backward(a3.output, y)
        a3.backward(loss_function.dinputs)
        dense3.backward(a3.dinputs)
        a2.backward(dense3.dinputs)
        dense2.backward(a2.dinputs)
        a1.backward(dense2.dinputs)
        dense1.backward(a1.dinputs)
        optimizer.pre_update_params()
        for d in (dense1, dense2, dense3):
            optimizer.update_params(d)
        optimizer.post_update_params()
    return losses


def test_regression_example_learns_and_agrees(restore_global_seed):
    ours = run_regression(nn, 500)
    theirs = run_regression(ref, 200)
    np.testing.assert_allclose(ours[:200], theirs, rtol=1e-6)
    assert ours[-1] < 0.02 * ours[0]  # sin has variance 0.5: a flat line would stay near it
