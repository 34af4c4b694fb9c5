"""The referral sheet on a plain static host: composed by the browser from the chosen
services' data (``scheda.json``), the same as the server composes it, text shown as text,
and printed on one A4 page for a few services."""

from __future__ import annotations

import functools
import re
import threading
from datetime import date
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest

from carta.pipeline import build

from ..conftest import TODAY
from .conftest import serve_folder
from .test_search import _Quiet, static_site  # noqa: F401 - shared module fixture


def test_sheet_is_composed_in_the_browser_and_prints_on_one_page(browser, static_site) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    base, _ = static_site
    page = browser.new_page()
    page.goto(f"{base}/foglio/?s=assistenza-domiciliare&s=tutela-minori&s=albo-baby-sitter")
    page.wait_for_selector(".scheda-foglio")
    titles = page.locator(".scheda-foglio h2").all_inner_texts()
    assert titles == [
        "Servizio di Assistenza Domiciliare (SAD)",
        "Servizio Tutela Minori",
        "Albo provinciale baby-sitter",
    ]
    assert page.locator("#s-tutela-minori").is_checked()
    assert page.locator(".scheda-foglio dd a").first.inner_text().startswith(base)  # full address
    page.emulate_media(media="print")
    pdf = page.pdf(format="A4")
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1
    page.close()


def test_choosing_services_builds_the_sheet(browser, static_site) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    base, _ = static_site
    page = browser.new_page()
    page.goto(f"{base}/servizi/affido-familiare/")
    page.get_by_role("link", name="Metti in un foglio con altri servizi").click()
    page.wait_for_selector(".scheda-foglio")
    page.get_by_label("Servizio Tutela Minori").check()
    page.get_by_role("button", name="Prepara il foglio").click()
    page.wait_for_selector('.scheda-foglio[data-slug="tutela-minori"]')
    assert page.locator(".scheda-foglio").count() == 2
    page.close()


def composed_by_both(browser, site: Path, base: str, query: str) -> list[str]:  # type: ignore[no-untyped-def]
    """The sheets of ``query`` as the browser composes them on a static host (``base``) and
    as carta's server composes them from the same build, with the origin replaced."""
    server_base, server = serve_folder(site)  # the same build, served by carta's server
    try:
        sheets = []
        for origin in (base, server_base):
            page = browser.new_page()
            page.goto(origin + query)
            page.wait_for_selector(".scheda-foglio")
            html = page.locator("#foglio .scheda-foglio").evaluate_all(
                "els => els.map(e => e.outerHTML).join('')"
            )
            sheets.append(html.replace(origin, "ORIGIN"))
            page.close()
    finally:
        server.shutdown()
    return sheets


def test_server_and_browser_compose_the_same_sheet(browser, static_site) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    base, site = static_site
    query = "/foglio/?s=tutela-minori&s=albo-baby-sitter&s=assistenza-domiciliare"
    sheets = composed_by_both(browser, site, base, query)
    assert sheets[0].count('class="scheda-foglio"') == 3
    assert sheets[0] == sheets[1]


@pytest.mark.parametrize(
    ("lang", "title", "label"),
    [
        ("en", "Segretariato sociale (social services information desk)", "How to access it"),
        ("ar", "مكتب الاستقبال والإرشاد الاجتماعي (Segretariato sociale)", "طريقة الوصول"),
    ],
)
def test_server_and_browser_compose_the_same_sheet_in_another_language(  # type: ignore[no-untyped-def]
    browser,
    static_site,  # noqa: F811
    lang: str,
    title: str,
    label: str,
) -> None:
    base, site = static_site
    query = f"/{lang}/foglio/?s=segretariato-sociale&s=tutela-minori&s=assistenza-domiciliare"
    sheets = composed_by_both(browser, site, base, query)
    assert sheets[0].count('class="scheda-foglio"') == 3
    assert sheets[0] == sheets[1]
    # the translated service in the language, the others in Italian, marked; the labels and
    # the links in the language
    assert f"<h2>{title}</h2>" in sheets[0]
    assert '<h2 lang="it">Servizio Tutela Minori</h2>' in sheets[0]
    assert f"<dt>{label}</dt>" in sheets[0] and '<span lang="it">' in sheets[0]
    assert (
        f'href="/{lang}/servizi/tutela-minori/">ORIGIN/{lang}/servizi/tutela-minori/</a>'
        in (sheets[0])
    )


def test_a_service_page_in_english_leads_to_the_english_sheet(browser, static_site) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    base, _ = static_site
    page = browser.new_page()
    page.goto(f"{base}/en/servizi/segretariato-sociale/")
    page.get_by_role("link", name="Put on a sheet with other services").click()
    page.wait_for_selector(".scheda-foglio")
    assert page.url == f"{base}/en/foglio/?s=segretariato-sociale"
    assert page.locator("#s-segretariato-sociale").is_checked()
    page.get_by_label("Servizio Tutela Minori").check()
    page.get_by_role("button", name="Prepare the sheet").click()
    page.wait_for_selector('.scheda-foglio[data-slug="tutela-minori"]')
    assert page.locator(".scheda-foglio h2").all_inner_texts() == [
        "Segretariato sociale (social services information desk)",
        "Servizio Tutela Minori",
    ]
    assert page.locator(".scheda-foglio dt").first.inner_text() == "How to access it"
    page.close()


def test_the_sheet_shows_text_as_text(browser, mini: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    hostile = '<img src=x onerror="document.title=1">Centro'
    path = mini / "servizi" / "centro-diurno.md"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "titolo: Centro diurno per anziani", f"titolo: '{hostile}'"
        ),
        encoding="utf-8",
    )
    site = tmp_path / "site"
    build(mini, site, today=date.fromisoformat(TODAY))
    handler = functools.partial(_Quiet, directory=str(site))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    page = browser.new_page()
    try:
        page.goto(f"http://127.0.0.1:{server.server_port}/foglio/?s=centro-diurno")
        page.wait_for_selector(".scheda-foglio")
        assert page.locator(".scheda-foglio h2").inner_text() == hostile
        assert page.locator("#foglio img").count() == 0
    finally:
        page.close()
        server.shutdown()
