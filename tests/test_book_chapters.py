"""The book's chapters 19-22 on nnfast, end to end, on a small Fashion-MNIST-like data set the
test writes (10 classes, 28x28 images a network learns in a few epochs), in the book's PNG
folders and as IDX files: load, shuffle, scale to [-1, 1], train with validation, evaluate,
parameters and model saved and loaded, and a prediction on one image file with the book's
label names. The script is the book's with nnfast's imports (docs/datasets.md shows it)."""

import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from fashion_files import FASHION_MNIST_LABELS as fashion_mnist_labels
from fashion_files import easy_images, write_folder, write_idx_set, write_png
from nnfast.datasets import create_data_mnist
from nnfast.nn import (Accuracy_Categorical, Activation_ReLU, Activation_Softmax, Layer_Dense,
                       Loss_CategoricalCrossentropy, Model, Optimizer_Adam)

DOCS = Path(__file__).resolve().parent.parent / "docs" / "datasets.md"


@pytest.fixture(scope="module")
def images():
    rng = np.random.default_rng(22)
    X, y = easy_images(30, rng)
    X_test, y_test = easy_images(10, rng)
    return X, y, X_test, y_test


@pytest.fixture(params=["folder", "idx"])
def data_path(request, images, tmp_path):
    X, y, X_test, y_test = images
    path = tmp_path / "fashion_mnist_images"
    if request.param == "folder":
        write_folder(path, "train", X, y)
        write_folder(path, "test", X_test, y_test)
    else:
        path.mkdir()
        write_idx_set(path, "train", X, y)
        write_idx_set(path, "t10k", X_test, y_test)
    return path


def build_model(X):
    model = Model()
    model.add(Layer_Dense(X.shape[1], 128))
    model.add(Activation_ReLU())
    model.add(Layer_Dense(128, 128))
    model.add(Activation_ReLU())
    model.add(Layer_Dense(128, 10))
    model.add(Activation_Softmax())
    return model


def test_chapters_19_to_22(data_path, images, tmp_path, restore_global_seed, capsys):
    # capsys: the training's output is not what this test checks
    np.random.seed(0)

    # chapter 19: data
    X, y, X_test, y_test = create_data_mnist(data_path)
    for got, written in zip((X, y, X_test, y_test), images):
        np.testing.assert_array_equal(got, written)  # the layout order: label, then file

    keys = np.array(range(X.shape[0]))
    np.random.shuffle(keys)
    X = X[keys]
    y = y[keys]

    X = (X.reshape(X.shape[0], -1).astype(np.float32) - 127.5) / 127.5
    X_test = (X_test.reshape(X_test.shape[0], -1).astype(np.float32) - 127.5) / 127.5
    assert X.shape == (300, 784) and X.min() >= -1 and X.max() <= 1

    # chapter 19: the model, trained in batches of 128 with validation
    model = build_model(X)
    model.set(
        loss=Loss_CategoricalCrossentropy(),
        optimizer=Optimizer_Adam(decay=1e-3),
        accuracy=Accuracy_Categorical()
    )
    model.finalize()
    model.train(X, y, validation_data=(X_test, y_test), epochs=10, batch_size=128,
                print_every=100)
    loss, accuracy = model.evaluate(X_test, y_test)
    assert accuracy > 0.8, accuracy  # chance is 0.1
    assert loss < 0.5 * np.log(10), loss

    # chapter 21: parameters into a new model (no optimizer: it only evaluates)
    parameters = model.get_parameters()
    model2 = build_model(X)
    model2.set(loss=Loss_CategoricalCrossentropy(), accuracy=Accuracy_Categorical())
    model2.finalize()
    model2.set_parameters(parameters)
    assert model2.evaluate(X_test, y_test) == (loss, accuracy)

    # chapter 21: parameters and the model through files
    model.save_parameters(str(tmp_path / "fashion_mnist.parms"))
    model3 = build_model(X)
    model3.set(loss=Loss_CategoricalCrossentropy(), accuracy=Accuracy_Categorical())
    model3.finalize()
    model3.load_parameters(str(tmp_path / "fashion_mnist.parms"))
    model.save(str(tmp_path / "fashion_mnist.model"))
    loaded = Model.load(str(tmp_path / "fashion_mnist.model"))
    assert loaded.evaluate(X_test, y_test) == (loss, accuracy)

    # chapter 22: predictions; the reloaded models give the very same numbers
    confidences = model.predict(X_test[:5])
    predictions = model.output_layer_activation.predictions(confidences)
    assert [fashion_mnist_labels[p] for p in predictions] == \
        [fashion_mnist_labels[k] for k in y_test[:5]]
    for other in (model2, model3, loaded):
        np.testing.assert_array_equal(other.predict(X_test), model.predict(X_test))

    # chapter 22: one image file, dark on light as a photo is: inverted, then scaled
    photo = tmp_path / "dress.png"
    write_png(photo, 255 - images[2][y_test == 3][0])
    image_data = np.asarray(Image.open(photo).convert("L").resize((28, 28)))
    image_data = 255 - image_data
    image_data = (image_data.reshape(1, -1).astype(np.float32) - 127.5) / 127.5
    confidences = loaded.predict(image_data)
    predictions = loaded.output_layer_activation.predictions(confidences)
    prediction = fashion_mnist_labels[predictions[0]]
    assert prediction == "Dress"


def docs_script():
    """The Python block of docs/datasets.md's chapters 19-22 section."""
    section = DOCS.read_text().split("### The book's chapters 19-22 on nnfast", 1)[1]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


@pytest.mark.skipif(not DOCS.exists(), reason="docs/ is in the repository, not the sdist")
def test_the_docs_script_runs(images, tmp_path, monkeypatch, capsys, restore_global_seed):
    X, y, X_test, y_test = images
    write_folder(tmp_path / "fashion_mnist_images", "train", X, y)
    write_folder(tmp_path / "fashion_mnist_images", "test", X_test, y_test)
    write_png(tmp_path / "pants.png", 255 - X_test[y_test == 1][0])  # a trouser, as a photo
    monkeypatch.chdir(tmp_path)
    np.random.seed(0)
    exec(compile(docs_script(), str(DOCS), "exec"), {"__name__": "__main__"})
    printed = capsys.readouterr().out.splitlines()
    assert printed[-6:] == [fashion_mnist_labels[k] for k in y_test[:5]] + ["Trouser"]
