"""Stage 4: the resolved site → HTML pages, sitemap and static assets, written into a folder.

Jinja2 with autoescape on for every template and ``StrictUndefined``; Markdown reaches a
template only as sanitised ``Markup`` (see :mod:`carta.markup`). Output is deterministic:
sorted iteration, no timestamps.
"""

from __future__ import annotations

import json
import re
import shutil
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache, partial
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context, select_autoescape
from jinja2.runtime import Context
from markupsafe import Markup
from markupsafe import escape as markup_escape

from . import feed, i18n, opendata, osservatorio, sources
from . import model as m
from .gitdates import git_dates
from .kinds import KINDS
from .markup import Renderer
from .site import Entry, Site, fold
from .urls import Urls


class DuplicateOutput(Exception):
    """Two pages would be written to the same file (a bug, or two entries with one URL)."""


@dataclass
class Output:
    """Collects files to write and refuses to write one twice."""

    root: Path
    written: dict[str, str] = field(default_factory=dict)  # relative path → what wrote it
    #: what the build left out and why, for the command line to say (not content problems)
    notices: list[str] = field(default_factory=list)

    def write(self, url_path: str, text: str, owner: str) -> None:
        rel = url_path.lstrip("/")
        if not rel or rel.endswith("/"):
            rel += "index.html"
        if rel in self.written:
            raise DuplicateOutput(f"{rel}: written by {self.written[rel]} and {owner}")
        self.written[rel] = owner
        target = self.root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8", newline="\n")


def default_templates() -> Path:
    return Path(__file__).resolve().parent.parent / "templates"


def date_it(value: date | str | None) -> str:
    """``2026-11-23`` → ``23 novembre 2026``; ``2015`` → ``2015``; ``2015-03`` → ``marzo 2015``."""
    return "" if value is None else sources.date_words(value)


#: the Content-Security-Policy of every page (a ``<meta>``; the server also sends it as a header)
CSP = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; "
    "form-action 'self'"
)
#: free pages with a role in the footer, found by slug (the first that exists wins)
ROLE_PAGES: dict[str, tuple[str, ...]] = {
    "accessibilita": ("dichiarazione-di-accessibilita", "accessibilita"),
    "privacy": ("privacy", "informativa-privacy"),
}
LANGUAGES = {"it": "Italiano", "en": "English", "de": "Deutsch", "fr": "Français"}
FEED_PATH = "/feed.xml"
#: said by the build when the Carta has no base URL
NO_SITEMAP = (
    "sitemap.xml non scritta: il protocollo Sitemap vuole indirizzi completi e la Carta non ha "
    "un indirizzo pubblico (url_base in carta.yaml, oppure carta build --base-url URL)"
)
#: the search page (its form from :mod:`carta.search.page`)
SEARCH_PAGE = "/cerca/"


#: the pages that exist in Italian only, whatever the language of the page that links them
#: (open data, the Osservatorio, the feed, the sitemaps, the assets)
ITALIAN_ONLY = (
    "/static/",
    "/_search/",
    "/dati/",
    "/osservatorio/",
    "/feed.xml",
    "/sitemap",
    "/robots.txt",
)


def lang_path(lang: str, path: str) -> str:
    """The site path of ``path`` (an Italian page's) in the pages of ``lang``: ``/en/aree/``;
    the same path for Italian and for what exists in Italian only (:data:`ITALIAN_ONLY`)."""
    if lang == i18n.SOURCE or path.startswith(ITALIAN_ONLY):
        return path
    return f"/{lang}{path}"


def translation_of(entry: Entry, lang: str) -> Any:
    """``entry``'s translation into ``lang``, or ``None`` (always ``None`` in Italian)."""
    return None if lang == i18n.SOURCE else entry.translations.get(lang)


def _title_in(entry: Entry, lang: str) -> str:
    """The title of ``entry`` in ``lang``: its translation's, else the Italian one."""
    t = translation_of(entry, lang)
    return entry.title if t is None else t.title


#: (language, message) → the message as markup (the catalogues do not change during a build)
_MESSAGES: dict[tuple[str, str], Markup] = {}


@pass_context
def _gettext(context: Context, message: str, **variables: Any) -> Markup:
    """``_()`` of the templates: ``message`` in the page's language (``lang``), as Jinja's
    "new style" gettext has it — the catalogue's text is markup, ``%(name)s`` filled in with
    the escaped ``variables`` — in one call rather than two."""
    key = (context["lang"], message)
    text = _MESSAGES.get(key)
    if text is None:
        text = _MESSAGES[key] = Markup(i18n.gettext(*key))  # noqa: S704 - from the catalogue
    return text % variables if variables or "%" in text else text


@pass_context
def _ngettext(context: Context, singular: str, plural: str, n: int, **variables: Any) -> Markup:
    """``ngettext()`` of the templates, by the plural rule of the page's language; ``%(num)s``
    is ``n``."""
    variables.setdefault("num", n)
    text = i18n.ngettext(context["lang"], singular, plural, n)
    return Markup(text) % variables  # noqa: S704 - from the catalogue


