"""Stage 4: the resolved site → HTML pages, sitemap and static assets, written into a folder.

Jinja2 with autoescape on for every template and ``StrictUndefined``; Markdown reaches a
template only as sanitised ``Markup`` (see :mod:`carta.markup`). Output is deterministic:
sorted iteration, no timestamps.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from . import feed, opendata, osservatorio, sources
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


def make_environment(templates: Path, site: Site) -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(templates)),
        autoescape=select_autoescape(["html", "xml"], default_for_string=True, default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    urls = site.urls
    env.filters["data_it"] = date_it
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
        csp=CSP,
        feed_path=FEED_PATH,
        roles=roles,
        udp=udp,
        privacy_url=roles["privacy"].url if roles["privacy"] else "/privacy/",
        report_mailto=lambda title, path: _mailto(site, title, urls.absolute(path)),
        today=site.built_on,
        cited=lambda e: sources.cited(site, e),
        provenance=lambda e: sources.provenance(site, e),
        state_phrase=lambda e: sources.state_phrase(site, e),
        notice=lambda e: sources.notice(site, e, site.built_on),
        provider=sources.provider_name,
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
    not know yet (not committed), the build date."""
    changed = git_dates(site.root) if site.root is not None else {}
    parent = site.root.resolve().parent if site.root is not None else Path()
    dates = {}
    for entry in site.all_entries():
        when = changed.get((parent / entry.path).resolve(), site.built_on)
        verified = entry.verified
        dates[id(entry)] = max(when, verified) if verified else when
    return dates


