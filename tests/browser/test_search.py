"""Search in a real browser on a plain static host: cerca.js reads the exported index and
shows the same results as the server, announced to screen readers."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest

from carta.search.engine import Engine

from ..conftest import ROOT, Built


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture(scope="module")
def static_site(shipped: Callable[[Path], Built]) -> Iterator[tuple[str, Path]]:
    site = shipped(ROOT / "content").out
    handler = functools.partial(_Quiet, directory=str(site))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}", site
    server.shutdown()


@pytest.mark.parametrize("query", ["badante", "anzaini", "casa di riposo", "disabilità lavoro"])
def test_static_search_shows_the_same_results_as_whoosh(browser, static_site, query: str) -> None:  # type: ignore[no-untyped-def]
    base, site = static_site
    page = browser.new_page()
    hosts: set[str] = set()
    page.on("request", lambda r: hosts.add(urlsplit(r.url).netloc))
    page.goto(f"{base}/cerca/?q={quote(query)}")
    page.wait_for_selector("#conteggio", timeout=10_000)
    shown = [
        urlsplit(h).path.strip("/").split("/")[-1]
        for h in page.locator(".risultato h2 a").evaluate_all("els => els.map(e => e.href)")
    ]
    engine = Engine(site)
    expected = engine.search(query)
    engine.close()
    assert shown[:5] == [h.slug for h in expected.results][:5]
    assert page.locator("#conteggio").inner_text().startswith(f"{expected.total} risultat")
    status = page.locator("#annuncio")  # the count is announced, not the whole list
    assert (
        status.get_attribute("aria-live") == "polite" and status.get_attribute("role") == "status"
    )
    assert status.inner_text().startswith(f"{expected.total} risultat")
    assert page.locator("#risultati").get_attribute("aria-live") is None
    assert page.locator("#q").input_value() == query  # the query stays in the field
    assert hosts == {urlsplit(base).netloc}
    page.close()


def test_filters_and_suggestion_work_in_the_browser(browser, static_site) -> None:  # type: ignore[no-untyped-def]
    base, _ = static_site
    page = browser.new_page()
    page.goto(f"{base}/cerca/")
    page.get_by_label("Che cosa cerchi?").fill("anzaini")
    page.locator("main summary").click()  # the filters are folded away until asked for
    page.get_by_label("Tipo di scheda").select_option("servizio")
    page.get_by_role("button", name="Applica i filtri").click()
    page.wait_for_selector("#conteggio")
    assert page.locator(".suggerimento").inner_text() == "Forse cercavi: anziani"
    assert set(page.locator(".risultato .tipo").all_inner_texts()) == {"Servizio"}
    assert "Tipo di scheda: Servizi" in page.locator(".filtri-attivi").inner_text()
    page.get_by_role("link", name="anziani").click()
    page.wait_for_selector("#conteggio")
    assert "per «anziani»" in page.locator("#conteggio").inner_text()
    page.close()


def test_a_search_that_finds_nothing_shows_where_to_ask(browser, static_site) -> None:  # type: ignore[no-untyped-def]
    base, _ = static_site
    page = browser.new_page()
    page.goto(f"{base}/cerca/?q={quote('asilo nido')}")
    page.wait_for_selector("#conteggio", timeout=10_000)
    text = page.locator("#risultati").inner_text()
    assert text.count("Nessun risultato") == 1 and "0 risultati" not in text
    assert "filtr" not in text.lower()  # no filter is set
    links = page.locator(".guida a").all_inner_texts()
    assert links == [
        "Segretariato sociale",
        "Servizio sociale professionale",
        "Servizi per area di bisogno",
    ]
    page.goto(f"{base}/cerca/?q={quote('mio marito mi picchia')}")
    page.wait_for_selector("#conteggio", timeout=10_000)
    first = page.locator(".guida a").first
    assert (
        first.inner_text() == "Numeri utili"
        and first.get_attribute("href") == "/pagine/numeri-utili/"
    )
    assert "1522" in page.locator(".guida").inner_text()
    page.close()
