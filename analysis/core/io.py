"""I/O at the edges: YAML with line numbers, atomic writes, checksums."""

from __future__ import annotations

import contextlib
import glob
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml

from .errors import InputError


class LineDict(dict):
    """A mapping read from YAML that remembers the line it started on (1-based)."""

    line: int = 0


class _LineLoader(yaml.SafeLoader):
    pass


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    mapping = LineDict()
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if isinstance(key, list | dict):  # unhashable: YAML allows it, a mapping of names cannot hold it
            kind = "list" if isinstance(key, list) else "mapping"
            raise InputError(f"a key must be a name, not a {kind} (column {key_node.start_mark.column + 1})",
                             line=key_node.start_mark.line + 1)
        if key in mapping:
            raise InputError(
                f"duplicate key {key!r} in one mapping",
                line=key_node.start_mark.line + 1,
                field=str(key),
            )
        mapping[key] = loader.construct_object(value_node, deep=True)
    mapping.line = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
# Dates stay strings: the claim parser resolves them itself, with its own errors.
_LineLoader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def read_text(path: Path) -> str:
    """A text file read as UTF-8; a missing file or bytes that are not UTF-8 raise InputError.

    The error names the file and the line and column of the first bad byte.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise InputError("file not found", file=path) from exc
    except IsADirectoryError as exc:
        raise InputError("is a folder, not a file", file=path) from exc
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise InputError(
            f"not UTF-8 text: byte 0x{data[exc.start]:02x} at column {column} ({exc.reason}); save the file as UTF-8",
            file=path, line=line,
        ) from None


def load_yaml(text: str, file: str | Path | None = None) -> Any:
    """Parse YAML text; mappings become :class:`LineDict`, dates stay strings.

    Malformed YAML, unhashable keys and duplicate keys raise InputError naming ``file`` and the line.
    """
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - SafeLoader subclass
    except InputError as exc:
        raise InputError(exc.message, file=file, line=exc.line, field=exc.field) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc).strip().splitlines()[0]
        raise InputError(f"malformed YAML: {problem}", file=file, line=line) from None
    except (TypeError, ValueError, OverflowError, RecursionError) as exc:  # a value no safe constructor takes
        raise InputError(f"malformed YAML: {exc}", file=file) from None


def check_keys(
    entry: Mapping,
    allowed: Iterable[str],
    *,
    file: str | Path | None = None,
    line: int | None = None,
    prefix: str = "",
    error: Callable[[str, str], Exception] | None = None,
) -> None:
    """Raise for the keys of ``entry`` outside ``allowed``, in one message style.

    Parameters
    ----------
    entry : Mapping
        A mapping read from a YAML file.
    allowed : iterable of str
        The keys it may hold.
    file, line, prefix
        Where the InputError points: the file, the line and ``prefix + key`` as the field.
    error : callable, optional
        ``error(message, key)`` builds the exception instead (a caller's own context).

    Examples
    --------
    >>> check_keys({"id": 1}, {"id", "name"})
    >>> check_keys({"id": 1, "colour": 2}, {"id", "name"})
    Traceback (most recent call last):
    ...
    analysis.core.errors.InputError: field colour: unknown keys ['colour']; expected one of ['id', 'name']
    """
    allowed = set(allowed)
    unknown = sorted(set(entry) - allowed)
    if not unknown:
        return
    message = f"unknown keys {unknown}; expected one of {sorted(allowed)}"
    if error is not None:
        raise error(message, unknown[0])
    raise InputError(message, file=file, line=line, field=prefix + unknown[0])


def read_yaml(path: Path) -> Any:
    """Read YAML; mappings become :class:`LineDict`. Malformed files raise InputError."""
    return load_yaml(read_text(path), file=path)


def parse_yaml_value(text: str, name: str | None = None) -> Any:
    """Parse one value as YAML (numbers, lists, booleans); dates stay strings.

    Text that is not valid YAML raises InputError naming ``name`` (a parameter or option).
    """
    try:
        return load_yaml(text)
    except InputError as exc:
        where = f"parameter {name!r}: " if name else ""
        raise InputError(f"{where}value {text!r} is not valid YAML ({exc.message}); quote it to pass it as text") from None


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def published_mode(folder: bool = False) -> int:
    """The mode a plain ``open``/``mkdir`` would give under the current umask (0644 and 0755 under 022).

    ``mkstemp``/``mkdtemp`` create 0600/0700 files for privacy; published outputs are for others too.
    """
    return (0o777 if folder else 0o666) & ~_umask()


def pid_alive(pid: int) -> bool:
    """Whether a process with this pid exists (one we may not signal counts as alive)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_staging(target: Path) -> list[Path]:
    """Remove the staging files and folders of ``target`` left by runs that were killed.

    Staging names carry the writer's pid (``.NAME.PID.*``); one whose process is gone is stale.
    """
    target = Path(target)
    removed = []
    for p in target.parent.glob(f".{glob.escape(target.name)}.*"):
        parts = p.name[len(target.name) + 2:].split(".", 1)
        if parts and parts[0].isdigit() and int(parts[0]) != os.getpid() and not pid_alive(int(parts[0])):
            if p.is_dir():
                shutil.rmtree(p, ignore_errors=True)
            else:
                with contextlib.suppress(FileNotFoundError):
                    p.unlink()
            removed.append(p)
    return removed


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; move it into place only on success."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_staging(target)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.{os.getpid()}.", suffix=".tmp", dir=target.parent)
    os.fchmod(fd, published_mode())
    os.close(fd)
    try:
        yield Path(tmp)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_text(target: Path, text: str) -> None:
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_json(target: Path, data: Any) -> None:
    write_text(target, json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False) + "\n")


@contextlib.contextmanager
def atomic_dir(target: Path) -> Iterator[Path]:
    """Yield a fresh staging folder; on success it replaces ``target`` whole.

    A failure leaves the previous ``target`` untouched.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_staging(target)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.{os.getpid()}.", dir=target.parent))
    staging.chmod(published_mode(folder=True))
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    old = target.with_name(f".{target.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        os.replace(target, old)
    os.replace(staging, target)
    shutil.rmtree(old, ignore_errors=True)
