"""Search on the page of another language in a real browser: cerca.js reads the index of
that language (``data-indice`` naming ``/_search/<lang>/``), links to the pages of that
language and marks the results whose text is Italian."""

from __future__ import annotations

import functools
import shutil
import threading
from collections.abc import Iterator
from datetime import date
from http.server import ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest

from carta.pipeline import build
from carta.search.engine import Engine

from ..conftest import FIXTURES, TODAY
from ..search.test_languages import AR, EN, SERVICE
from .test_search import _Quiet


@pytest.fixture(scope="module")
def language_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    root = tmp_path_factory.mktemp("languages-browser")
    content = root / "content"
    shutil.copytree(FIXTURES / "mini", content)
    config = content / "carta.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "lingue: [en, ar]\n", encoding="utf-8")
    (content / f"{SERVICE}.en.md").write_text(EN, encoding="utf-8")
    (content / f"{SERVICE}.ar.md").write_text(AR, encoding="utf-8")
    site = root / "site"
    build(content, site, today=date.fromisoformat(TODAY))
    # the build writes the search page of each language, naming the index of its language
    assert 'data-indice="/_search/"' in (site / "cerca" / "index.html").read_text(encoding="utf-8")
    for lang in ("en", "ar"):
        page = (site / lang / "cerca" / "index.html").read_text(encoding="utf-8")
        assert f'data-indice="/_search/{lang}/"' in page and f'<html lang="{lang}"' in page
    handler = functools.partial(_Quiet, directory=str(site))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}", site
    server.shutdown()


@pytest.mark.parametrize(
    ("lang", "query"),
    [("en", "home care"), ("en", "centro diurno"), ("ar", "المساعدةُ"), ("ar", "المسـاعده")],
)
def test_the_browser_searches_the_index_of_the_page_language(
    browser,  # type: ignore[no-untyped-def]
    language_site: tuple[str, Path],
    lang: str,
    query: str,
) -> None:
    base, site = language_site
    page = browser.new_page()
    page.goto(f"{base}/{lang}/cerca/?q={quote(query)}")
    page.wait_for_selector("#conteggio", timeout=10_000)
    links = page.locator(".risultato h2 a").evaluate_all("els => els.map(e => e.href)")
    marks = page.locator(".risultato h2").evaluate_all("els => els.map(e => e.lang)")
    engine = Engine(site, lang)
    expected = engine.search(query)
    engine.close()
    assert expected.results
    assert [urlsplit(h).path for h in links] == [h.url for h in expected.results]
    assert all(urlsplit(h).path.startswith(f"/{lang}/") for h in links)
    # Italian text on a page in another language says so; translated text needs no mark
    assert marks == ["it" if h.lingua == "it" else "" for h in expected.results]
    page.close()