@pass_context
def _date_words(context: Context, value: date | str | None) -> str:
    lang = context["lang"]
    if value is None:
        return ""
    return sources.date_words(value) if lang == i18n.SOURCE else i18n.date_words(value, lang)


def by_title(entries: Sequence[Entry], lang: str) -> list[Entry]:
    """``entries`` in the order of their titles in ``lang`` (:meth:`Entry.sort_key` in
    Italian)."""
    return sorted(entries, key=lambda e: (fold(_title_in(e, lang)), e.slug))


@pass_context
def _title(context: Context, entry: Entry) -> str:
    """The title of ``entry`` in the language of the page (Italian without a translation)."""
    return _title_in(entry, context["lang"])


@pass_context
def _summary(context: Context, entry: Entry) -> str:
    t = translation_of(entry, context["lang"])
    return entry.summary if t is None or not t.summary else t.summary


@pass_context
def _lang_attr(context: Context, entry: Entry | None = None) -> Markup:
    """`` lang="it"`` for an element whose text is Italian on a page in another language:
    ``entry``'s text when it has no translation into the page's language, Italian facts
    (no ``entry``); nothing on Italian pages."""
    lang = context["lang"]
    if lang == i18n.SOURCE or (entry is not None and lang in entry.translations):
        return Markup("")
    return Markup(' lang="it"')


@pass_context
def _italian(context: Context, text: Any) -> Markup:
    """``text`` (Italian, escaped) in a ``<span lang="it">`` on a page in another language."""
    escaped = markup_escape(text)
    if context["lang"] == i18n.SOURCE:
        return escaped
    return Markup('<span lang="it">') + escaped + Markup("</span>")


@pass_context
def _time(context: Context, value: date) -> Markup:
    """``<time datetime="2026-11-23">23 novembre 2026</time>``, the words in the page's
    language."""
    words = escape(_date_words(context, value), quote=False)
    return Markup(f'<time datetime="{value.isoformat()}">{words}</time>')  # noqa: S704 - escaped


def verifier_sentence(kind: str) -> str:
    """What a page of an entry of ``kind`` says while nobody has verified it (a message id)."""
    return f"Nessuno ha ancora verificato queste informazioni {KINDS[kind].verifier}."


def _per_entry(phrase: Callable[[Entry, str], str]) -> Callable[..., str]:
    """``phrase(entry, lang)`` for the templates, in the page's language, computed once per
    entry and language (an entry's state shows on its page and on every listing of it)."""
    done: dict[tuple[int, str], str] = {}

    @pass_context
    def call(context: Context, entry: Entry) -> str:
        key = (id(entry), context["lang"])
        if key not in done:
            done[key] = phrase(entry, key[1])
        return done[key]

    return call


