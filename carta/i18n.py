"""The languages of the interface: Italian (the source) and the languages a Carta may also be
published in (``lingue`` in ``carta.yaml``).

The words of the interface are message catalogues in the repository, one gettext ``.po`` file
per language under ``carta/locale/<lang>/LC_MESSAGES/messages.po``, with the Italian text as
the message id. They are read with Babel (the library that also knows each language's plural
rules and text direction), once per process; a message without a translation is shown in
Italian.
"""

from __future__ import annotations

import gettext as _gettext
from dataclasses import dataclass
from datetime import date
from functools import cache
from io import BytesIO
from pathlib import Path

from babel.dates import format_date, format_skeleton
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

SOURCE = "it"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "messages"


@dataclass(frozen=True)
class Language:
    code: str
    #: its name in the language itself (for the language switch)
    name: str
    #: ``ltr`` or ``rtl``
    direction: str = "ltr"


#: every language of the interface, Italian first
LANGUAGES: dict[str, Language] = {
    "it": Language("it", "Italiano"),
    "en": Language("en", "English"),
    "fr": Language("fr", "Français"),
    "ar": Language("ar", "العربية", "rtl"),
}


def catalogue_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def catalogue(lang: str) -> Catalog | None:
    """The message catalogue of ``lang``; ``None`` for Italian (the source) and for a language
    with no catalogue."""
    if lang == SOURCE:
        return None
    path = catalogue_path(lang)
    if not path.is_file():
        return None
    with path.open("rb") as f:
        return read_po(f, locale=lang, domain=DOMAIN)


@cache
def translations(lang: str) -> _gettext.NullTranslations:
    """The catalogue of ``lang`` compiled in memory (fuzzy messages left out), with the plural
    rule of its header; for Italian, the messages as they are."""
    found = catalogue(lang)
    if found is None:
        return _gettext.NullTranslations()
    buffer = BytesIO()
    write_mo(buffer, found, use_fuzzy=False)
    buffer.seek(0)
    return _gettext.GNUTranslations(buffer)


def gettext(lang: str, message: str) -> str:
    """``message`` (Italian) in ``lang``; the Italian text when it has no translation."""
    return translations(lang).gettext(message)


def ngettext(lang: str, singular: str, plural: str, n: int) -> str:
    """``singular`` or ``plural`` (Italian) in ``lang`` for the number ``n``, by the plural
    rule of ``lang`` (Arabic has six forms); Italian: ``singular`` when ``n`` is 1."""
    return translations(lang).ngettext(singular, plural, n)


@cache
def date_words(value: date | str, lang: str) -> str:
    """A date (``date``, or ``2015`` / ``2015-03`` / ``2015-03-01`` as written) in words in
    ``lang``, by Babel's data for that language: ``23 November 2026``, ``mars 2015``. Italian
    is :func:`carta.sources.date_words`."""
    from .model import PartialDate

    if isinstance(value, str):
        written = PartialDate.parse(value)
        if written.month is None:
            return str(written.year)
        if written.day is None:
            return str(format_skeleton("yMMMM", written.first(), locale=lang))
        value = written.first()
    return str(format_date(value, "long", locale=lang))
