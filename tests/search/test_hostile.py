"""Any input gets a normal answer: maybe empty, with a message; never an exception or a 5xx.
The server answers a plain HTTP client with no JavaScript, and opens only the index the
build wrote."""

from __future__ import annotations

import json
import shutil
import threading
import urllib.request
from pathlib import Path
from urllib.parse import quote, urlencode
from wsgiref.simple_server import make_server

import pytest

from carta.search.engine import Engine, SearchIndexError
from carta.server import SiteApp

from ..conftest import wsgi_call

HOSTILE = [
    "",
    "   ",
    '"',
    '"assistenza domiciliare',
    "(((",
    "anziani)",
    "AND OR NOT",
    "anziani AND NOT disabili",
    "*",
    "anz*",
    "anziani~2",
    "titolo:anziani",
    "\x00\x01\x02\x1b[31m",
    "a" * 10_000,
    "casa " * 3_000,
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "😀 🏠",
    "ﬁ ǅ ß İ",
    "\u202e\u200b",
    "../../etc/passwd",
    "%00",
]


@pytest.mark.parametrize("query", HOSTILE)
def test_engine_answers_anything(engines, query: str) -> None:  # type: ignore[no-untyped-def]
    result = engines["content"].search(query)
    assert result.total >= 0
    assert len(result.query) <= 200
    assert "<script>" not in "".join(h.snippet for h in result.results)
    if result.total == 0 and query.strip():
        assert result.message


@pytest.mark.parametrize("params", [
    {"q": "casa", "area": "non-esiste"},
    {"q": "casa", "comune": "<b>"},
    {"q": "casa", "tipo": "DROP TABLE"},
    {"q": "casa", "limit": "-5"},
    {"q": "casa", "limit": "100000000000000000000"},
    {"q": "casa", "offset": "abc"},
    {"q": "casa", "pagina": "99999999"},
    {"q": ["a", "b"]},
])  # fmt: skip
def test_server_never_fails_on_odd_parameters(search_sites: dict[str, Path], params: dict) -> None:  # type: ignore[type-arg]
    app = SiteApp(search_sites["content"])
    for path in ("/api/cerca", "/cerca/"):
        status, _, body = wsgi_call(app, path, urlencode(params, doseq=True))
        assert status == "200 OK", (path, params)
        if path == "/api/cerca":
            assert len(json.loads(body)["results"]) <= 100


def test_oversized_query_string_is_bounded(search_sites: dict[str, Path]) -> None:
    app = SiteApp(search_sites["content"])
    qs = "q=" + quote("anziani " * 5000) + "&" + "&".join(f"x{n}=1" for n in range(2000))
    status, _, body = wsgi_call(app, "/api/cerca", qs)
    assert status == "200 OK"
    assert len(json.loads(body)["query"]) <= 200


def test_plain_http_client_gets_server_rendered_results(search_sites: dict[str, Path]) -> None:
    server = make_server("127.0.0.1", 0, SiteApp(search_sites["content"]))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_port}"
        with urllib.request.urlopen(base + "/cerca/?q=badante&comune=crema", timeout=10) as r:
            html = r.read().decode("utf-8")
            assert r.status == 200
        assert "risultati per «badante»" in html
        assert 'href="/servizi/assistenza-domiciliare/"' in html
        assert 'value="badante"' in html  # the query is echoed in the field
        assert '<option value="crema" selected>' in html  # and the filter stays chosen
        assert "Rimuovi tutti i filtri" in html
        assert "<noscript>" not in html  # served results need no script
        with urllib.request.urlopen(base + "/cerca/?q=anzaini", timeout=10) as r:
            assert "Forse cercavi" in r.read().decode("utf-8")
        with urllib.request.urlopen(base + "/api/cerca?q=sfratto", timeout=10) as r:
            data = json.loads(r.read())
        assert data["results"][0]["slug"] == "casa-vuoi"
    finally:
        server.shutdown()


def test_a_tampered_index_is_never_opened(search_sites: dict[str, Path], tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(search_sites["content"], site)
    toc = next((site / "_search" / "whoosh").glob("*.toc"))
    toc.write_bytes(toc.read_bytes() + b"\x00")
    with pytest.raises(SearchIndexError):
        Engine(site)
    status, _, _ = wsgi_call(SiteApp(site), "/api/cerca", "q=casa")
    assert status == "503 Service Unavailable"
    (site / "_search" / "whoosh" / "extra.pickle").write_bytes(b"x")
    with pytest.raises(SearchIndexError):
        Engine(site)


def test_no_index_at_all_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SearchIndexError, match="carta build"):
        Engine(tmp_path)
