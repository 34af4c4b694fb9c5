"""Near misses: what the editor probably meant."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from ..site import fold


def suggestion(value: object, candidates: Iterable[str]) -> str:
    """`` (forse 'anziani'?)`` for the closest candidate, or ``""``."""
    if not isinstance(value, str):
        return ""
    pool = list(candidates)
    by_fold = {fold(c): c for c in pool}
    close = difflib.get_close_matches(fold(value), list(by_fold), n=1, cutoff=0.6)
    return f" (forse {by_fold[close[0]]!r}?)" if close else ""
