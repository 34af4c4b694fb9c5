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


def test_server_and_browser_compose_the_same_sheet(browser, static_site) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    base, site = static_site
    server_base, server = serve_folder(site)  # the same build, served by carta's server
    query = "/foglio/?s=tutela-minori&s=albo-baby-sitter&s=assistenza-domiciliare"
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
    assert sheets[0].count('class="scheda-foglio"') == 3
    assert sheets[0] == sheets[1]


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