def json_script(data: object) -> Markup:
    """JSON for a ``<script type="application/ld+json">``: ``<``, ``>`` and ``&`` escaped, so
    that no text can close the element."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)  # noqa: S704 - JSON with markup characters escaped just above


def service_jsonld(site: Site, entry: Entry, updated: date, urls: Urls) -> dict[str, Any]:
    """A ``GovernmentService`` as in the Designers Italia template for the scheda servizio."""
    s = entry.meta
    lang = site.config.lingua
    channel: dict[str, Any] = {
        "@type": "ServiceChannel",
        "name": ", ".join(m.ACCESS_MODES[mo] for mo in s.accesso.modalita),
        "description": s.accesso.dove,
        "serviceUrl": urls.absolute(entry.url),
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
        "name": entry.title,
        "description": entry.summary,
        "url": urls.absolute(entry.url),
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


def sheet_html(data: dict[str, Any]) -> str:
    """One service of the referral sheet, from its :data:`SHEET_FILE`, as HTML: the markup
    that ``foglio.js`` builds in the browser, node by node, on a static host. Every value is
    escaped here; keep the two in step (``tests/browser/test_foglio.py`` compares them)."""

    def text(value: Any) -> str:
        return escape(str(value), quote=False)

    parts = [
        f'<article class="scheda-foglio" data-slug="{escape(str(data["slug"]))}">',
        f"<h2>{text(data['titolo'])}</h2>",
        f"<p>{text(data['sommario'])}</p>",
    ]
    if data.get("stato"):
        parts.append(f"<p><strong>{text(data['stato'])}</strong></p>")
    parts.append("<dl>")
    for label, value in data["righe"]:
        parts.append(f"<dt>{text(label)}</dt><dd>{text(value)}</dd>")
    parts.append(
        f'<dt>Scheda completa</dt><dd><a href="{escape(str(data["url"]))}">'
        f"{text(data['indirizzo'])}</a></dd>"
    )
    parts.append("</dl>")
    if data.get("nota"):
        parts.append(f'<p class="verificato">{text(data["nota"])}</p>')
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
        self._html: dict[int, dict[str, Markup]] = {}
        #: the entry files whose pages are rewritten (``None``: every page), for a rebuild
        self.only: set[str] | None = None
        #: the files an earlier build wrote that this one keeps (for the sitemap)
        self.kept: set[str] = set()
        #: ``(k, n)``: this writer renders the ``k``-th of ``n`` parts of the entry pages (every
        #: ``n``-th entry from the ``k``-th), and the listing pages when ``k`` is 0; the parts
        #: of a build that renders in parallel (see :mod:`carta.parallel`)
        self.part: tuple[int, int] = (0, 1)
        self.env.globals["updated"] = self.updated
        self.env.globals["jsonld"] = lambda entry: json_script(
            service_jsonld(site, entry, self.updated(entry), self.urls)
        )
        self.env.globals["body"] = self.body
        self.env.globals["page_index"] = lambda entry: service_page_index(entry, self.body(entry))

    def updated(self, entry: Entry) -> date:
        return self.dates[id(entry)]

    def body(self, entry: Entry) -> dict[str, Markup]:
        """The HTML of ``entry``'s body: its intro and, for a servizio, its sections; converted
        when first asked (a rebuild for one body converts that body only)."""
        html = self._html.get(id(entry))
        if html is None:
            if entry.kind == "servizio":  # standard sections, placed by the template
                html = {
                    "intro": self.md.html(entry.intro, shift=1),
                    **{s.anchor: self.md.html(s.markdown, shift=1) for s in entry.sections},
                }
            else:  # free body
                html = {"intro": self.md.html(entry.body)}
            self._html[id(entry)] = html
        return html

    def page(self, template: str, url_path: str, owner: str, **context: Any) -> None:
        html = self.env.get_template(template).render(page_url=url_path, **context)
        self.out.write(url_path, html, owner)

    def pages(self, progress: Callable[[int, int], None] | None = None) -> None:
        """The pages of the entries and every page that lists them; ``progress`` is told
        (entry pages written, entries) as the pages of the entries are written."""
        site, page, out, only = self.site, self.page, self.out, self.only
        k, n = self.part
        done, total, mine = 0, len(site.all_entries()), set()
        for kind in KINDS.values():
            for entry in site.entries_of(kind.name).values():
                if done % n == k:
                    mine.add(entry.path)
                    if only is None or entry.path in only:
                        page(kind.template, entry.url, entry.path, entry=entry)
                    if progress is not None:
                        progress(len(mine), total)
                done += 1

        services = sorted(site.servizi.values(), key=Entry.sort_key)
        for entry in services:  # what /foglio/ puts together, as data (every .html is a page)
            if entry.path not in mine or (only is not None and entry.path not in only):
                continue
            data = self.env.get_template("_scheda_breve.json").render(
                page_url=entry.url, entry=entry
            )
            out.write(entry.url + SHEET_FILE, data.strip() + "\n", entry.path + " (foglio)")
        if only is not None or k != 0:  # a rebuild for bodies: no other page shows them
            return
        page("foglio.html", "/foglio/", "foglio", services=services)
        newest = max(self.dates.values(), default=None)
        page("home.html", "/", "home", latest=_latest_initiatives(site), updated_on=newest)
        letters = az_index(site, services)
        see_words = sum(1 for _, rows in letters for row in rows if not row.entry)
        page("az.html", "/servizi/", "A–Z", letters=letters, see_words=see_words)
        for kind, group, groups in (
            (KINDS["ente"], "tipo", _enti_by_type(site)),
            (KINDS["iniziativa"], "stato", _initiatives_by_state(site)),
        ):
            page(
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
            page(
                "taxonomy_index.html",
                f"/{taxonomy}/",
                taxonomy,
                kind=taxonomy,
                terms=terms,
                index=index,
            )
            for term_id, term in terms.items():
                page(
                    "listing.html",
                    f"/{taxonomy}/{term_id}/",
                    f"{taxonomy}.yaml:{term_id}",
                    kind=taxonomy,
                    term_id=term_id,
                    term=term,
                    entries=index[term_id],
                )
        page("comuni_index.html", "/comuni/", "comuni")
        for comune_id, comune in site.territorio.comuni.items():
            page(
                "comune.html",
                f"/comuni/{comune_id}/",
                f"territorio.yaml:{comune_id}",
                comune_id=comune_id,
                comune=comune,
                entries=site.by_comune[comune_id],
            )
        if not any(s in site.pagine for s in ROLE_PAGES["privacy"]):
            page("privacy.html", "/privacy/", "privacy (modello)")
        page("404.html", "/404.html", "404")

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

    def sitemap(self) -> None:
        """``/sitemap.xml``, listing every page written before it; none without a base URL
        (the protocol wants full addresses), and a notice saying so."""
        if self.urls.has_base:
            written = set(self.out.written) | self.kept
            urls = _sitemap(self.site, written, self.updated, self.urls)
            self.page("sitemap.xml", "/sitemap.xml", "sitemap", urls=urls)
        else:
            self.out.notices.append(NO_SITEMAP)

    def robots(self) -> None:
        self.out.write("/robots.txt", _robots(self.urls), "robots")

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


def az_index(site: Site, services: list[Entry]) -> list[tuple[str, list[AzRow]]]:
    """Letters → rows: every service by title, and every word of ``sinonimi.yaml`` that points
    at services as a "vedi" entry (unless it is already a service's title)."""
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


def _sitemap(site: Site, written: set[str], updated: Any, urls: Urls) -> list[tuple[str, str]]:
    lastmod = {e.url: updated(e).isoformat() for e in site.all_entries()}
    paths = {"/" + rel[: -len("index.html")] for rel in written if rel.endswith("index.html")}
    return [(feed.xml_clean(urls.absolute(path)), lastmod.get(path, "")) for path in sorted(paths)]


def _robots(urls: Urls) -> str:
    lines = ["User-agent: *", "Allow: /"]
    if urls.has_base:  # the Sitemap line must be an absolute URL
        lines.append(f"Sitemap: {urls.absolute('/sitemap.xml')}")
    return "\n".join(lines) + "\n"
