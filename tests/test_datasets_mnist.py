"""nnfast.datasets.load_mnist_dataset and create_data_mnist on files the tests write: the
book's PNG folders and Zalando's IDX files (gzipped and plain), and every way they can be
wrong."""

import builtins
import gzip
import tracemalloc

import numpy as np
import pytest
from PIL import Image

from fashion_files import easy_images, idx_bytes, write_folder, write_idx, write_idx_set, write_png
from nnfast.datasets import create_data_mnist, load_mnist_dataset


@pytest.fixture
def rng():
    return np.random.default_rng(19)


def test_folder_gives_every_image_and_label_in_label_then_name_order(tmp_path, rng):
    # labels 2 and 10 (numeric order, not text order), names out of order on disk, images
    # wider than tall (a transposed read changes the shape and the values)
    X = rng.integers(0, 256, size=(6, 5, 7), dtype=np.uint8)
    y = np.array([10, 2, 10, 2, 0, 2], np.uint8)
    names = ["b", "c", "a", "a", "z", "b"]
    write_folder(tmp_path, "train", X, y, names)
    # the order the loader promises: label 0, then 2 (files a, b, c), then 10 (a, b)
    order = [4, 3, 5, 1, 2, 0]
    X_got, y_got = load_mnist_dataset("train", tmp_path)
    assert X_got.dtype == np.uint8 and y_got.dtype == np.uint8
    assert X_got.shape == (6, 5, 7) and y_got.shape == (6,)
    np.testing.assert_array_equal(y_got, y[order])
    np.testing.assert_array_equal(X_got, X[order])
    assert X_got.flags.writeable and X_got.flags.c_contiguous


def test_folder_skips_hidden_names(tmp_path, rng):
    X, y = easy_images(2, rng, classes=3)
    write_folder(tmp_path, "test", X, y)
    (tmp_path / "test" / ".DS_Store").write_bytes(b"\0\1junk")
    (tmp_path / "test" / "1" / "._00002.png").write_bytes(b"junk")
    X_got, y_got = load_mnist_dataset("test", str(tmp_path))  # str paths as well
    np.testing.assert_array_equal(X_got, X)
    np.testing.assert_array_equal(y_got, y)


def test_create_data_mnist_reads_train_and_test(tmp_path, rng):
    X, y = easy_images(3, rng)
    X_test, y_test = easy_images(2, rng)
    write_folder(tmp_path, "train", X, y)
    write_folder(tmp_path, "test", X_test, y_test)
    got = create_data_mnist(tmp_path)
    assert len(got) == 4
    for a, b in zip(got, (X, y, X_test, y_test)):
        assert a.dtype == np.uint8
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("gz", [True, False], ids=["gz", "plain"])
def test_idx_files_give_the_arrays_they_hold(tmp_path, rng, gz):
    X = rng.integers(0, 256, size=(7, 4, 6), dtype=np.uint8)  # not square: no transposition
    y = rng.integers(0, 10, size=7, dtype=np.uint8)
    X_test, y_test = X[:3] // 2, y[:3]
    write_idx_set(tmp_path, "train", X, y, gz)
    write_idx_set(tmp_path, "t10k", X_test, y_test, gz)
    got = create_data_mnist(tmp_path)
    for a, b in zip(got, (X, y, X_test, y_test)):
        assert a.dtype == np.uint8 and a.shape == b.shape
        np.testing.assert_array_equal(a, b)
    assert got[0].flags.writeable


def test_idx_plain_file_is_taken_over_the_gzipped_one(tmp_path, rng):
    X = rng.integers(0, 256, size=(2, 3, 3), dtype=np.uint8)
    y = np.array([1, 2], np.uint8)
    write_idx_set(tmp_path, "train", X, y, gz=True)
    write_idx_set(tmp_path, "train", 255 - X, y, gz=False)
    np.testing.assert_array_equal(load_mnist_dataset("train", tmp_path)[0], 255 - X)


def test_folder_is_taken_over_idx_files(tmp_path, rng):
    X, y = easy_images(1, rng, classes=2)
    write_folder(tmp_path, "train", X, y)
    write_idx_set(tmp_path, "train", 255 - X, y)
    np.testing.assert_array_equal(load_mnist_dataset("train", tmp_path)[0], X)