@lru_cache(maxsize=4)
def _environment(folder: str, thread: int) -> Environment:
    """The Jinja environment of a templates folder in a thread, kept from build to build
    (carta serve builds in one thread): a template is compiled once, and again only when its
    file changes (``auto_reload``); each build sets the site's globals and filters afresh
    (:func:`make_environment`), so two builds at once in two threads never share one."""
    return Environment(
        loader=FileSystemLoader(folder),
        autoescape=select_autoescape(["html", "xml"], default_for_string=True, default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=True,
    )


def make_environment(templates: Path, site: Site) -> Environment:
    env = _environment(str(templates.resolve()), threading.get_ident())
    # the words of the interface, from the catalogue of the page's language (``lang``): the
    # calls of Jinja's i18n extension (``_``, ``gettext``, ``ngettext``), which
    # :func:`template_messages` extracts
    env.globals.update(_=_gettext, gettext=_gettext, ngettext=_ngettext)
    urls = site.urls
    env.filters["data_it"] = _date_words
    env.filters["it"] = _italian
    env.filters["sheet_text"] = sheet_text
    env.filters["euro"] = sources.euro
    env.tests["contains"] = lambda seq, item: item in seq
    roles = {
        role: next((site.pagine[s] for s in slugs if s in site.pagine), None)
        for role, slugs in ROLE_PAGES.items()
    }
    udp = site.enti.get(site.config.ufficio_di_piano or "")
    env.globals.update(
        site=site,
        kinds=KINDS,
        labels={
            "stato_servizio": m.SERVICE_STATES,
            "stato_iniziativa": m.INITIATIVE_STATES,
            "gruppi_stato": sources.STATE_GROUPS,
            "modalita": m.ACCESS_MODES,
            "costi": m.COST_TYPES,
            "tipo_ente": m.ENTE_TYPES,
            "natura": m.ENTE_NATURE,
        },
        sections=m.SERVICE_SECTIONS,
        urls=urls,
        url=urls.path,
        absolute=urls.absolute,
        place_name=site.place_name,
        lang=site.config.lingua,
        direction="ltr",
        languages=i18n.LANGUAGES,
        alternates=[],
        switch=[],
        title_of=_title,
        ui_time=_time,
        verifier_sentence=verifier_sentence,
        summary_of=_summary,
        la=_lang_attr,
        translation=lambda e, lang: translation_of(e, lang),
        csp=CSP,
        feed_path=FEED_PATH,
        roles=roles,
        udp=udp,
        privacy_url=roles["privacy"].url if roles["privacy"] else "/privacy/",
        report_mailto=lambda title, path: _mailto(site, title, urls.absolute(path)),
        today=site.built_on,
        cited=lambda e: sources.cited(site, e),
        provenance=_per_entry(lambda e, lang: sources.provenance(site, e, lang)),
        state_phrase=_per_entry(lambda e, lang: sources.state_phrase(site, e, lang)),
        notice=_per_entry(lambda e, lang: sources.notice(site, e, site.built_on, lang)),
        provider=pass_context(lambda c, e: sources.provider_name(e, c["lang"])),
    )
    return env


def _mailto(site: Site, title: str, address: str) -> str | None:
    """``mailto:`` link to the ``segnalazioni`` address, naming the page; ``None`` without one."""
    if not site.config.segnalazioni:
        return None
    subject = f"Segnalazione di un errore: {title}"
    body = f"Pagina: {title}\nIndirizzo: {address}\n\nChe cosa non è corretto:\n"
    return (
        f"mailto:{site.config.segnalazioni}?subject={quote(subject, safe='')}"
        f"&body={quote(body, safe='')}"
    )


def entry_dates(site: Site) -> dict[int, date]:
    """``id(entry)`` → the date its file last changed: the git date of its file (one ``git log``
    for the whole content folder), never earlier than ``verificato_il``; for a file git does
    not know yet (not committed), the build date. ``id(translation)`` → the same for each of
    its translations' files (see :meth:`SiteWriter.updated`)."""
    changed = git_dates(site.root) if site.root is not None else {}
    parent = site.root.resolve().parent if site.root is not None else Path()
    dates = {}
    for entry in site.all_entries():
        when = changed.get((parent / entry.path).resolve(), site.built_on)
        verified = entry.verified
        dates[id(entry)] = max(when, verified) if verified else when
        for translation in entry.translations.values():
            dates[id(translation)] = changed.get(
                (parent / translation.path).resolve(), site.built_on
            )
    return dates


def json_script(data: object) -> Markup:
    """JSON for a ``<script type="application/ld+json">``: ``<``, ``>`` and ``&`` escaped, so
    that no text can close the element."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)  # noqa: S704 - JSON with markup characters escaped just above


def service_jsonld(
    site: Site, entry: Entry, updated: date, urls: Urls, page_lang: str = i18n.SOURCE
) -> dict[str, Any]:
    """A ``GovernmentService`` as in the Designers Italia template for the scheda servizio; on
    the page in ``page_lang``, with the name and description of its translation (when there
    is one) and that page's address."""
    s = entry.meta
    lang = site.config.lingua
    page = urls.absolute(lang_path(page_lang, entry.url))
    translation = translation_of(entry, page_lang)
    channel: dict[str, Any] = {
        "@type": "ServiceChannel",
        "name": ", ".join(m.ACCESS_MODES[mo] for mo in s.accesso.modalita),
        "description": s.accesso.dove,
        "serviceUrl": page,
        "availableLanguage": {
            "@type": "Language",
            "name": LANGUAGES.get(lang, lang),
            "alternateName": lang,
        },
    }
    places = []
    for sede in s.sedi:
        place: dict[str, Any] = {"@type": "Place", "name": sede.nome}
        if sede.indirizzo or sede.comune:
            address: dict[str, Any] = {"@type": "PostalAddress"}
            if sede.indirizzo:
                address["streetAddress"] = sede.indirizzo
            if sede.comune:
                address["addressLocality"] = site.place_name(sede.comune)
            place["address"] = address
        places.append(place)
    if places:
        channel["serviceLocation"] = places
    if s.contatti and s.contatti.telefono:
        channel["servicePhone"] = {"@type": "ContactPoint", "telephone": s.contatti.telefono[0]}
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "GovernmentService",
        "name": entry.title if translation is None else translation.title,
        "description": (translation and translation.summary) or entry.summary,
        "url": page,
        "serviceType": site.aree[s.aree[0]].nome,
        "areaServed": [
            {"@type": "AdministrativeArea", "name": site.place_name(t)} for t in s.territorio
        ],
        "audience": {
            "@type": "Audience",
            "audienceType": ", ".join(site.destinatari[d].nome for d in s.destinatari),
        },
        "availableChannel": channel,
        "dateModified": updated.isoformat(),
    }
    if s.altri_nomi:
        data["alternateName"] = list(s.altri_nomi)
    if s.ente:
        ente = site.enti[s.ente]
        kind = "GovernmentOrganization" if ente.meta.natura == "pubblico" else "Organization"
        data["serviceOperator"] = {
            "@type": kind,
            "name": ente.title,
            "url": urls.absolute(ente.url),
        }
    # the state with what it rests on, and who provides it when the sources do not say
    notes = [sources.state_phrase(site, entry) + "."]
    if not s.ente:
        notes.append(sources.NO_PROVIDER + ".")
    data["disambiguatingDescription"] = " ".join(notes)
    if s.verificato_il:
        data["lastReviewed"] = s.verificato_il.isoformat()
    data["subjectOf"] = [_source_jsonld(c) for c in sources.cited(site, entry)]
    if s.costi.tipo == "gratuito":
        data["isAccessibleForFree"] = True
    return data


