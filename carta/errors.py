"""Typed errors raised by the core. Only :mod:`carta.cli` turns them into words and exit codes."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class ContentError:
    """One problem in the content, pointing at the spot: ``path:line:column: field: message``.

    ``line`` and ``column`` are 1-based; 0 means "the whole file". ``message`` is Italian,
    for editors.
    """

    path: str
    line: int
    column: int
    field: str
    message: str
    severity: Severity = "error"

    def __str__(self) -> str:
        where = self.path
        if self.line:
            where += f":{self.line}:{self.column or 1}"
        prefix = f"{self.field}: " if self.field else ""
        tag = "" if self.severity == "error" else "avviso: "
        return f"{where}: {tag}{prefix}{self.message}"

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


class CartaError(Exception):
    """Base class of every error the core raises on purpose."""


class UsageError(CartaError):
    """The command was asked for something impossible (missing folder, bad option)."""


class ContentErrors(CartaError):
    """The content has problems. ``problems`` holds all of them, errors and warnings."""

    def __init__(self, problems: list[ContentError]):
        self.problems = sorted(problems)
        n = len(self.errors)
        super().__init__(f"{n} content error(s)")

    @property
    def errors(self) -> list[ContentError]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[ContentError]:
        return [p for p in self.problems if p.severity == "warning"]
