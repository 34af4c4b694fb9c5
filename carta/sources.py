"""Where an entry's information comes from and how old it is.

Three dates, never confused:

- the **source date**: when the document an entry cites was issued (``fonti.yaml``,
  ``data``) — how old the information is;
- the **verification date**: ``verificato_il`` with ``verificato_da``, set only when a person
  checked the entry with its provider;
- the **change date**: when the entry's file last changed (git; see :mod:`carta.gitdates`).

This module is the one place that turns them, and the build date, into what pages, the
foglio, listings, JSON-LD, the report and the open data say. Its wording depends only on the
content and on the build date (an explicit input), so builds stay reproducible.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from . import i18n
from . import model as m
from .site import Entry, Site

MONTHS = [
    "gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno",
    "luglio", "agosto", "settembre", "ottobre", "novembre", "dicembre",
]  # fmt: skip

#: what the page says for a service whose sources name no provider
NO_PROVIDER = "Gestore non indicato nella fonte"


#: the sentences below, as message ids of the catalogues (carta.i18n)
MESSAGES = [
    NO_PROVIDER,
    "Informazioni tratte da: {documenti} e un altro documento.",
    "Informazioni tratte da: {documenti} e altri {n} documenti.",
    "Informazioni tratte da: {documenti}.",
    "{stato} (verificato il {data})",
    "{stato} (stato non verificato)",
    "{stato} nel {anno} secondo il documento «{documento}»",
    "Informazioni verificate il {data}, più di {mesi} mesi fa: potrebbero essere cambiate.",
    "Informazioni del {anno}, mai verificate da allora: potrebbero essere cambiate.",
]


def partial_date_end(value: str) -> date:
    """Last day covered by ``2017``, ``2017-06`` or ``2017-06-30``."""
    return m.PartialDate.parse(value).last()


def months_before(day: date, months: int) -> date:
    """The same day ``months`` months earlier (the last day of a shorter month)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def date_words(value: date | str) -> str:
    """``2026-11-23`` → ``23 novembre 2026``; ``2015`` → ``2015``; ``2015-03`` → ``marzo 2015``."""
    if isinstance(value, str):
        written = m.PartialDate.parse(value)
        if written.month is None:
            return str(written.year)
        if written.day is None:
            return f"{MONTHS[written.month - 1]} {written.year}"
        value = written.first()
    day = "1º" if value.day == 1 else str(value.day)
    return f"{day} {MONTHS[value.month - 1]} {value.year}"


def words_of_date(value: date | str, lang: str = i18n.SOURCE) -> str:
    """:func:`date_words` in ``lang`` (Babel's month names outside Italian)."""
    return date_words(value) if lang == i18n.SOURCE else i18n.date_words(value, lang)


def number_words(value: float) -> str:
    """``12500.5`` → ``12.500,50``: Italian separators, whole amounts without decimals."""
    whole = float(value).is_integer()
    text = f"{value:,.0f}" if whole else f"{value:,.2f}"
    return text.replace(",", "X").replace(".", ",").replace("X", ".")


def euro(value: float) -> str:
    """``12500.5`` → ``12.500,50 €``."""
    return number_words(value) + " €"


@dataclass(frozen=True)
class Cited:
    """A source as an entry cites it: the document and the parts of it the entry uses."""

    id: str
    doc: m.Documento
    sections: tuple[str, ...]

    @property
    def issued(self) -> date:
        """The last day the document's date can mean (``2015`` → 31 December 2015)."""
        return partial_date_end(self.doc.data)

    @property
    def year(self) -> str:
        return str(m.PartialDate.parse(self.doc.data).year)

    @property
    def name(self) -> str:
        """The name to use in running text: the short one when ``fonti.yaml`` gives it."""
        return self.doc.breve or self.doc.titolo

    @property
    def label(self) -> str:
        """``Piano di Zona 2015-2017 (Ambito Distrettuale di Crema, 2015)``."""
        return f"{self.doc.titolo} ({self.doc.emittente}, {date_words(self.doc.data)})"

    @property
    def short_label(self) -> str:
        """The label near the top of a page: the short name and the year when there is a short
        name (it says who issued it), else the full label."""
        return self.short_label_in(i18n.SOURCE)

    def short_label_in(self, lang: str) -> str:
        """:attr:`short_label` with the date in words in ``lang``."""
        if self.doc.breve:
            return f"{self.doc.breve} ({self.year})"
        return f"{self.doc.titolo} ({self.doc.emittente}, {words_of_date(self.doc.data, lang)})"


def cited(site: Site, entry: Entry) -> list[Cited]:
    """The sources ``entry`` cites, each once, in the order of their first citation."""
    order: list[str] = []
    sections: dict[str, list[str]] = {}
    for citation in entry.meta.fonti:
        if citation.fonte not in site.fonti:
            continue  # validation has already reported it
        if citation.fonte not in sections:
            order.append(citation.fonte)
            sections[citation.fonte] = []
        if citation.sezione and citation.sezione not in sections[citation.fonte]:
            sections[citation.fonte].append(citation.sezione)
    return [Cited(i, site.fonti[i], tuple(sections[i])) for i in order]