def _source_jsonld(c: sources.Cited) -> dict[str, Any]:
    """A cited source as a schema.org ``CreativeWork`` (``Legislation`` for an act of law)."""
    doc = c.doc
    work: dict[str, Any] = {
        "@type": "Legislation" if doc.tipo == "norma" else "CreativeWork",
        "name": doc.titolo,
        "author": {"@type": "Organization", "name": doc.emittente},
        "datePublished": doc.data,
    }
    if doc.tipo == "norma" and doc.numero:
        work["legislationIdentifier"] = doc.numero
    if doc.url:
        work["url"] = doc.url
    return work


#: file, beside each service page, with the service as it appears on the referral sheet: the
#: data that /foglio/ composes its sheet from (see ``templates/_scheda_breve.json``)
SHEET_FILE = "scheda.json"


#: a text marked Italian by the ``it`` filter (its content escaped, so without tags)
_ITALIAN_SPAN = re.compile(r'<span lang="it">(.*?)</span>', re.DOTALL)
#: the label of the link to the service's page when the sheet's data do not give one (Italian)
SHEET_LINK_LABEL = "Scheda completa"

SheetText = str | dict[str, str] | list[str | dict[str, str]]


def sheet_text(value: Any) -> SheetText:
    """A text of the referral sheet (markup written with autoescape on) as its data hold it:
    plain text, tags removed and whitespace collapsed as by ``striptags``; where parts of it
    are Italian on a sheet in another language (the ``it`` filter's ``<span lang="it">``),
    ``{"it": text}`` for a text all Italian, else the list of its parts, each a string in the
    sheet's language or ``{"it": part}``."""
    pieces = _ITALIAN_SPAN.split(str(value))
    if len(pieces) == 1:
        return Markup(pieces[0]).striptags()  # noqa: S704 - turned back into text
    parts: list[str | dict[str, str]] = []
    last = len(pieces) - 1
    for i, piece in enumerate(pieces):
        text = Markup(piece).striptags()  # noqa: S704 - turned back into text
        if i % 2:  # a part in Italian
            if text:
                parts.append({"it": text})
            continue
        # the whitespace around a part in the sheet's language, between Italian ones
        bare = re.sub(r"<[^>]*>", "", piece)
        before = " " if i > 0 and bare[:1].isspace() else ""
        after = " " if i < last and bare[-1:].isspace() else ""
        text = (before + text + after) if text else ((before or after) if 0 < i < last else "")
        if not text:
            continue
        previous = parts[-1] if parts else None
        if isinstance(previous, str):  # two in a row: one string
            parts[-1] = (previous + text).replace("  ", " ")
        else:
            parts.append(text)
    return parts[0] if len(parts) == 1 else parts


def _sheet_element(tag: str, value: Any, class_name: str = "") -> str:
    """``<tag>`` holding a text of :func:`sheet_text`, escaped: ``lang="it"`` on the element
    for a text all Italian, a ``<span lang="it">`` for each Italian part."""
    attributes = f' class="{class_name}"' if class_name else ""
    if isinstance(value, dict):
        attributes += ' lang="it"'
        inner = escape(str(value.get("it", "")), quote=False)
    elif isinstance(value, list):
        inner = "".join(
            escape(p, quote=False) if isinstance(p, str) else _sheet_element("span", p)
            for p in value
        )
    else:
        inner = escape(str(value), quote=False)
    return f"<{tag}{attributes}>{inner}</{tag}>"


def sheet_html(data: dict[str, Any]) -> str:
    """One service of the referral sheet, from its :data:`SHEET_FILE`, as HTML: the markup
    that ``foglio.js`` builds in the browser, node by node, on a static host. Every value is
    escaped here; keep the two in step (``tests/browser/test_foglio.py`` compares them)."""
    parts = [
        f'<article class="scheda-foglio" data-slug="{escape(str(data["slug"]))}">',
        _sheet_element("h2", data["titolo"]),
        _sheet_element("p", data["sommario"]),
    ]
    if data.get("stato"):
        parts.append(f"<p>{_sheet_element('strong', data['stato'])}</p>")
    parts.append("<dl>")
    for label, value in data["righe"]:
        parts.append(_sheet_element("dt", label) + _sheet_element("dd", value))
    parts.append(
        _sheet_element("dt", data.get("etichetta_url", SHEET_LINK_LABEL))
        + f'<dd><a href="{escape(str(data["url"]))}">'
        f"{escape(str(data['indirizzo']), quote=False)}</a></dd>"
    )
    parts.append("</dl>")
    if data.get("nota"):
        parts.append(_sheet_element("p", data["nota"], "verificato"))
    parts.append("</article>")
    return "".join(parts)