# --------------------------------------------------------------------------- missing data
def test_missing_folder_says_the_layout_and_where_the_data_comes_from(tmp_path, rng):
    with pytest.raises(FileNotFoundError) as info:
        load_mnist_dataset("train", tmp_path / "fashion_mnist_images")
    message = str(info.value)
    for part in ["load_mnist_dataset", "fashion_mnist_images", "<label>", "nnfs.io/datasets/fashion_mnist_images.zip",
                 "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "zalandoresearch"]:
        assert part in message, (part, message)
    assert "does not exist" in message
    write_folder(tmp_path, "train", *easy_images(1, rng, classes=1))
    with pytest.raises(FileNotFoundError, match="no 'test' data.*t10k-images-idx3-ubyte") as info:
        create_data_mnist(tmp_path)
    assert "does not exist" not in str(info.value)


def test_missing_other_half_of_the_idx_pair(tmp_path, rng):
    write_idx(tmp_path / "t10k-images-idx3-ubyte.gz", idx_bytes(np.zeros((1, 2, 2), np.uint8)), True)
    with pytest.raises(FileNotFoundError, match="load_mnist_dataset.*t10k-labels-idx1-ubyte"):
        load_mnist_dataset("test", tmp_path)


def test_dataset_must_be_a_string(tmp_path):
    with pytest.raises(TypeError, match="load_mnist_dataset: dataset must be a string"):
        load_mnist_dataset(0, tmp_path)


def test_pillow_missing_names_the_extra(tmp_path, rng, monkeypatch):
    X, y = easy_images(1, rng, classes=1)
    write_folder(tmp_path, "train", X, y)
    real_import = builtins.__import__

    def no_pillow(name, *args, **kwargs):
        if name == "PIL" or name.startswith("PIL."):
            raise ModuleNotFoundError("No module named 'PIL'", name="PIL")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pillow)
    with pytest.raises(ImportError, match=r"load_mnist_dataset: .*Pillow.*pip install nnfast\[images\]"):
        load_mnist_dataset("train", tmp_path)


# --------------------------------------------------------------------------- wrong images
def _one_good_image(tmp_path, rng):
    write_folder(tmp_path, "train", *easy_images(1, rng, classes=1))
    return tmp_path / "train" / "0"


@pytest.mark.parametrize("mode", ["RGB", "LA", "P", "1", "I;16"])
def test_image_not_8_bit_grayscale_is_named(tmp_path, rng, mode):
    folder = _one_good_image(tmp_path, rng)
    Image.new(mode, (28, 28)).save(folder / "zz.png", format="PNG")
    with pytest.raises(ValueError, match=r"load_mnist_dataset: .*zz\.png.*8-bit grayscale"):
        load_mnist_dataset("train", tmp_path)


def test_image_of_another_size_is_named(tmp_path, rng):
    folder = _one_good_image(tmp_path, rng)
    write_png(folder / "zz.png", np.zeros((28, 27), np.uint8))
    with pytest.raises(ValueError, match=r"zz\.png is 27x28 pixels but .*00000\.png is 28x28"):
        load_mnist_dataset("train", tmp_path)


@pytest.mark.parametrize("name", ["zz.jpg", "notes.txt"])
def test_file_that_is_not_a_png_is_named(tmp_path, rng, name):
    folder = _one_good_image(tmp_path, rng)
    if name.endswith(".jpg"):  # an image Pillow reads, but not a PNG
        Image.fromarray(np.zeros((28, 28), np.uint8)).save(folder / name, format="JPEG")
    else:
        (folder / name).write_text("not an image")
    with pytest.raises(ValueError, match=f"{name} is not a PNG image"):
        load_mnist_dataset("train", tmp_path)