def newest(site: Site, entry: Entry) -> Cited | None:
    """The most recent document the entry cites (the first cited among equals); acts of law
    count only when nothing else is cited, since they record a change, not the service."""
    sources = cited(site, entry)
    documents = [c for c in sources if c.doc.tipo == "documento"] or sources
    best: Cited | None = None
    for c in documents:
        if best is None or c.issued > best.issued:
            best = c
    return best


@dataclass(frozen=True)
class Freshness:
    """How old an entry's information is, as of the build date."""

    source: Cited | None  # the newest document it comes from
    verified: date | None
    #: the date the information is as of: its verification, else its newest source
    reference: date | None
    stale: bool  # older than the site's threshold and not verified since: show the notice


def freshness(site: Site, entry: Entry, today: date) -> Freshness:
    source = newest(site, entry)
    verified = entry.meta.verificato_il
    reference = verified or (source.issued if source else None)
    limit = months_before(today, site.config.mesi_verifica)
    return Freshness(source, verified, reference, reference is not None and reference < limit)


#: how many documents the line near the top of a page names (all are in the fonti section)
PROVENANCE_NAMED = 2


def provenance(site: Site, entry: Entry, lang: str = i18n.SOURCE) -> str:
    """``Informazioni tratte da: Piano di Zona 2015-2017 (Ambito Distrettuale di Crema, 2015).``

    Newest first; past :data:`PROVENANCE_NAMED` documents, the others are counted. The words
    in ``lang`` (the documents' names stay as written)."""
    sources = [c for c in cited(site, entry) if c.doc.tipo == "documento"]
    if not sources:
        return ""
    order = sorted(range(len(sources)), key=lambda i: (-sources[i].issued.toordinal(), i))
    named = "; ".join(sources[i].short_label_in(lang) for i in order[:PROVENANCE_NAMED])
    rest = len(sources) - PROVENANCE_NAMED
    if rest == 1:
        text = i18n.gettext(lang, "Informazioni tratte da: {documenti} e un altro documento.")
    elif rest > 1:
        text = i18n.gettext(lang, "Informazioni tratte da: {documenti} e altri {n} documenti.")
    else:
        text = i18n.gettext(lang, "Informazioni tratte da: {documenti}.")
    return text.format(documenti=named, n=rest)


#: headings of listings grouped by state: the state is the sources', not a claim about today
STATE_GROUPS = {
    "in-corso": "In corso secondo le fonti",
    "programmata": "Programmate secondo le fonti",
    "conclusa": "Concluse secondo le fonti",
}


def period_over(entry: Entry, today: date) -> bool:
    """An initiative not ``conclusa`` whose ``periodo.al`` has passed by ``today``."""
    meta = entry.meta
    if entry.kind != "iniziativa" or meta.stato in (None, "conclusa"):
        return False
    return bool(meta.periodo and meta.periodo.al and partial_date_end(meta.periodo.al) < today)


def state_label(entry: Entry, lang: str = i18n.SOURCE) -> str:
    """``Attivo``, ``In corso``, …; ``""`` for entries without a state."""
    if entry.kind == "servizio":
        return i18n.gettext(lang, m.SERVICE_STATES[entry.meta.stato])
    if entry.kind == "iniziativa":
        return i18n.gettext(lang, m.INITIATIVE_STATES[entry.meta.stato])
    return ""


def state_phrase(site: Site, entry: Entry, lang: str = i18n.SOURCE) -> str:
    """The state with what it rests on: ``Attivo nel 2015 secondo il documento «Piano di Zona
    2015-2017»`` — or, once someone checked, ``Attivo (verificato il 15 gennaio 2027)``; the
    words in ``lang``, the document's name as written."""
    label = state_label(entry, lang)
    if not label:
        return ""
    if entry.meta.verificato_il:
        return i18n.gettext(lang, "{stato} (verificato il {data})").format(
            stato=label, data=words_of_date(entry.meta.verificato_il, lang)
        )
    source = newest(site, entry)
    if source is None:
        return i18n.gettext(lang, "{stato} (stato non verificato)").format(stato=label)
    return i18n.gettext(lang, "{stato} nel {anno} secondo il documento «{documento}»").format(
        stato=label, anno=source.year, documento=source.name
    )


def notice(site: Site, entry: Entry, today: date, lang: str = i18n.SOURCE) -> str:
    """The warning shown at the top of a page whose information may be out of date, or ``""``."""
    f = freshness(site, entry, today)
    if not f.stale or f.reference is None:
        return ""
    if f.verified:
        return i18n.gettext(
            lang,
            "Informazioni verificate il {data}, più di {mesi} mesi fa: potrebbero essere cambiate.",
        ).format(data=words_of_date(f.verified, lang), mesi=site.config.mesi_verifica)
    assert f.source is not None
    return i18n.gettext(
        lang, "Informazioni del {anno}, mai verificate da allora: potrebbero essere cambiate."
    ).format(anno=f.source.year)


def provider_name(entry: Entry, lang: str = i18n.SOURCE) -> str:
    """The provider of a service (its name in ``lang`` when translated), or what the page says
    when its sources name none."""
    providers = entry.links.get("ente", [])
    if not providers:
        return i18n.gettext(lang, NO_PROVIDER)
    translated = providers[0].translations.get(lang) if lang != i18n.SOURCE else None
    return translated.title if translated is not None else providers[0].title