class SiteWriter:
    """The outputs of a site, each a method the build calls as a peer stage (see
    :data:`carta.pipeline.OUTPUT_STAGES`): entry and listing pages, open data, the
    Osservatorio, the feed, ``/cerca/``, the sitemap, ``robots.txt`` and the static assets.

    Every stage writes through one :class:`Output` (which refuses to write a file twice) and
    one Jinja environment; the Markdown of the bodies is converted once, when first asked."""

    def __init__(
        self,
        site: Site,
        out_dir: Path,
        templates: Path,
        md: Renderer | None = None,
        dates: dict[int, date] | None = None,
    ) -> None:
        self.site = site
        self.templates = templates
        self.env = make_environment(templates, site)
        self.md = md or Renderer()
        self.out = Output(out_dir)
        self.urls = site.urls
        self.dates = dates if dates is not None else entry_dates(site)
        #: (entry, language of the text) → the HTML of its body
        self._html: dict[tuple[int, str], dict[str, Markup]] = {}
        #: the entry files whose pages are rewritten (``None``: every page), for a rebuild
        self.only: set[str] | None = None
        #: the files an earlier build wrote that this one keeps (for the sitemap)
        self.kept: set[str] = set()
        #: ``(k, n)``: this writer renders the ``k``-th of ``n`` parts of the entry pages (every
        #: ``n``-th entry from the ``k``-th), and the listing pages when ``k`` is 0; the parts
        #: of a build that renders in parallel (see :mod:`carta.parallel`)
        self.part: tuple[int, int] = (0, 1)
        #: the languages of the pages: Italian, then ``lingue`` of ``carta.yaml``
        self.languages = [i18n.SOURCE, *site.config.lingue]
        self.env.globals["updated"] = pass_context(lambda c, entry: self.updated(entry, c["lang"]))
        self.env.globals["jsonld"] = pass_context(
            lambda c, entry: json_script(
                service_jsonld(site, entry, self.updated(entry, c["lang"]), self.urls, c["lang"])
            )
        )
        self.env.globals["body"] = pass_context(lambda c, entry: self.body(entry, c["lang"]))
        self.env.globals["page_index"] = pass_context(
            lambda c, entry: service_page_index(entry, self.body(entry, c["lang"]))
        )

    def updated(self, entry: Entry, lang: str = i18n.SOURCE) -> date:
        """When ``entry``'s page in ``lang`` last changed: its file's date, or its translation's
        when that is later (the page shows both: the translated text, the Italian facts)."""
        when = self.dates[id(entry)]
        translation = translation_of(entry, lang)
        if translation is not None:
            when = max(when, self.dates.get(id(translation), when))
        return when

    def body(self, entry: Entry, lang: str = i18n.SOURCE) -> dict[str, Markup]:
        """The HTML of ``entry``'s body: its intro and, for a servizio, its sections; in
        ``lang``, its translation's when it has one (with the Italian anchors), else the
        Italian. Converted when first asked (a rebuild for one body converts that body only),
        and once."""
        translation = translation_of(entry, lang)
        key = (id(entry), lang if translation is not None else i18n.SOURCE)
        html = self._html.get(key)
        if html is None:
            text = translation if translation is not None else entry
            html = self._convert(entry.kind, text.intro, text.sections, text.body)
            self._html[key] = html
        return html

    def _convert(self, kind: str, intro: str, sections: list[Any], body: str) -> dict[str, Markup]:
        if kind == "servizio":  # standard sections, placed by the template
            return {
                "intro": self.md.html(intro, shift=1),
                **{s.anchor: self.md.html(s.markdown, shift=1) for s in sections},
            }
        return {"intro": self.md.html(body)}  # free body

    def page(
        self, template: str, url_path: str, owner: str, lang: str = i18n.SOURCE, **context: Any
    ) -> None:
        """Render ``template`` as the page ``url_path`` (the Italian page's path) in ``lang``:
        written at ``/<lang>`` + ``url_path`` outside Italian."""
        extra = self._language_context(url_path, lang)
        html = self.env.get_template(template).render(page_url=url_path, **extra, **context)
        if lang == i18n.SOURCE:
            self.out.write(url_path, html, owner)
        else:
            self.out.write(lang_path(lang, url_path), html, f"{owner} ({lang})")

    def page_in_every_language(
        self, template: str, url_path: str, owner: str, **context: Any
    ) -> None:
        for lang in self.languages:
            self.page(template, url_path, owner, lang, **context)

    def _language_context(self, url_path: str, lang: str) -> dict[str, Any]:
        """What a page in ``lang`` needs besides its own context: the language, the links in
        that language, the ``hreflang`` alternates and the language switch (none for a Carta
        in Italian only)."""
        if len(self.languages) == 1:
            return {}
        urls = self.urls
        own = url_path.startswith(ITALIAN_ONLY)  # a page that exists in Italian only
        versions = [i18n.SOURCE] if own else self.languages
        alternates = [(code, urls.absolute(lang_path(code, url_path))) for code in versions]
        alternates.append(("x-default", urls.absolute(url_path)))
        switch = [
            (
                i18n.LANGUAGES[code],
                urls.path(lang_path(code, "/" if own and code != i18n.SOURCE else url_path)),
                code == lang,
            )
            for code in self.languages
        ]
        context: dict[str, Any] = {"alternates": alternates, "switch": switch}
        if lang != i18n.SOURCE:
            context.update(
                lang=lang,
                direction=i18n.LANGUAGES[lang].direction,
                url=lambda path: urls.path(lang_path(lang, path)),
                absolute=lambda path: urls.absolute(lang_path(lang, path)),
                report_mailto=lambda title, path: _mailto(
                    self.site, title, urls.absolute(lang_path(lang, path))
                ),
            )
        return context

    def sheet_data(self, entry: Entry, lang: str = i18n.SOURCE) -> None:
        """The :data:`SHEET_FILE` of the service ``entry`` in ``lang``, beside its page in that
        language (``/en/servizi/<slug>/scheda.json``): the labels in ``lang``, the title and
        summary of its translation, the Italian text marked (``templates/_scheda_breve.json``)."""
        extra = self._language_context(entry.url, lang)
        data = self.env.get_template("_scheda_breve.json").render(
            page_url=entry.url, entry=entry, **extra
        )
        owner = entry.path + " (foglio)" + ("" if lang == i18n.SOURCE else f" ({lang})")
        self.out.write(lang_path(lang, entry.url) + SHEET_FILE, data.strip() + "\n", owner)

    def pages(self, progress: Callable[[int, int], None] | None = None) -> None:
        """The pages of the entries and every page that lists them, in Italian and in each
        language of ``lingue``; ``progress`` is told (entries done, entries) as the pages of
        the entries are written."""
        site, only = self.site, self.only
        every = self.page_in_every_language
        k, n = self.part
        done, total, mine = 0, len(site.all_entries()), set()
        for kind in KINDS.values():
            for entry in site.entries_of(kind.name).values():
                if done % n == k:
                    mine.add(entry.path)
                    if only is None or entry.path in only:
                        every(kind.template, entry.url, entry.path, entry=entry)
                    if progress is not None:
                        progress(len(mine), total)
                done += 1

        services = sorted(site.servizi.values(), key=Entry.sort_key)
        for entry in services:  # what /foglio/ puts together, as data (every .html is a page)
            if entry.path not in mine or (only is not None and entry.path not in only):
                continue
            for lang in self.languages:
                self.sheet_data(entry, lang)
        if only is not None or k != 0:  # a rebuild for bodies: no other page shows them
            return
        for lang in self.languages:  # the services to tick, by their title in the language
            shown = by_title(services, lang)
            self.page("foglio.html", "/foglio/", "foglio", lang, services=shown)
        newest = max(self.dates.values(), default=None)
        every("home.html", "/", "home", latest=_latest_initiatives(site), updated_on=newest)
        for lang in self.languages:
            letters = az_index(site, services, lang)
            see_words = sum(1 for _, rows in letters for row in rows if not row.entry)
            self.page("az.html", "/servizi/", "A–Z", lang, letters=letters, see_words=see_words)
        for kind, group, groups in (
            (KINDS["ente"], "tipo", _enti_by_type(site)),
            (KINDS["iniziativa"], "stato", _initiatives_by_state(site)),
        ):
            every(
                "elenco_gruppi.html",
                kind.url_prefix,
                kind.folder,
                kind=kind,
                group=group,
                groups=groups,
            )
        for taxonomy, terms, index in (
            ("aree", site.aree, site.by_area),
            ("destinatari", site.destinatari, site.by_destinatari),
        ):
            every(
                "taxonomy_index.html",
                f"/{taxonomy}/",
                taxonomy,
                kind=taxonomy,
                terms=terms,
                index=index,
            )
            for term_id, term in terms.items():
                every(
                    "listing.html",
                    f"/{taxonomy}/{term_id}/",
                    f"{taxonomy}.yaml:{term_id}",
                    kind=taxonomy,
                    term_id=term_id,
                    term=term,
                    entries=index[term_id],
                )
        every("comuni_index.html", "/comuni/", "comuni")
        for comune_id, comune in site.territorio.comuni.items():
            every(
                "comune.html",
                f"/comuni/{comune_id}/",
                f"territorio.yaml:{comune_id}",
                comune_id=comune_id,
                comune=comune,
                entries=site.by_comune[comune_id],
            )
        if not any(s in site.pagine for s in ROLE_PAGES["privacy"]):
            every("privacy.html", "/privacy/", "privacy (modello)")
        every("404.html", "/404.html", "404")

    def open_data(self) -> None:
        """``/dati/``: the open-data files and the page that describes them."""
        records, data_files = opendata.files(self.site, self.md, self.updated, self.urls)
        for path, text in data_files.items():
            self.out.write(path, text, "dati")
        licence = m.LICENCES[self.site.config.dati_aperti.licenza]
        self.page(
            "dati.html", "/dati/", "dati", records=records, fields=opendata.FIELDS, licence=licence
        )

    def osservatorio(self) -> None:
        """``/osservatorio/`` and its numbers under ``/dati/``."""
        osservatorio.render(self.site, self.page, self.out.write)

    def feed(self) -> None:
        self.out.write(FEED_PATH, feed.atom(self.site, self.updated, self.urls), "feed")

    def search_page(self) -> None:
        """``/cerca/``: the site's theme around an empty search form."""
        from .search.page import search_page_context  # the search package imports this one

        self.page("cerca.html", SEARCH_PAGE, "cerca", **search_page_context(self.site))

    def language_search_pages(self) -> None:
        """``/<lang>/cerca/`` for each language of ``lingue``: the form in that language,
        reading the index of that language (``_search/<lang>/``)."""
        from .search.page import search_page_context

        for lang in self.languages[1:]:
            context = search_page_context(self.site, lang)
            self.page("cerca.html", SEARCH_PAGE, "cerca", lang, **context)

    def sitemap(self) -> None:
        """``/sitemap.xml``, listing every Italian page written before it, and
        ``/sitemap-<lang>.xml`` with the pages of each language of ``lingue``; none without a
        base URL (the protocol wants full addresses), and a notice saying so."""
        if self.urls.has_base:
            written = set(self.out.written) | self.kept
            others = self.languages[1:]
            for lang in self.languages:
                if lang == i18n.SOURCE:
                    pages = {r for r in written if r.split("/", 1)[0] not in others}
                    name = "/sitemap.xml"
                else:
                    pages = {r[len(lang) + 1 :] for r in written if r.startswith(f"{lang}/")}
                    name = f"/sitemap-{lang}.xml"
                urls = _sitemap(self.site, pages, partial(self.updated, lang=lang), self.urls, lang)
                html = self.env.get_template("sitemap.xml").render(
                    page_url=name, urls=urls, lang=i18n.SOURCE
                )
                self.out.write(
                    name, html, "sitemap" if lang == i18n.SOURCE else f"sitemap ({lang})"
                )
        else:
            self.out.notices.append(NO_SITEMAP)

    def robots(self) -> None:
        self.out.write("/robots.txt", _robots(self.urls, self.languages[1:]), "robots")

    def static(self) -> None:
        """The theme's static assets, copied as they are."""
        static = self.templates / "static"
        if static.is_dir() and self.only is None:  # a rebuild for bodies keeps them
            shutil.copytree(static, self.out.root / "static", dirs_exist_ok=False)


