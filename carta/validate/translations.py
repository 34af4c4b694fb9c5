"""Translations: ``<slug>.<lang>.md`` beside an entry, with only the text of the entry (title,
summary, names, body) and ``traduzione``. Checked like entries (same messages, same places),
then attached to their Italian entry as :class:`~carta.site.Translation`.

Every fact that is not text (areas, contacts, sources, …) stays the Italian entry's: a
translation that writes one is told so. A translation older than its Italian entry (git
dates, or the date of the Italian text it says it follows) is a warning.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

from .. import markup
from .. import model as m
from ..i18n import LANGUAGES, SOURCE
from ..kinds import KINDS
from ..loader import RawContent, RawTranslation
from ..site import Entry, Translation
from .bodies import (
    check_h1,
    check_sections,
    split_sections,
    translated_headings,
    translated_sections,
)
from .fields import check_model
from .problems import Problems
from .suggestions import suggestion

NOT_TRANSLATABLE = "non si traduce: resta quello della scheda italiana"
STALE = "la scheda italiana è cambiata dopo la traduzione: aggiornala"


def check_translations(
    raw: RawContent,
    by_kind: dict[str, dict[str, Entry]],
    files: dict[str, set[str]],
    config: m.CartaConfig | None,
    today: date,
    file_dates: Mapping[Path, date],
    problems: Problems,
) -> None:
    """Check every translation file; attach each valid one to its Italian entry."""
    others = [code for code in LANGUAGES if code != SOURCE]
    for src in raw.translations:
        kind = KINDS[src.kind]
        if src.lang not in LANGUAGES:
            problems.add(
                src.path,
                (),
                f"lingua {src.lang!r} sconosciuta nel nome del file: le lingue possibili sono "
                f"{', '.join(others)}{suggestion(src.lang, others)}",
            )
        elif config is not None and src.lang not in config.lingue:
            now = ", ".join(config.lingue) if config.lingue else "nessuna"
            problems.add(
                src.path,
                (),
                f"la lingua {src.lang!r} non è tra le lingue della Carta: aggiungila a 'lingue' "
                f"in carta.yaml (ora: {now})",
            )
        if src.slug not in files[src.kind]:
            problems.add(
                src.path,
                (),
                f"traduzione senza scheda italiana: manca {kind.folder}/{src.slug}.md (una "
                "traduzione ha lo stesso nome della scheda che traduce)"
                f"{suggestion(src.slug, files[src.kind])}",
            )
        italian_date = file_dates.get(
            (raw.root.resolve() / kind.folder / f"{src.slug}.md").resolve()
        )
        # the Italian text can be dated up to the last change of its file, even when the
        # check is run as of an earlier day (--today)
        latest = max(today, italian_date) if italian_date else today
        translation = _check_one(src, latest, problems)
        italian = by_kind[src.kind].get(src.slug)
        if translation is None or italian is None:
            continue
        if italian.summary and not translation.summary:
            problems.add(
                src,
                ("sommario",),
                "chiave obbligatoria mancante: la scheda italiana ha un sommario, traducilo",
                at=(1, 1),
            )
        _check_stale(src, translation, raw.root, file_dates, problems)
        italian.translations.setdefault(src.lang, translation)
    for entries in by_kind.values():
        for entry in entries.values():
            if len(entry.translations) > 1:
                entry.translations = dict(sorted(entry.translations.items()))


def _check_one(src: RawTranslation, latest: date, problems: Problems) -> Translation | None:
    """The translation of ``src``, or ``None``; ``latest`` is the last day the Italian text it
    follows can be dated (the check's day, or the last change of the Italian file)."""
    """The fields and the body of one translation file; ``None`` when its fields are wrong."""
    kind = KINDS[src.kind]
    model = kind.translation_model
    assert model is not None, f"{kind.name} has no translation model"
    data: Any = src.data
    if isinstance(data, dict):
        fixed = {k for k in data if k not in model.model_fields and k in kind.model.model_fields}
        for key in sorted(fixed, key=list(data).index):
            problems.add(src, (key,), NOT_TRANSLATABLE, key=True)
        data = {k: v for k, v in data.items() if k not in fixed}
    meta = check_model(model, data, src, problems)
    for offset, message in markup.check(src.body):
        problems.add(src, (), message, at=(src.body_line + offset, 1))
    for offset, line in enumerate(src.body.split("\n")):
        if m.PLACEHOLDER in line:
            column = line.index(m.PLACEHOLDER) + 1
            problems.add(src, (), m.PLACEHOLDER_MESSAGE, at=(src.body_line + offset, column))
    intro, sections, h1 = split_sections(src.body, src.body_line)
    check_h1(src, h1, problems)
    headings = translated_headings(src.lang)
    if src.kind == "servizio":
        check_sections(sections, src, headings, problems, lang=src.lang)
    if meta is None:
        return None
    followed = meta.traduzione.testo_italiano_del
    if followed > latest:
        problems.add(
            src,
            ("traduzione", "testo_italiano_del"),
            f"la data {followed.isoformat()} è nel futuro: indica la data del testo italiano "
            "tradotto",
            severity="warning",  # a copy outside git, checked as of an earlier day, may say so
        )
    return Translation(
        kind=src.kind,
        slug=src.slug,
        lang=src.lang,
        path=src.path,
        meta=meta,
        body=src.body,
        body_line=src.body_line,
        intro=intro,
        sections=translated_sections(src.kind, src.lang, sections, headings),
    )


def _check_stale(
    src: RawTranslation,
    translation: Translation,
    root: Path,
    file_dates: Mapping[Path, date],
    problems: Problems,
) -> None:
    """Warn when the Italian file changed (git date) after the translation's file or after
    the date of the Italian text the translation says it follows."""
    parent = root.resolve().parent
    italian_path = f"{KINDS[src.kind].folder}/{src.slug}.md"
    italian_date = file_dates.get((root.resolve() / italian_path).resolve())
    if italian_date is None:  # not committed yet: no date to compare
        return
    own_date = file_dates.get((parent / src.path).resolve())
    followed = translation.testo_italiano_del
    if own_date is not None and italian_date > own_date:
        why = f"la traduzione è del {own_date.isoformat()}"
    elif italian_date > followed:
        why = f"la traduzione segue il testo del {followed.isoformat()}"
    else:
        return
    problems.add(
        src,
        ("traduzione", "testo_italiano_del"),
        f"{STALE} ({italian_path} è cambiata il {italian_date.isoformat()}, {why}); poi "
        "scrivi in testo_italiano_del la data del testo italiano tradotto",
        severity="warning",
    )
