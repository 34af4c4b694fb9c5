"""Both real sites (``content/`` and the Bologna example) in a real browser: accessibility
(axe-core), reflow at 320 px, keyboard, requests, print, structured data.

Each site is built once per session and served on loopback; one browser page per site is
reused across tests."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from ..conftest import ROOT, Built
from .conftest import serve_folder

SITES = {"crema": ROOT / "content", "bologna": ROOT / "examples" / "bologna-metropolitana"}
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
SERVICE_SECTIONS = [
    "A chi è rivolto", "Descrizione", "Come fare", "Cosa serve", "Cosa si ottiene",
    "Tempi e scadenze", "Quanto costa", "Condizioni", "Dove rivolgersi e contatti",
    "Dove è disponibile",
]  # fmt: skip


@dataclass
class Served:
    name: str
    root: Path
    base: str
    page: Any
    requests: list[str] = field(default_factory=list)

    def first(self, folder: str) -> str:
        """The first page (alphabetically) under ``folder``, e.g. ``/servizi/x/``."""
        names = sorted(p.name for p in (self.root / folder).iterdir() if p.is_dir())
        return f"/{folder}/{names[0]}/"

    def page_types(self) -> dict[str, str]:
        types = {
            "home": "/",
            "servizio": self.typical_service(),
            "ente": self.first("enti"),
            "iniziativa": self.first("iniziative"),
            "pagina": self.first("pagine"),
            "A–Z": "/servizi/",
            "aree": "/aree/",
            "elenco per area": self.first("aree"),
            "destinatari": "/destinatari/",
            "elenco per destinatari": self.first("destinatari"),
            "comuni": "/comuni/",
            "comune": self.first("comuni"),
            "enti": "/enti/",
            "iniziative": "/iniziative/",
            "dati": "/dati/",
            "la Carta in numeri": "/osservatorio/",
            "privacy": "/privacy/",
            "404": "/questa-pagina-non-esiste/",
        }
        if (self.root / "cerca" / "index.html").is_file():
            types["cerca"] = "/cerca/"
            types["cerca con risultati"] = "/cerca/?q=anziani"
        service = self.typical_service().strip("/").split("/")[-1]
        types["foglio"] = (
            f"/foglio/?s={service}&s={self.first('servizi').strip('/').split('/')[-1]}"
        )
        return types

    def typical_service(self) -> str:
        """The service page of median size: what "a typical service" means here."""
        pages = sorted(
            (p.stat().st_size, p.parent.name) for p in (self.root / "servizi").glob("*/index.html")
        )
        return f"/servizi/{pages[len(pages) // 2][1]}/"

    def goto(self, path: str) -> None:
        response = self.page.goto(self.base + path)
        assert response is not None
        expected = 404 if "non-esiste" in path else 200
        assert response.status == expected, f"{self.name} {path}: {response.status}"


@pytest.fixture(scope="session", params=sorted(SITES))
def served(
    request: pytest.FixtureRequest, browser: Any, shipped: Callable[[Path], Built]
) -> Iterator[Served]:
    name = request.param
    root = shipped(SITES[name]).out
    base, server = serve_folder(root)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="it-IT")
    page = context.new_page()
    site = Served(name, root, base, page)
    page.on("request", lambda r: site.requests.append(r.url))
    yield site
    context.close()
    server.shutdown()


def test_every_page_type_has_no_axe_violations(served: Served) -> None:
    found = axe_violations(served, served.page_types())
    assert found == {}, "\n".join(f"{k}:\n{v}" for k, v in found.items())


def axe_violations(served: Served, pages: dict[str, str]) -> dict[str, str]:
    """axe's report of every page of ``pages`` (kind → path) with violations, wide and on a
    phone with its folded header; what is folded away (groups, page index, menu) is opened
    and checked too."""
    found = {}
    for width in (1280, 390):
        served.page.set_viewport_size({"width": width, "height": 900})
        for kind, path in pages.items():
            served.goto(path)
            served.page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
            report = axe_report(served.page)
            if report:
                found[f"{width} px {kind} {path}"] = report
    served.page.set_viewport_size({"width": 1280, "height": 900})
    return found


def axe_report(page: Any) -> str:
    """axe-core's violations on ``page`` (the rules of :data:`AXE_TAGS`), one block per rule
    with the elements that break it; empty when there are none. axe-core is the copy bundled
    by axe-playwright-python; only the violations come back from the page (the full results,
    passes included, took longer to serialise than to compute)."""
    from axe_playwright_python.sync_playwright import Axe

    page.evaluate(Axe().axe_script)
    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
    violations = page.evaluate(
        "options => axe.run(document, options).then(r => r.violations.map(v => ({"
        "id: v.id, impact: v.impact, help: v.help,"
        "nodes: v.nodes.map(n => n.target.join(' ') + '  ' + n.html.slice(0, 200))})))",
        options,
    )
    return "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']}\n" + "\n".join(f"  {n}" for n in v["nodes"])
        for v in violations
    )


def test_the_accessibility_check_reports_what_breaks_the_rules(browser: Any) -> None:
    page = browser.new_page()
    try:
        page.set_content(
            '<!doctype html><html lang="it"><title>x</title><main><img src="a.png">'
            '<a href="/x"></a><p style="color:#bbb;background:#fff">poco contrasto</p></main>'
        )
        report = axe_report(page)
    finally:
        page.close()
    for rule in ("image-alt", "link-name", "color-contrast"):
        assert rule in report, report
    assert "<img" in report  # the element is named


def test_every_page_type_reflows_at_320_px_and_has_one_h1(served: Served) -> None:
    served.page.set_viewport_size({"width": 320, "height": 700})
    try:
        overflowing = {}
        for kind, path in served.page_types().items():
            served.goto(path)
            assert served.page.locator("h1").count() == 1, path
            assert served.page.locator("html").get_attribute("lang") == "it"
            extra = served.page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            if extra > 0:
                overflowing[f"{kind} {path}"] = extra
        assert overflowing == {}
    finally:
        served.page.set_viewport_size({"width": 1280, "height": 900})


def test_the_browser_asks_nothing_from_other_hosts(served: Served) -> None:
    served.requests.clear()
    for path in served.page_types().values():
        served.goto(path)
    served.page.wait_for_load_state("networkidle")
    hosts = {urlsplit(u).netloc for u in served.requests if not u.startswith("data:")}
    assert hosts == {urlsplit(served.base).netloc}


def test_keyboard_reaches_skip_link_search_and_main_links_with_visible_focus(
    served: Served,
) -> None:
    page = served.page
    served.goto(served.typical_service())
    focused = []
    for _ in range(12):
        page.keyboard.press("Tab")
        focused.append(
            page.evaluate(
                """() => {
                const el = document.activeElement, style = getComputedStyle(el);
                return {tag: el.tagName, text: (el.innerText || el.getAttribute('name') || '').trim(),
                        outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2};
            }"""
            )
        )
    texts = [f["text"] for f in focused]
    assert texts[0] == "Vai al contenuto"
    assert "q" in texts, texts  # the search box
    assert "Servizi dalla A alla Z" in texts and "Aree di bisogno" in texts
    assert all(f["outline"] for f in focused), focused
    # the skip link moves the focus to the main content
    served.goto("/")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "contenuto"


def test_search_form_on_home_and_404_works_without_javascript(served: Served) -> None:
    for path in ("/", "/questa-pagina-non-esiste/"):
        served.goto(path)
        form = served.page.locator("main form[role=search]")
        assert form.get_attribute("method") == "get"
        assert form.get_attribute("action") == "/cerca/"
        label = form.locator("label")
        assert label.is_visible()
        field_id = label.get_attribute("for")
        assert form.locator(f"#{field_id}").get_attribute("name") == "q"


def test_service_page_sections_and_structured_data(served: Served) -> None:
    page = served.page
    for path in sorted(p.parent.name for p in (served.root / "servizi").glob("*/index.html")):
        served.goto(f"/servizi/{path}/")
        headings = page.locator("main h2").all_inner_texts()
        shown = [h for h in headings if h in SERVICE_SECTIONS]
        assert shown == sorted(shown, key=SERVICE_SECTIONS.index), path
        assert headings[0] == "Indice della pagina"
        data = json.loads(page.locator('script[type="application/ld+json"]').inner_text())
        assert data["@type"] == "GovernmentService"
        assert data["name"] == page.locator("h1").inner_text()
        for key in ("areaServed", "audience", "availableChannel", "subjectOf"):
            assert data[key], (path, key)
        assert re.fullmatch(r"\d{4}-\d\d-\d\d", data["dateModified"])
        # nobody verified the shipped content: no review date, and the state says its source
        assert "lastReviewed" not in data
        assert " secondo il documento «" in data["disambiguatingDescription"]
        for hook in ("service-title", "service-status", "page-index", "service-how-to"):
            assert page.locator(f'[data-element="{hook}"]').count() == 1, (path, hook)


def test_a_typical_service_prints_on_one_a4_page(served: Served) -> None:
    page = served.page
    served.goto(served.typical_service())
    page.emulate_media(media="print")
    try:
        assert not page.locator("nav.menu").is_visible()
        assert not page.locator(".indice").is_visible()
        assert page.locator(".solo-stampa").is_visible()
        # where the information comes from and how old it is, on paper too
        assert page.locator('[data-element="source-line"]').is_visible()
        assert page.locator(".fonti").is_visible()
        pdf = page.pdf(format="A4")
    finally:
        page.emulate_media(media="screen")
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert pages == 1, f"{served.typical_service()} prints on {pages} pages"


def test_print_button_appears_only_with_javascript(served: Served, browser: Any) -> None:
    served.goto(served.typical_service())
    assert served.page.get_by_role("button", name="Stampa la scheda").is_visible()
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(served.base + served.typical_service())
        assert page.get_by_role("button", name="Stampa la scheda").count() == 0
        assert page.locator("#contatti").is_visible()
    finally:
        context.close()


#: the printable width of an A4 page with the print stylesheet's margins (210 - 2 × 14 mm)
A4_CONTENT_PX = round((210 - 28) / 25.4 * 96)


def test_la_carta_in_numeri_prints_on_a4_without_cutting_charts_or_tables(served: Served) -> None:
    page = served.page
    page.set_viewport_size({"width": A4_CONTENT_PX, "height": 1100})
    served.goto("/osservatorio/")
    page.emulate_media(media="print")
    try:
        wide = page.evaluate(
            """(limit) => [...document.querySelectorAll('main svg, main table')]
                .map(el => [el.tagName + (el.id ? '#' + el.id : ''), el.getBoundingClientRect().right])
                .filter(([, right]) => right > limit + 1)""",
            A4_CONTENT_PX,
        )
        assert wide == []
        assert page.locator("main svg").count() >= 3
        pdf = page.pdf(format="A4")
    finally:
        page.emulate_media(media="screen")
        page.set_viewport_size({"width": 1280, "height": 900})
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) >= 1


def language_pages(served: Served) -> dict[str, str]:
    """Pages in English and Arabic: a translated service, the typical (untranslated) service,
    the home, a listing, a free page, search with results, the foglio composed with a
    translated and an untranslated service, and the 404."""
    translated = sorted(
        f.name.removesuffix(".ar.md") for f in (SITES[served.name] / "servizi").glob("*.ar.md")
    )
    typical = served.typical_service().strip("/").split("/")[-1]
    types = {}
    for lang in ("en", "ar"):
        types.update(
            {
                f"{lang} home": f"/{lang}/",
                f"{lang} servizio tradotto": f"/{lang}/servizi/{translated[0]}/",
                f"{lang} servizio non tradotto": f"/{lang}{served.typical_service()}",
                f"{lang} A–Z": f"/{lang}/servizi/",
                f"{lang} elenco per area": f"/{lang}{served.first('aree')}",
                f"{lang} comune": f"/{lang}{served.first('comuni')}",
                f"{lang} pagina": f"/{lang}{served.first('pagine')}",
                f"{lang} cerca con risultati": f"/{lang}/cerca/?q=anziani",
                f"{lang} foglio": f"/{lang}/foglio/?s={translated[0]}&s={typical}",
                f"{lang} 404": f"/{lang}/questa-pagina-non-esiste/",
            }
        )
    return types


def test_pages_in_english_and_arabic_have_no_axe_violations(served: Served) -> None:
    found = axe_violations(served, language_pages(served))
    assert found == {}, "\n".join(f"{k}:\n{v}" for k, v in found.items())


def test_arabic_pages_read_right_to_left_without_horizontal_scroll_at_320_px(
    served: Served,
) -> None:
    served.page.set_viewport_size({"width": 320, "height": 700})
    try:
        overflowing = {}
        for kind, path in language_pages(served).items():
            if not kind.startswith("ar "):
                continue
            served.goto(path)
            html = served.page.locator("html")
            assert (html.get_attribute("lang"), html.get_attribute("dir")) == ("ar", "rtl"), path
            assert served.page.evaluate("getComputedStyle(document.body).direction") == "rtl"
            assert served.page.locator("h1").count() == 1, path
            extra = served.page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            # in right-to-left a page overflows to the left: the scroll width shows it too
            left = served.page.evaluate(
                "Math.min(0, ...[...document.querySelectorAll('body *')].map("
                "e => e.getBoundingClientRect().left))"
            )
            if extra > 0 or left < -1:
                overflowing[f"{kind} {path}"] = (extra, left)
        assert overflowing == {}
    finally:
        served.page.set_viewport_size({"width": 1280, "height": 900})


def test_arabic_pages_load_no_web_font(served: Served) -> None:
    served.requests.clear()
    served.goto(f"/ar{served.typical_service()}")
    served.page.wait_for_load_state("networkidle")
    assert not [r for r in served.requests if r.endswith(".woff2")]