def _latest_initiatives(site: Site, limit: int = 4) -> list[Entry]:
    order = {"in-corso": 0, "programmata": 1, "conclusa": 2}

    def key(e: Entry) -> tuple[int, str, str]:
        start = e.meta.periodo.dal if e.meta.periodo and e.meta.periodo.dal else "0000"
        inverted = "".join(chr(0x39 - ord(c) + 0x30) if c.isdigit() else c for c in start)
        return (order[e.meta.stato], inverted, e.sort_key()[0])

    return sorted(site.iniziative.values(), key=key)[:limit]


@dataclass(frozen=True)
class AzRow:
    """One line of the A–Z index: a service, or an everyday word that points at services."""

    label: str
    entry: Entry | None = None
    see: tuple[Entry, ...] = ()


SEE_LIMIT = 3


def words(text: str) -> str:
    """Folded text with every run of non-alphanumerics as one space, padded: for phrase tests."""
    return " " + " ".join(re.findall(r"[a-z0-9]+", fold(text))) + " "


def see_also(
    word: str, terms: list[str], prepared: list[tuple[Entry, str, list[str]]]
) -> list[Entry]:
    """The services an everyday ``word`` of ``sinonimi.yaml`` should point at.

    A service matches a target term when the term appears, as whole words, in its title, its
    summary or one of its ``parole_chiave``; the word itself among its ``parole_chiave`` also
    counts. Services with more matches come first, then alphabetical; at most ``SEE_LIMIT``.
    ``prepared`` holds each service with its title and summary, and its keywords, already
    passed through :func:`words`.
    """
    targets = [w for w in (words(t) for t in terms) if w.strip()]
    own = words(word)
    scored = []
    for s, title_and_summary, keywords in prepared:
        score = sum(1 for t in targets if t in title_and_summary or t in keywords)
        score += 1 if own in keywords else 0
        if score:
            scored.append((-score, s.sort_key(), s))
    return [s for *_, s in sorted(scored, key=lambda t: (t[0], t[1]))][:SEE_LIMIT]


