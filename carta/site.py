"""The validated, resolved site: what the renderer and the search index read.

Built by :mod:`carta.validate` (entries, taxonomies) and completed by :mod:`carta.resolve`
(back-references). Plain data: no I/O, no global state.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from .kinds import KINDS
from .model import CartaConfig, Documento, Territorio, Voce
from .urls import Urls


@dataclass(frozen=True)
class Section:
    """One ``##`` section of a body."""

    heading: str
    anchor: str
    markdown: str
    line: int


@dataclass(eq=False)
class Entry:
    kind: str
    slug: str
    path: str
    meta: Any  # the pydantic model of its kind
    body: str
    body_line: int
    intro: str = ""
    sections: list[Section] = field(default_factory=list)
    # filled by resolve
    links: dict[str, list[Entry]] = field(default_factory=dict)
    #: its translations (``<slug>.<lang>.md`` beside its file): language code → translation
    translations: dict[str, Translation] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return KINDS[self.kind].url(self.slug)

    @property
    def title(self) -> str:
        title: str = getattr(self.meta, KINDS[self.kind].title_field)
        return title

    @property
    def summary(self) -> str:
        return self.meta.sommario or ""

    @property
    def verified(self) -> date | None:
        """When a person checked the entry with its provider; ``None`` when nobody has."""
        return self.meta.verificato_il

    def sort_key(self) -> tuple[str, str]:
        return (fold(self.title), self.slug)


@dataclass(eq=False)
class Translation:
    """A translation of an entry into ``lang``: its own title, summary, names and body; every
    other fact (areas, contacts, sources, …) is the Italian entry's.

    ``sections`` have the anchors of the Italian sections; the heading of a standard section
    of a servizio is the catalogue's heading in ``lang`` (``carta.i18n.gettext``), whichever
    of the two the file was written with."""

    kind: str
    slug: str
    lang: str
    path: str
    meta: Any  # the pydantic model of its kind's translation (carta.kinds.Kind.translation_model)
    body: str
    body_line: int
    intro: str = ""
    sections: list[Section] = field(default_factory=list)

    @property
    def url(self) -> str:
        """Its page: ``/en/servizi/<slug>/``."""
        return f"/{self.lang}{KINDS[self.kind].url(self.slug)}"

    @property
    def title(self) -> str:
        title: str = getattr(self.meta, KINDS[self.kind].title_field)
        return title

    @property
    def summary(self) -> str:
        return self.meta.sommario or ""

    @property
    def testo_italiano_del(self) -> date:
        """The date of the Italian text it follows."""
        when: date = self.meta.traduzione.testo_italiano_del
        return when

    @property
    def revisione(self) -> str:
        """``in-attesa`` (awaiting review by a cultural mediator) or ``rivista``."""
        state: str = self.meta.traduzione.revisione
        return state


@dataclass
class Site:
    config: CartaConfig
    aree: dict[str, Voce]
    destinatari: dict[str, Voce]
    territorio: Territorio
    sinonimi: dict[str, list[str]]
    # kind → slug → entry, for every kind of the registry (carta.kinds), sorted by slug
    entries: dict[str, dict[str, Entry]]
    # fonti.yaml: source id → source
    fonti: dict[str, Documento] = field(default_factory=dict)
    # the build date: the day the notices and ages are computed for (an explicit input,
    # never the clock: see pipeline.default_today)
    built_on: date = field(kw_only=True)
    # the content folder it was loaded from (for the git dates of its files), when known
    root: Path | None = None
    # filled by resolve: comune id → sub-ambito id
    sub_ambito_of: dict[str, str] = field(default_factory=dict)
    # filled by resolve: index name → id → entries
    by_area: dict[str, list[Entry]] = field(default_factory=dict)
    by_destinatari: dict[str, list[Entry]] = field(default_factory=dict)
    by_comune: dict[str, list[Entry]] = field(default_factory=dict)

    def all_entries(self) -> list[Entry]:
        return [e for kind in KINDS.values() for e in self.entries_of(kind.name).values()]

    @property
    def urls(self) -> Urls:
        """Links and full addresses of this Carta (``url_base``): see :mod:`carta.urls`."""
        return Urls.of(self.config.url_base)

    def entries_of(self, kind: str) -> dict[str, Entry]:
        """The entries of ``kind`` by slug."""
        return self.entries.get(kind, {})

    # the four kinds by their folder's name, as the renderer and the templates read them
    @property
    def servizi(self) -> dict[str, Entry]:
        return self.entries_of("servizio")

    @property
    def enti(self) -> dict[str, Entry]:
        return self.entries_of("ente")

    @property
    def iniziative(self) -> dict[str, Entry]:
        return self.entries_of("iniziativa")

    @property
    def pagine(self) -> dict[str, Entry]:
        return self.entries_of("pagina")

    def place_name(self, place_id: str) -> str:
        if place_id == "ambito":
            return self.territorio.ambito.nome
        if place_id in self.territorio.comuni:
            return self.territorio.comuni[place_id].nome
        return self.territorio.sub_ambiti[place_id].nome


@lru_cache(maxsize=1 << 16)
def fold(text: str) -> str:
    """Lowercase and strip accents, for sorting and comparing Italian words: the one fold of
    the build (the search package keeps its own, which must match Whoosh and ``cerca.js``).
    Cached: sorting asks for the same titles many times."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def slugify(text: str, separator: str = "-") -> str:
    """``Città & Comuni`` → ``citta-comuni``: folded, with runs of anything but ``a-z0-9``
    turned into one ``separator``; empty when nothing is left."""
    return re.sub(r"[^a-z0-9]+", separator, fold(text)).strip(separator)
