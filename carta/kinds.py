"""The registry of entry kinds: the one place that says what a servizio, an ente, an
iniziativa and a pagina are called, where their files and pages live, which template and model
they use, and how search and open data name them.

Every other table is derived from :data:`KINDS`. Adding a kind (say ``evento``) means adding a
:class:`Kind` here, its model in :mod:`carta.model` and its template.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import model as m


@dataclass(frozen=True)
class Kind:
    #: the kind's name, as in ``Entry.kind`` and the search ``tipo``
    name: str
    #: the content folder, the URL folder and the :class:`~carta.site.Site` attribute
    folder: str
    #: Italian nouns, lower case: «servizio», «servizi»
    singular: str
    plural: str
    #: with the indefinite article, for messages: «un servizio», «un'iniziativa»
    with_article: str
    #: the page template of one entry
    template: str
    #: the pydantic model of its front matter
    model: type[m.Strict]
    #: position of its ``tipo`` among the search filter values and of its documents in the index
    search_position: int
    #: the open-data dataset its records go to (``/dati/<name>.json``), if any
    opendata: str | None
    #: the page type of its index page for ``carta budget``, if it has one
    index_page: str | None
    #: who checks an entry of this kind, as in «Nessuno ha ancora verificato queste informazioni …»
    verifier: str | None
    #: the front-matter key of its title
    title_field: str = "titolo"
    #: the pydantic model of a translation's front matter (``<slug>.<lingua>.md``): the
    #: translatable keys of :attr:`model` and ``traduzione``
    translation_model: type[m.Strict] | None = None

    @property
    def label(self) -> str:
        """The singular with a capital, as on a card: «Servizio»."""
        return self.singular[:1].upper() + self.singular[1:]

    @property
    def plural_label(self) -> str:
        """The plural with a capital, as in the search filter: «Servizi»."""
        return self.plural[:1].upper() + self.plural[1:]

    @property
    def url_prefix(self) -> str:
        """The site-relative URL folder: ``/servizi/``."""
        return f"/{self.folder}/"

    def url(self, slug: str) -> str:
        return f"{self.url_prefix}{slug}/"


KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind(
            name="servizio",
            folder="servizi",
            singular="servizio",
            plural="servizi",
            with_article="un servizio",
            template="servizio.html",
            model=m.Servizio,
            search_position=0,
            opendata="servizi",
            index_page="A–Z",
            verifier="con chi gestisce il servizio",
            translation_model=m.ServizioTradotto,
        ),
        Kind(
            name="ente",
            folder="enti",
            singular="ente",
            plural="enti",
            with_article="un ente",
            template="ente.html",
            model=m.Ente,
            search_position=2,
            opendata="enti",
            index_page="elenco enti",
            verifier="con l'ente",
            title_field="nome",
            translation_model=m.EnteTradotto,
        ),
        Kind(
            name="iniziativa",
            folder="iniziative",
            singular="iniziativa",
            plural="iniziative",
            with_article="un'iniziativa",
            template="iniziativa.html",
            model=m.Iniziativa,
            search_position=1,
            opendata="iniziative",
            index_page="elenco iniziative",
            verifier="con chi la promuove",
            translation_model=m.IniziativaTradotta,
        ),
        Kind(
            name="pagina",
            folder="pagine",
            singular="pagina",
            plural="pagine",
            with_article="una pagina",
            template="pagina.html",
            model=m.Pagina,
            search_position=3,
            opendata=None,
            index_page=None,
            verifier=None,
            translation_model=m.PaginaTradotta,
        ),
    )
}


def by_folder() -> dict[str, Kind]:
    """Folder → kind (``servizi`` → servizio)."""
    return {k.folder: k for k in KINDS.values()}


def search_tipi() -> list[Kind]:
    """The kinds in the order the search filter offers them."""
    return sorted(KINDS.values(), key=lambda k: k.search_position)


def with_opendata() -> list[Kind]:
    """The kinds that have an open-data dataset."""
    return [k for k in KINDS.values() if k.opendata]