#: the sections a service page shows even when its body lacks them: the page writes them from
#: the front matter (how to access, the documents when there are any, the costs)
FROM_FRONT_MATTER = ("come-fare", "cosa-serve", "quanto-costa")
#: the parts every service page ends with
SERVICE_PAGE_TAIL = [
    ("contatti", "Dove rivolgersi e contatti"),
    ("territorio", "Dove è disponibile"),
]


def service_page_index(entry: Entry, html: dict[str, Markup]) -> list[tuple[str, str]]:
    """The sections of a service page in order, as (anchor, heading): the standard sections
    it has (with "A chi è rivolto" before the description), then contacts and territory."""
    present = []
    for heading, anchor in m.SERVICE_SECTIONS.items():
        shown = anchor in html or (
            anchor in FROM_FRONT_MATTER and (anchor != "cosa-serve" or bool(entry.meta.documenti))
        )
        if shown:
            present.append((anchor, heading))
    first = present[:1] if present and present[0][0] == "a-chi-e-rivolto" else []
    description = [("descrizione", "Descrizione")] if html["intro"] else []
    return first + description + present[len(first) :] + SERVICE_PAGE_TAIL


def az_index(
    site: Site, services: list[Entry], lang: str = i18n.SOURCE
) -> list[tuple[str, list[AzRow]]]:
    """Letters → rows: every service by title, and every word of ``sinonimi.yaml`` that points
    at services as a "vedi" entry (unless it is already a service's title). In another
    ``lang``: every service by its title in that language (the Italian one when it has no
    translation), without the "vedi" entries, whose everyday words are Italian."""
    if lang != i18n.SOURCE:
        rows = []
        for s in services:
            t = s.translations.get(lang)
            rows.append(AzRow(t.title if t is not None else s.title, entry=s))
        return _by_letter(rows)
    rows = [AzRow(s.title, entry=s) for s in services]
    titles = {words(s.title) for s in services}
    prepared = [
        (s, words(s.title + " . " + s.summary), [words(k) for k in s.meta.parole_chiave])
        for s in services
    ]
    for word, terms in sorted(site.sinonimi.items()):
        if words(word) in titles:
            continue
        targets = see_also(word, terms, prepared)
        if targets:
            rows.append(AzRow(word[:1].upper() + word[1:], see=tuple(targets)))
    return _by_letter(rows)


