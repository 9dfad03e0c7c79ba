"""Bitwise snapshot of every public function's results, for moving code without changing a bit.

    python tests/bitwise_snapshot.py save FILE      # on the code before a move
    python tests/bitwise_snapshot.py compare FILE   # after it: exit 1 on any differing bit

Every entry of api_registry.API is called on arguments drawn from fixed seeds, at the
property-test sizes and the threaded sizes, for float32 and float64, on every instruction set
this CPU supports; a few explicit shapes go past the blocking constants (NC, KC, the L2 rule,
the thread threshold) and reduce over many samples. Results are compared as bytes (NaN
payloads and signs of zero included). Not a test: a snapshot is only comparable on the machine
and build flags that made it.
"""

import hashlib
import json
import sys
from pathlib import Path

import numpy as np

# The checkout this script sits in, then tests/: run as a script, Python puts only the
# script's folder on the path, and an installed nnfast would win over this checkout's.
sys.path[:0] = [str(Path(__file__).resolve().parent.parent), str(Path(__file__).resolve().parent)]
import nnfast  # noqa: E402
from nnfast import _core  # noqa: E402
from api_registry import API, PROPERTY, THREADED, RngSource  # noqa: E402

SEEDS = range(12)


def digest(value, h):
    """Feed every array, scalar and nested result of a call into h."""
    if isinstance(value, (tuple, list)):
        h.update(b"(%d" % len(value))
        for v in value:
            digest(v, h)
        h.update(b")")
    elif isinstance(value, dict):
        for k in sorted(value):
            h.update(str(k).encode())
            digest(value[k], h)
    elif value is None or isinstance(value, (bool, int, str)):
        h.update(repr(value).encode())
    else:
        a = np.asarray(value)
        h.update(f"{a.dtype.str}{a.shape}".encode())
        h.update(np.ascontiguousarray(a).tobytes())


def registry_cases():
    for api in API:
        for size_name, size in (("property", PROPERTY), ("threaded", THREADED)):
            for dtype in (np.float32, np.float64):
                for seed in SEEDS:
                    yield f"{api.name}/{size_name}/{np.dtype(dtype).name}/{seed}", api, size, dtype, seed


def explicit_cases():
    """Shapes past each blocking constant, and large reductions."""
    rng = np.random.default_rng(1234)
    out = {}
    for dtype in (np.float32, np.float64):
        t = np.dtype(dtype).name
        for (m, k, n) in [(9, 300, 700), (1024, 784, 128), (130, 129, 515), (7, 1100, 33),
                          (300, 2, 64), (300, 64, 3), (2000, 3, 1030)]:
            x = rng.standard_normal((m, k)).astype(dtype)
            w = (0.1 * rng.standard_normal((k, n))).astype(dtype)
            b = rng.standard_normal(n).astype(dtype)
            for act in (None, "relu", "softmax"):
                out[f"dense{(m, k, n)}/{act}/{t}"] = lambda x=x, w=w, b=b, act=act: nnfast.dense(
                    x, w, b, activation=act)
            out[f"dense{(m, k, n)}/transposed/{t}"] = lambda x=x, w=w, b=b: nnfast.dense(
                np.asfortranarray(x), w.T.copy().T, b[::-1])
            dv = rng.standard_normal((m, n)).astype(dtype)
            out[f"dense_backward{(m, k, n)}/{t}"] = lambda dv=dv, x=x, w=w: _core.dense_backward(
                dv, x, w)
        big = rng.random((2_000_000, 2)).astype(dtype) + np.asarray(0.01, dtype)
        big /= big.sum(axis=1, keepdims=True)
        labels = rng.integers(0, 2, 2_000_000)
        out[f"cce_mean_2M/{t}"] = lambda p=big, y=labels: nnfast.categorical_crossentropy(p, y)
        out[f"softmax_cce_2M/{t}"] = lambda p=big, y=labels: nnfast.softmax_crossentropy(p, y)
        out[f"mse_2M/{t}"] = lambda p=big: _core.mean_squared_error(p, p[::-1])
        out[f"bce_2M/{t}"] = lambda p=big: _core.binary_crossentropy(p, p[::-1])
    return out


def snapshot():
    result = {}
    explicit = explicit_cases()
    for isa in _core.supported_isas():
        _core.set_isa(isa)
        for key, api, size, dtype, seed in registry_cases():
            np.random.seed(seed)
            args, kwargs = api.draw(RngSource(np.random.default_rng(seed)), np.dtype(dtype), size)
            h = hashlib.sha256()
            try:
                digest(api.call(*args, **kwargs), h)
            except Exception as e:  # a drawn case that raises must raise the same way
                h.update(f"{type(e).__name__}: {e}".encode())
            result[f"{isa}/{key}"] = h.hexdigest()
        for key, fn in explicit.items():
            h = hashlib.sha256()
            digest(fn(), h)
            result[f"{isa}/{key}"] = h.hexdigest()
    _core.set_isa(None)
    return result


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("save", "compare"):
        sys.exit(__doc__)
    mode, path = sys.argv[1], Path(sys.argv[2])
    now = snapshot()
    if mode == "save":
        path.write_text(json.dumps(now, indent=0, sort_keys=True))
        print(f"saved {len(now)} results to {path}")
        return
    before = json.loads(path.read_text())
    differ = sorted(k for k in before if now.get(k) != before[k])
    missing = sorted(set(before) - set(now))
    print(f"compared {len(before)} results: {len(differ) - len(missing)} differ, {len(missing)} missing")
    for k in differ[:40]:
        print("  differs:" if k in now else "  missing:", k)
    sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
