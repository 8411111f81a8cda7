"""Memoise expensive, deterministic computations (backtests, scored forecasts) between report runs.

A result is stored under ``<output>/.cache/memo/`` keyed by a SHA-256 of the
function, its arguments (a :class:`~analysis.data.dataset.Dataset` by the content of
its tables and case) and the package's source code, so any change to the data or
the code makes a new key. Files are written atomically; a cache folder can be
deleted at any time.
"""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Callable
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import paths
from .io import atomic_path

_CODE_SUFFIXES = (".py", ".lua", ".typ", ".yaml")


def code_digest() -> str:
    """SHA-256 of the package's source files (code, templates, data)."""
    h = hashlib.sha256()
    package = paths.PACKAGE
    for f in sorted(package.rglob("*")):
        if f.suffix in _CODE_SUFFIXES and "__pycache__" not in f.parts:
            h.update(f.relative_to(package).as_posix().encode() + b"\0" + f.read_bytes())
    return h.hexdigest()


def _feed(h, value: Any) -> None:
    if isinstance(value, pd.DataFrame):
        h.update(repr((list(value.columns), [str(t) for t in value.dtypes])).encode())
        h.update(pd.util.hash_pandas_object(value, index=True).to_numpy().tobytes())
    elif isinstance(value, pd.Series | pd.Index):
        h.update(repr((type(value).__name__, value.name, str(value.dtype))).encode())
        h.update(pd.util.hash_pandas_object(value).to_numpy().tobytes())
    elif isinstance(value, np.ndarray):  # by content: repr elides the middle of large arrays
        h.update(repr((value.dtype.str, value.shape)).encode())
        h.update(np.ascontiguousarray(value).tobytes())
    elif is_dataclass(value) and not isinstance(value, type):
        h.update(type(value).__qualname__.encode())
        for f in fields(value):
            h.update(f.name.encode())
            _feed(h, getattr(value, f.name))
    elif isinstance(value, dict):
        for k in sorted(value, key=repr):
            _feed(h, k)
            _feed(h, value[k])
    elif isinstance(value, list | tuple):
        h.update(b"[")
        for v in value:
            _feed(h, v)
        h.update(b"]")
    else:
        text = repr(value)
        if " at 0x" in text:  # an identity, not a content: the key would never match again
            raise TypeError(f"memo cannot key an argument of type {type(value).__qualname__} by its content: {text[:80]}")
        h.update(text.encode())


def key(fn: Callable, *args, **kwargs) -> str:
    h = hashlib.sha256()
    h.update(f"{fn.__module__}.{fn.__qualname__}".encode())
    _feed(h, args)
    _feed(h, kwargs)
    h.update(code_digest().encode())
    return h.hexdigest()


def cached(fn: Callable, *args, cache_dir: Path | None = None, **kwargs):
    """``fn(*args, **kwargs)``, reused from disk when the function, arguments and code are unchanged."""
    folder = Path(cache_dir or paths.output_dir() / ".cache" / "memo")
    path = folder / f"{fn.__module__}.{fn.__qualname__}-{key(fn, *args, **kwargs)[:32]}.pkl"
    if path.is_file():
        with path.open("rb") as f:
            return pickle.load(f)
    result = fn(*args, **kwargs)
    folder.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp, Path(tmp).open("wb") as f:
        pickle.dump(result, f, protocol=pickle.HIGHEST_PROTOCOL)
    return result