def _by_letter(rows: list[AzRow]) -> list[tuple[str, list[AzRow]]]:
    letters: dict[str, list[AzRow]] = {}
    for row in rows:
        first = fold(row.label)[:1].upper()
        letters.setdefault(first if first.isalpha() else "#", []).append(row)
    return [
        (letter, sorted(items, key=lambda r: (fold(r.label), r.entry.slug if r.entry else "")))
        for letter, items in sorted(letters.items())
    ]


def _enti_by_type(site: Site) -> list[tuple[str, list[Entry]]]:
    groups = []
    for tipo, label in m.ENTE_TYPES.items():
        members = sorted((e for e in site.enti.values() if e.meta.tipo == tipo), key=Entry.sort_key)
        if members:
            groups.append((label, members))
    return groups


def _initiatives_by_state(site: Site) -> list[tuple[str, list[Entry]]]:
    groups = []
    for stato in ("in-corso", "programmata", "conclusa"):
        members = sorted(
            (e for e in site.iniziative.values() if e.meta.stato == stato), key=Entry.sort_key
        )
        if members:
            groups.append((sources.STATE_GROUPS[stato], members))
    return groups


def _sitemap(
    site: Site, written: set[str], updated: Any, urls: Urls, lang: str = i18n.SOURCE
) -> list[tuple[str, str]]:
    """The pages among ``written`` (files relative to the pages of ``lang``), with the full
    address of their version in ``lang`` and their date."""
    lastmod = {e.url: updated(e).isoformat() for e in site.all_entries()}
    paths = {"/" + rel[: -len("index.html")] for rel in written if rel.endswith("index.html")}
    return [
        (feed.xml_clean(urls.absolute(lang_path(lang, path))), lastmod.get(path, ""))
        for path in sorted(paths)
    ]


def _robots(urls: Urls, languages: Sequence[str] = ()) -> str:
    lines = ["User-agent: *", "Allow: /"]
    if urls.has_base:  # the Sitemap line must be an absolute URL
        lines.append(f"Sitemap: {urls.absolute('/sitemap.xml')}")
        lines += [f"Sitemap: {urls.absolute(f'/sitemap-{lang}.xml')}" for lang in languages]
    return "\n".join(lines) + "\n"


#: the Italian texts of the interface written by Python rather than by a template (labels of
#: the content model's values, the sentences of :mod:`carta.sources`, the kinds' names)
def python_messages() -> list[str]:
    """Every Italian text the pages put through the catalogues that is not in a template."""
    from .search.languages import catalogue_messages

    texts: list[str] = [*m.SERVICE_SECTIONS]
    for table in (*m.VALUE_LABELS, sources.STATE_GROUPS):
        texts += table.values()
    texts += [heading for _, heading in SERVICE_PAGE_TAIL]
    texts.append("Descrizione")
    texts += [k.label for k in KINDS.values()] + [k.plural_label for k in KINDS.values()]
    texts += [verifier_sentence(k.name) for k in KINDS.values() if k.verifier]
    texts += sources.MESSAGES
    texts += catalogue_messages()
    return list(dict.fromkeys(texts))


def template_messages(templates: Path) -> list[tuple[str, ...]]:
    """The messages of the templates (``_()`` and ``ngettext()`` with literal texts), each
    as its Italian text, or its singular and plural, in the order they appear."""
    env = Environment(extensions=["jinja2.ext.i18n"], trim_blocks=True, lstrip_blocks=True)
    found: list[tuple[str, ...]] = []
    for path in sorted([*templates.glob("*.html"), *templates.glob("*.json")]):
        source = path.read_text(encoding="utf-8")
        for _line, _func, message in env.extract_translations(source):  # type: ignore[attr-defined]
            texts = tuple(t for t in (message if isinstance(message, tuple) else (message,)) if t)
            if texts and texts not in found:
                found.append(texts)
    return found
