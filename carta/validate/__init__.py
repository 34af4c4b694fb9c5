"""Stage 2: raw entries → a validated :class:`~carta.site.Site`, or every problem at once.

Each check appends to one list; nothing short-circuits, so an editor sees all mistakes in a
single run. Messages are Italian and say what arrived, what was expected and, for near
misses, what was probably meant.

The checks live by job in :mod:`.fields` (models and data files), :mod:`.bodies` (sections),
:mod:`.references` (across files), :mod:`.dates` (dates and other warnings) and
:mod:`.suggestions` (near misses)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path

from ..errors import ContentError
from ..gitdates import git_dates
from ..kinds import KINDS
from ..loader import RawContent, RawEntry
from ..site import Entry, Site
from .bodies import check_body, split_sections
from .dates import check_dates, check_publisher
from .fields import (
    DATA_MODELS,
    OPTIONAL_DATA,
    check_data_files,
    check_entries,
    check_model,
    check_unique_slugs,
    partial,
    translate,
)
from .problems import Problems, Where, field_name
from .references import check_citations, check_references
from .suggestions import suggestion
from .translations import check_translations

__all__ = [
    "DATA_MODELS",
    "OPTIONAL_DATA",
    "Problems",
    "Where",
    "check_body",
    "check_model",
    "field_name",
    "partial",
    "split_sections",
    "suggestion",
    "translate",
    "validate",
]


def validate(
    raw: RawContent, today: date, *, file_dates: Mapping[Path, date] | None = None
) -> tuple[Site | None, list[ContentError]]:
    """Check everything; return the site (``None`` when there are errors) and all problems.

    ``file_dates`` (absolute path → date of its last commit, :func:`carta.gitdates.git_dates`)
    tell whether an Italian entry changed after its translations; read from git when not
    given and there are translations."""
    problems = Problems()
    problems.items.extend(raw.problems)

    data = check_data_files(raw, problems)
    entries = check_entries(raw, problems)
    check_unique_slugs(raw.entries, problems)

    by_kind: dict[str, dict[str, Entry]] = {kind: {} for kind in KINDS}
    sources: dict[int, RawEntry] = {}
    for entry, src in entries:
        by_kind[entry.kind].setdefault(entry.slug, entry)
        sources[id(entry)] = src
    # references are checked against the files that exist, valid or not, so that one broken
    # ente does not turn every service that names it into an error as well
    files: dict[str, set[str]] = {kind: set() for kind in KINDS}
    for src in raw.entries:
        files[src.kind].add(src.slug)
    for kind, slug in raw.unreadable:
        files[kind].add(slug)

    check_references(by_kind, files, sources, data, raw, problems)
    check_dates(entries, data.get("carta.yaml"), today, problems)
    check_citations(entries, data.get("fonti.yaml"), "fonti.yaml" in raw.data, problems)
    check_publisher(data.get("carta.yaml"), raw.data.get("carta.yaml"), problems)
    if raw.translations:
        if file_dates is None:
            file_dates = git_dates(raw.root)
        config = data.get("carta.yaml")
        check_translations(raw, by_kind, files, config, today, file_dates, problems)

    problems.items.sort()
    has_errors = any(p.severity == "error" for p in problems.items)
    if has_errors or any(v is None for v in data.values()):
        return None, problems.items
    site = Site(
        config=data["carta.yaml"],
        aree=data["aree.yaml"],
        destinatari=data["destinatari.yaml"],
        territorio=data["territorio.yaml"],
        sinonimi=data["sinonimi.yaml"],
        fonti=data["fonti.yaml"],
        built_on=today,
        root=raw.root,
        entries={kind: dict(sorted(found.items())) for kind, found in by_kind.items()},
    )
    return site, problems.items
