"""Where a problem is and the list every check adds to."""

from __future__ import annotations

from collections.abc import Iterable

from ..errors import ContentError, Severity
from ..loader import RawData, RawEntry

Where = RawEntry | RawData


class Problems:
    """Collects problems for one run."""

    def __init__(self) -> None:
        self.items: list[ContentError] = []

    def add(
        self,
        src: Where | str,
        path: tuple[str | int, ...],
        message: str,
        *,
        key: bool = False,
        severity: Severity = "error",
        at: tuple[int, int] | None = None,
    ) -> None:
        if isinstance(src, str):
            shown, (line, col) = src, at or (0, 0)
        else:
            shown = src.path
            line, col = at or src.where(path, key=key)
        self.items.append(ContentError(shown, line, col, field_name(path), message, severity))


def field_name(path: Iterable[str | int]) -> str:
    return ".".join(str(p) for p in path if not isinstance(p, int))
