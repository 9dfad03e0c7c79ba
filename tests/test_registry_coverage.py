"""Every public name has a row in the API registry (api_registry.API), so the property,
hostile-argument, leak and thread tests reach it; and every row names something that
exists.

Rows are named by the function ("dot"; a variant of one adds "[...]": "sgd_update[momentum]"),
"datasets.<function>" or "nn.<Class>.<method>" with the class's own name (not its PEP 8
alias).
"""

import inspect

import pytest

import nnfast
import nnfast._core as core
import nnfast.datasets as datasets
import nnfast.nn as nn
from api_registry import API

# Settings, not computations: no numbers to check against a reference (test_isa.py,
# test_threads.py and test_package.py test them).
SETTINGS = {"set_num_threads", "get_num_threads", "show_config", "set_isa", "get_isa",
            "supported_isas"}

# The methods a class must have a row for, when it has them.
METHODS = ("forward", "backward", "update_params")

# Public methods with no row of their own, and why.
EXEMPT = {
    # returns its inputs unchanged: no computation, nothing of nnfast's to call
    "nn.Layer_Input.forward",
    # the model's passes through its layers, reached through Model.predict and
    # Model.evaluate (forward) and Model.train (test_model.py, test_training.py)
    "nn.Model.forward",
    "nn.Model.backward",
    # read data sets from folders, not arrays: test_datasets_mnist.py and
    # test_book_chapters.py test them on the files they write
    "datasets.load_mnist_dataset",
    "datasets.create_data_mnist",
    # a type over the C library's network, not a function on arrays:
    # test_network_binding.py tests its methods (numbers, errors, views, threads, Ctrl-C)
    "Network",
}


def row_names():
    return {api.name.split("[")[0] for api in API}


def public_names():
    """Every name that must have a row."""
    names = {n for n in nnfast.__all__
             if n not in SETTINGS and callable(getattr(nnfast, n))
             and not inspect.ismodule(getattr(nnfast, n))}
    names |= {n for n in dir(core)
              if not n.startswith("_") and n not in SETTINGS and callable(getattr(core, n))}
    names |= {f"datasets.{n}" for n in datasets.__all__}
    for alias in nn.__all__:
        cls = getattr(nn, alias)
        if inspect.isclass(cls):
            names |= {f"nn.{cls.__name__}.{m}" for m in METHODS if hasattr(cls, m)}
    return names


def test_every_public_name_has_a_row():
    missing = sorted(public_names() - row_names() - EXEMPT)
    assert not missing, f"public names without a row in api_registry.API: {missing}"


def test_exemptions_are_public_and_have_no_row():
    assert EXEMPT <= public_names(), sorted(EXEMPT - public_names())
    assert not EXEMPT & row_names(), sorted(EXEMPT & row_names())


def resolve(name):
    if name.startswith("nn."):
        _, cls, method = name.split(".")
        return getattr(getattr(nn, cls), method)
    if name.startswith("datasets."):
        return getattr(datasets, name.split(".")[1])
    return getattr(nnfast, name)


@pytest.mark.parametrize("name", sorted(row_names()))
def test_every_row_names_a_public_callable(name):
    assert callable(resolve(name)), name


def test_the_lists_are_not_empty():
    """The sets compared above are built by introspection: a wrong attribute name would make
    them empty and the comparison vacuous."""
    names = public_names()
    assert {"dot", "softmax", "adam_update", "datasets.spiral_data", "nn.Layer_Dense.forward",
            "nn.Optimizer_Adam.update_params", "nn.Model.forward"} <= names
    assert len(names) > 50
