"""Checks of a parsed description against what nnfast writes: every value's type and range,
every key expected and no other, and each array the description names present in the archive
with the shape and dtype the description implies. A failed check raises ValueError naming the
file and the place in the description."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from .archive import ARCHITECTURE, Header

VERSION = 1  # the format's version; a reader refuses versions it does not know
FLOAT_NAMES = ("float32", "float64")

T = TypeVar("T")


class Checker:
    """Checks one description against the ``headers`` of its archive (name -> (shape, dtype)).

    ``array`` records each name the description implies; ``finish`` refuses any other entry.
    """

    def __init__(self, where: str, headers: Mapping[str, Header]) -> None:
        self.where = where
        self._headers = headers
        self._named: set[str] = set()

    def fail(self, what: str) -> ValueError:
        return ValueError(f"{self.where}: {what}")

    def document(self, data: object, kind: str, keys: Iterable[str], *,
                 optional: Iterable[str] = ()) -> dict[str, Any]:
        """The top level: an object whose "format" is ``kind``, of a version this reader knows,
        with exactly ``keys`` (and any of ``optional``)."""
        if not isinstance(data, dict):
            raise self.fail(f"the description is a JSON {_json_type(data)}, not an object")
        found = data.get("format")
        if found != kind:
            raise self.fail(f"the description's format is {found!r}, not {kind!r}"
                            + _FORMAT_ADVICE.get(found if isinstance(found, str) else "", ""))
        version = data.get("version")
        if type(version) is not int or version < 1:
            raise self.fail(f"the description's version is {version!r}, not a format version")
        if version > VERSION:
            raise self.fail(f"written in format version {version}; this nnfast reads version "
                            f"{VERSION} and earlier: upgrade nnfast to load it")
        return self.keys(data, "the description", ("format", "version", *keys),
                         optional=optional)

    def keys(self, value: object, at: str, keys: Iterable[str], *,
             optional: Iterable[str] = ()) -> dict[str, Any]:
        """``value`` as an object with exactly ``keys`` (and any of ``optional``)."""
        if not isinstance(value, dict):
            raise self.fail(f"{at} is a JSON {_json_type(value)}, not an object")
        required = set(keys)
        missing = required - value.keys()
        unknown = value.keys() - required - set(optional)
        if missing or unknown:
            raise self.fail(f"{at} " + "; ".join(
                part for part in (missing and f"lacks {sorted(missing)}",
                                  unknown and f"has unknown keys {sorted(unknown)}") if part))
        return value

    def kind(self, value: object, at: str, table: Mapping[str, T]) -> tuple[str, dict[str, Any]]:
        """``value``'s "kind" (a key of ``table``) and ``value`` as an object."""
        if not isinstance(value, dict):
            raise self.fail(f"{at} is a JSON {_json_type(value)}, not an object")
        kind = value.get("kind")
        if not isinstance(kind, str) or kind not in table:
            raise self.fail(f"{at} has the kind {kind!r}, which nnfast does not know; the kinds "
                            f"are {', '.join(table)}")
        return kind, value

    def list(self, value: object, at: str) -> list[Any]:
        if not isinstance(value, list):
            raise self.fail(f"{at} is a JSON {_json_type(value)}, not a list")
        return value

    def flag(self, value: object, at: str) -> bool:
        if not isinstance(value, bool):
            raise self.fail(f"{at} is {value!r}, not true or false")
        return value

    def number(self, value: object, at: str, *, below: float | None = None,
               at_most: float | None = None) -> int | float:
        """A finite JSON number >= 0 (as every number of the nn classes' settings and state
        is), and < ``below`` or <= ``at_most`` when given."""
        if type(value) not in (int, float):  # (bool is not int here: true is no number)
            raise self.fail(f"{at} is {value!r}, not a number")
        assert isinstance(value, (int, float))
        if below is not None:
            ok, expected = 0 <= value < below, f"in [0, {below})"
        elif at_most is not None:
            ok, expected = 0 <= value <= at_most, f"in [0, {at_most}]"
        else:
            ok, expected = 0 <= value < math.inf, "finite and >= 0"
        if not ok:
            raise self.fail(f"{at} is {value!r}, not a number {expected}")
        return value

    def count(self, value: object, at: str) -> int:
        """A JSON integer >= 0 (a size or a count)."""
        if type(value) is not int or value < 0:
            raise self.fail(f"{at} is {value!r}, not an integer >= 0")
        return value

    def choice(self, value: object, at: str, options: Iterable[str]) -> str:
        options = tuple(options)
        if not isinstance(value, str) or value not in options:
            raise self.fail(f"{at} is {value!r}, not one of {', '.join(options)}")
        return value

    def array(self, name: str, shapes: Iterable[tuple[int, ...]], dtype: str | None) -> Header:
        """The header of the archive's entry ``name``, which must have one of ``shapes`` and
        ``dtype`` (any float dtype when None)."""
        if name not in self._headers or name == ARCHITECTURE:
            raise self.fail(f"the description names the array {name!r}, which the file lacks")
        shapes = tuple(shapes)
        shape, found = self._headers[name]
        if shape not in shapes:
            raise self.fail(f"the array {name!r} has the shape {shape}; the description says "
                            + " or ".join(str(s) for s in shapes))
        if dtype is not None and found.name != dtype:
            raise self.fail(f"the array {name!r} is {found}; the description says {dtype}")
        self._named.add(name)
        return shape, found

    def finish(self) -> None:
        """Refuse entries the description does not name."""
        extra = set(self._headers) - self._named - {ARCHITECTURE}
        if extra:
            raise self.fail(f"entries the description does not name: {sorted(extra)}")


_FORMAT_ADVICE = {
    "nnfast.model": " (a whole model: load it with Model.load(path))",
    "nnfast.parameters": " (parameters only: build the model in code, then call "
                         "model.load_parameters(path))",
}


def _json_type(value: object) -> str:
    names = {dict: "object", list: "list", str: "string", bool: "boolean", int: "number",
             float: "number", type(None): "null"}
    return names.get(type(value), type(value).__name__)
