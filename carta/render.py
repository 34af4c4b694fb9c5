"""Stage 4: the resolved site → HTML pages, sitemap and static assets, written into a folder.

Jinja2 with autoescape on for every template and ``StrictUndefined``; Markdown reaches a
template only as sanitised ``Markup`` (see :mod:`carta.markup`). Output is deterministic:
sorted iteration, no timestamps.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from . import model as m
from .markup import Renderer
from .site import Entry, Site, fold

MONTHS = [
    "gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno",
    "luglio", "agosto", "settembre", "ottobre", "novembre", "dicembre",
]  # fmt: skip


class DuplicateOutput(Exception):
    """Two pages would be written to the same file (a bug, or two entries with one URL)."""


@dataclass
class Output:
    """Collects files to write and refuses to write one twice."""

    root: Path
    written: dict[str, str] = field(default_factory=dict)  # relative path → what wrote it

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
    if value is None:
        return ""
    if isinstance(value, str):
        parts = value.split("-")
        if len(parts) == 1:
            return parts[0]
        if len(parts) == 2:
            return f"{MONTHS[int(parts[1]) - 1]} {parts[0]}"
        value = date.fromisoformat(value)
    day = "1º" if value.day == 1 else str(value.day)
    return f"{day} {MONTHS[value.month - 1]} {value.year}"


def euro(value: float) -> str:
    """``12500.5`` → ``12.500,50 €``; whole amounts without decimals."""
    whole = float(value).is_integer()
    text = f"{value:,.0f}" if whole else f"{value:,.2f}"
    return text.replace(",", "X").replace(".", ",").replace("X", ".") + " €"


def make_environment(templates: Path, site: Site) -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(templates)),
        autoescape=select_autoescape(["html", "xml"], default_for_string=True, default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    prefix = urlsplit(site.config.url_base or "").path.rstrip("/")
    env.filters["data_it"] = date_it
    env.filters["euro"] = euro
    env.tests["contains"] = lambda seq, item: item in seq
    env.globals.update(
        site=site,
        labels={
            "stato_servizio": m.SERVICE_STATES,
            "stato_iniziativa": m.INITIATIVE_STATES,
            "modalita": m.ACCESS_MODES,
            "costi": m.COST_TYPES,
            "tipo_ente": m.ENTE_TYPES,
            "natura": m.ENTE_NATURE,
        },
        sections=m.SERVICE_SECTIONS,
        url=lambda path: prefix + path,
        place_name=site.place_name,
        lang=site.config.lingua,
    )
    return env


def render_site(site: Site, out_dir: Path, templates: Path) -> Output:
    """Write every page of ``site`` into ``out_dir`` (which must be empty)."""
    env = make_environment(templates, site)
    md = Renderer()
    out = Output(out_dir)

    def page(template: str, url_path: str, owner: str, **context: Any) -> None:
        html = env.get_template(template).render(page_url=url_path, **context)
        out.write(url_path, html, owner)

    html_of: dict[int, dict[str, Markup]] = {}
    for entry in site.all_entries():
        if entry.kind == "servizio":  # standard sections, placed by the template
            html_of[id(entry)] = {
                "intro": md.html(entry.intro, shift=1),
                **{s.anchor: md.html(s.markdown, shift=1) for s in entry.sections},
            }
        else:  # free body
            html_of[id(entry)] = {"intro": md.html(entry.body)}

    def body(entry: Entry) -> dict[str, Markup]:
        return html_of[id(entry)]

    env.globals["body"] = body

    for kind, template in (
        ("servizi", "servizio.html"),
        ("enti", "ente.html"),
        ("iniziative", "iniziativa.html"),
        ("pagine", "pagina.html"),
    ):
        for entry in getattr(site, kind).values():
            page(template, entry.url, entry.path, entry=entry)

    services = sorted(site.servizi.values(), key=Entry.sort_key)
    page("home.html", "/", "home", latest=_latest_initiatives(site), updated=_last_verified(site))
    page("az.html", "/servizi/", "A–Z", letters=_az(site, services))
    page("enti_index.html", "/enti/", "enti", groups=_enti_by_type(site))
    page("iniziative_index.html", "/iniziative/", "iniziative", groups=_initiatives_by_state(site))
    page("taxonomy_index.html", "/aree/", "aree", kind="aree", terms=site.aree, index=site.by_area)
    page(
        "taxonomy_index.html",
        "/destinatari/",
        "destinatari",
        kind="destinatari",
        terms=site.destinatari,
        index=site.by_destinatari,
    )
    for term_id, term in site.aree.items():
        page(
            "listing.html",
            f"/aree/{term_id}/",
            f"aree.yaml:{term_id}",
            kind="aree",
            term_id=term_id,
            term=term,
            entries=site.by_area[term_id],
        )
    for term_id, term in site.destinatari.items():
        page(
            "listing.html",
            f"/destinatari/{term_id}/",
            f"destinatari.yaml:{term_id}",
            kind="destinatari",
            term_id=term_id,
            term=term,
            entries=site.by_destinatari[term_id],
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
    page("404.html", "/404.html", "404")
    page("sitemap.xml", "/sitemap.xml", "sitemap", urls=sorted(_sitemap(site, out)))
    out.write("/robots.txt", _robots(site), "robots")

    static = templates / "static"
    if static.is_dir():
        shutil.copytree(static, out_dir / "static", dirs_exist_ok=False)
    return out


def _latest_initiatives(site: Site, limit: int = 4) -> list[Entry]:
    order = {"in-corso": 0, "programmata": 1, "conclusa": 2}

    def key(e: Entry) -> tuple[int, str, str]:
        start = e.meta.periodo.dal if e.meta.periodo and e.meta.periodo.dal else "0000"
        inverted = "".join(chr(0x39 - ord(c) + 0x30) if c.isdigit() else c for c in start)
        return (order[e.meta.stato], inverted, e.sort_key()[0])

    return sorted(site.iniziative.values(), key=key)[:limit]


def _last_verified(site: Site) -> date | None:
    dates = [e.verified for e in site.all_entries()]
    return max(dates) if dates else None


def _az(site: Site, services: list[Entry]) -> list[tuple[str, list[tuple[str, str, Entry]]]]:
    """Letters → (label, kind, entry); synonyms appear as "see" entries pointing at services."""
    items: list[tuple[str, str, Entry]] = [(s.title, "servizio", s) for s in services]
    letters: dict[str, list[tuple[str, str, Entry]]] = {}
    for label, kind, entry in items:
        first = fold(label)[:1].upper()
        letter = first if first.isalpha() else "#"
        letters.setdefault(letter, []).append((label, kind, entry))
    return [
        (letter, sorted(rows, key=lambda r: (fold(r[0]), r[2].slug)))
        for letter, rows in sorted(letters.items())
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
            groups.append((m.INITIATIVE_STATES[stato], members))
    return groups


def _sitemap(site: Site, out: Output) -> list[tuple[str, str]]:
    base = (site.config.url_base or "").rstrip("/")
    lastmod = {e.url: e.verified.isoformat() for e in site.all_entries()}
    urls = []
    for rel in out.written:
        if not rel.endswith("index.html"):
            continue
        path = "/" + rel[: -len("index.html")]
        urls.append((base + path, lastmod.get(path, "")))
    return urls


def _robots(site: Site) -> str:
    lines = ["User-agent: *", "Allow: /"]
    base = (site.config.url_base or "").rstrip("/")
    if base:  # the Sitemap line must be an absolute URL
        lines.append(f"Sitemap: {base}/sitemap.xml")
    return "\n".join(lines) + "\n"
