"""One error type for bad input, always naming where the problem is."""

from __future__ import annotations

from pathlib import Path


class InputError(ValueError):
    """Bad input: names the file, row or line, and field, then says what is wrong.

    >>> str(InputError("quote not found", file="claims/a.yaml", line=12, field="quote"))
    'claims/a.yaml, line 12, field quote: quote not found'
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        line: int | None = None,
        row: str | int | None = None,
        field: str | None = None,
    ) -> None:
        self.message = message
        self.file = str(file) if file is not None else None
        self.line = line
        self.row = row
        self.field = field
        super().__init__(self._render())

    def _render(self) -> str:
        where = []
        if self.file:
            where.append(self.file)
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.field:
            where.append(f"field {self.field}")
        return (", ".join(where) + ": " if where else "") + self.message


class ParameterError(InputError):
    """A notebook, CLI or scenario parameter is unknown, mistyped or out of range."""

    def __init__(self, message: str, *, parameter: str, file: str | Path | None = None) -> None:
        self.parameter = parameter
        super().__init__(f"parameter {parameter!r}: {message}", file=file)