def test_truncated_png_is_named(tmp_path, rng):
    folder = _one_good_image(tmp_path, rng)
    data = (folder / "00000.png").read_bytes()
    (folder / "zz.png").write_bytes(data[:len(data) // 2])
    with pytest.raises(ValueError, match=r"zz\.png cannot be decoded"):
        load_mnist_dataset("train", tmp_path)


@pytest.mark.parametrize("name", ["shirts", "256", "-1", "1.5"])
def test_entry_that_is_not_a_label_folder_is_named(tmp_path, rng, name):
    _one_good_image(tmp_path, rng)
    (tmp_path / "train" / name).mkdir()
    with pytest.raises(ValueError, match=f"{name} is not a label folder.*0 to 255"):
        load_mnist_dataset("train", tmp_path)


def test_stray_file_or_folder_in_the_layout(tmp_path, rng):
    folder = _one_good_image(tmp_path, rng)
    (tmp_path / "train" / "README").write_text("hello")
    with pytest.raises(ValueError, match="README is not a label folder"):
        load_mnist_dataset("train", tmp_path)
    (tmp_path / "train" / "README").unlink()
    (folder / "more").mkdir()
    with pytest.raises(ValueError, match="more is not an image file"):
        load_mnist_dataset("train", tmp_path)


def test_folder_without_images(tmp_path):
    (tmp_path / "train" / "0").mkdir(parents=True)
    with pytest.raises(ValueError, match="holds no images"):
        load_mnist_dataset("train", tmp_path)


# --------------------------------------------------------------------------- wrong IDX files
def _write_pair(tmp_path, images, labels, gz):
    suffix = ".gz" if gz else ""
    write_idx(tmp_path / f"train-images-idx3-ubyte{suffix}", images, gz)
    write_idx(tmp_path / f"train-labels-idx1-ubyte{suffix}", labels, gz)


GOOD_X = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
GOOD_Y = np.array([3, 1], np.uint8)


@pytest.mark.parametrize("gz", [True, False], ids=["gz", "plain"])
@pytest.mark.parametrize("images, labels, pattern", [
    (idx_bytes(GOOD_X, magic=b"\0\0\x08\x01"), idx_bytes(GOOD_Y),
     r"images-idx3-ubyte.* magic number is 0x00000801, expected 0x00000803"),
    (idx_bytes(GOOD_X), idx_bytes(GOOD_Y, magic=b"\0\0\x08\x03"),
     r"labels-idx1-ubyte.* magic number is 0x00000803, expected 0x00000801"),
    (idx_bytes(GOOD_X, magic=b"\0\0\x0d\x03"), idx_bytes(GOOD_Y), r"magic number is 0x00000d03"),
    (b"PK\3\4" + idx_bytes(GOOD_X)[4:], idx_bytes(GOOD_Y), r"magic number is 0x504b0304"),
    (idx_bytes(GOOD_X)[:2], idx_bytes(GOOD_Y), r"images-idx3-ubyte.* truncated.*magic number"),
    (idx_bytes(GOOD_X)[:10], idx_bytes(GOOD_Y), r"truncated.*dimensions"),
    (idx_bytes(GOOD_X)[:-1], idx_bytes(GOOD_Y), r"declares 24 bytes of data but the file holds 23"),
    (idx_bytes(GOOD_X) + b"\0", idx_bytes(GOOD_Y), r"declares 24 bytes of data but the file holds (25|more)"),
    (idx_bytes(GOOD_X, dims=(2, 4, 3)) + b"\0" * 8, idx_bytes(GOOD_Y), r"declares 24 bytes .* holds (32|more)"),
    (idx_bytes(GOOD_X), idx_bytes(np.array([3], np.uint8)), r"holds 2 images but .* holds 1 labels"),
], ids=["images-magic", "labels-magic", "float-type", "zip", "short-magic", "short-dims", "short-data",
        "long-data", "wrong-dims", "count-mismatch"])
def test_wrong_idx_files_are_named(tmp_path, gz, images, labels, pattern):
    _write_pair(tmp_path, images, labels, gz)
    with pytest.raises(ValueError, match=f"load_mnist_dataset: .*{pattern}"):
        load_mnist_dataset("train", tmp_path)
    _write_pair(tmp_path, idx_bytes(GOOD_X), idx_bytes(GOOD_Y), gz)  # the good pair loads
    np.testing.assert_array_equal(load_mnist_dataset("train", tmp_path)[0], GOOD_X)


@pytest.mark.parametrize("gz", [True, False], ids=["gz", "plain"])
@pytest.mark.parametrize("dims", [(2**20, 28, 28), (2**32 - 1, 2**32 - 1, 2**32 - 1), (3, 2**31, 2**31)])
def test_hostile_header_allocates_nothing_of_its_size(tmp_path, gz, dims):
    # a header declaring up to 2**96 bytes over a few bytes of data: refused, and the peak of
    # traced memory (NumPy's arrays and Python's bytes are traced) stays far below it
    _write_pair(tmp_path, idx_bytes(GOOD_X, dims=dims), idx_bytes(GOOD_Y), gz)
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match=r"declares \d+ bytes of data but the file holds 24"):
            load_mnist_dataset("train", tmp_path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 4 << 20, peak


def test_gzipped_file_without_gz_suffix_is_named(tmp_path):
    (tmp_path / "train-images-idx3-ubyte").write_bytes(gzip.compress(idx_bytes(GOOD_X)))
    write_idx(tmp_path / "train-labels-idx1-ubyte", idx_bytes(GOOD_Y), False)
    with pytest.raises(ValueError, match=r"images-idx3-ubyte is not an IDX .*0x1f8b.*gzipped: name it with \.gz"):
        load_mnist_dataset("train", tmp_path)


def test_damaged_gzip_is_named(tmp_path):
    data = gzip.compress(idx_bytes(GOOD_X))
    (tmp_path / "train-images-idx3-ubyte.gz").write_bytes(data[:len(data) - 12])
    write_idx(tmp_path / "train-labels-idx1-ubyte.gz", idx_bytes(GOOD_Y), True)
    with pytest.raises(ValueError, match=r"images-idx3-ubyte\.gz is not a valid gzip file"):
        load_mnist_dataset("train", tmp_path)
    (tmp_path / "train-images-idx3-ubyte.gz").write_bytes(b"\x1f\x8b\x07" + bytes(40))
    with pytest.raises(ValueError, match=r"images-idx3-ubyte\.gz is not a valid gzip file"):
        load_mnist_dataset("train", tmp_path)
