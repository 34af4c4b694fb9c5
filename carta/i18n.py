"""The languages of the interface: Italian (the source) and the languages a Carta may also be
published in (``lingue`` in ``carta.yaml``).

The words of the interface are message catalogues in the repository, one gettext ``.po`` file
per language under ``carta/locale/<lang>/LC_MESSAGES/messages.po``, with the Italian text as
the message id. They are read with Babel (the library that also knows each language's plural
rules and text direction), once per process; a message without a translation is shown in
Italian.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from babel.messages.catalog import Catalog
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
def _messages(lang: str) -> dict[str, str]:
    found = catalogue(lang)
    if found is None:
        return {}
    table = {}
    for message in found:
        if message.id and isinstance(message.id, str) and message.string and not message.fuzzy:
            table[message.id] = str(message.string)
    return table


def gettext(lang: str, message: str) -> str:
    """``message`` (Italian) in ``lang``; the Italian text when it has no translation."""
    return _messages(lang).get(message, message)
