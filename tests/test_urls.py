"""One owner of ``url_base`` (carta/urls.py): a Carta published under a path
(``https://esempio.it/carta/``) links to itself with that path once, never twice, and gives
full addresses wherever they are required; without a base URL there is no sitemap."""

from __future__ import annotations

import json
import re
import shutil
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import pytest

from carta.cli import main
from carta.pipeline import build
from carta.server import SiteApp
from carta.urls import Urls

from .conftest import FIXTURES, TODAY, page, wsgi_call

BASE = "https://esempio.it/carta/"
ABS = "https://esempio.it/carta"
DAY = date.fromisoformat(TODAY)
LINK = re.compile(r'(?:href|src|action|data-indice)="([^"]*)"')


@pytest.fixture(scope="module")
def under_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The mini site built with ``url_base: https://esempio.it/carta/``."""
    root = tmp_path_factory.mktemp("sotto-percorso")
    content = root / "content"
    shutil.copytree(FIXTURES / "mini", content)
    config = content / "carta.yaml"
    config.write_text(config.read_text(encoding="utf-8") + f"url_base: {BASE}\n", encoding="utf-8")
    build(content, root / "site", today=DAY)
    return root / "site"


def test_the_helper_keeps_the_path_of_the_base_once() -> None:
    urls = Urls.of(BASE)
    assert urls.prefix == "/carta"
    assert urls.path("/servizi/x/") == "/carta/servizi/x/"
    assert urls.absolute("/servizi/x/") == "https://esempio.it/carta/servizi/x/"
    none = Urls.of(None)
    assert (none.prefix, none.path("/a/"), none.absolute("/a/")) == ("", "/a/", "/a/")
    assert none.absolute_or_none("/a/") is None and not none.has_base


def test_no_output_doubles_the_prefix(under_path: Path) -> None:
    for path in under_path.rglob("*"):
        if path.is_file() and path.suffix in {".html", ".json", ".xml", ".jsonld", ".csv", ".txt"}:
            text = path.read_text(encoding="utf-8")
            assert "/carta/carta" not in text, path


def test_every_link_of_the_pages_carries_the_prefix(under_path: Path) -> None:
    pages = list(under_path.rglob("*.html"))
    assert len(pages) > 20
    for html_file in pages:
        for link in LINK.findall(html_file.read_text(encoding="utf-8")):
            if link.startswith("/"):
                assert link.startswith("/carta/"), (html_file, link)


def test_the_sheet_data_links_with_the_prefix_and_the_full_address(under_path: Path) -> None:
    data = json.loads((under_path / "servizi/centro-diurno/scheda.json").read_text("utf-8"))
    assert data["url"] == "/carta/servizi/centro-diurno/"
    assert data["indirizzo"] == f"{ABS}/servizi/centro-diurno/"


def test_sitemap_feed_json_ld_and_open_data_carry_full_addresses(under_path: Path) -> None:
    sitemap = ET.fromstring((under_path / "sitemap.xml").read_bytes())
    locs = [e.text or "" for e in sitemap.iter() if e.tag.endswith("loc")]
    assert locs and all(loc.startswith(f"{ABS}/") for loc in locs)
    assert f"{ABS}/cerca/" in locs and f"{ABS}/servizi/centro-diurno/" in locs
    assert f"Sitemap: {ABS}/sitemap.xml" in page(under_path, "/robots.txt")

    feed = ET.fromstring((under_path / "feed.xml").read_bytes())
    hrefs = [e.get("href", "") for e in feed.iter() if e.tag.endswith("link")]
    assert hrefs and all(h.startswith(f"{ABS}/") for h in hrefs)

    html = page(under_path, "/servizi/centro-diurno/")
    match = re.search(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', html)
    assert match
    ld = json.loads(match.group(1))
    assert ld["url"] == f"{ABS}/servizi/centro-diurno/"
    assert ld["availableChannel"]["serviceUrl"] == ld["url"]

    services = json.loads((under_path / "dati/servizi.json").read_text("utf-8"))
    assert {s["url"] for s in services} >= {f"{ABS}/servizi/centro-diurno/"}
    catalogue = json.loads((under_path / "dati/catalogo.jsonld").read_text("utf-8"))
    assert catalogue["foaf:homepage"]["@id"] == f"{ABS}/"


def test_search_results_from_the_server_link_with_the_prefix(under_path: Path) -> None:
    status, _, body = wsgi_call(SiteApp(under_path), "/cerca/", "q=centro+diurno")
    assert status == "200 OK"
    html = body.decode("utf-8")
    assert 'href="/carta/servizi/centro-diurno/"' in html
    for link in LINK.findall(html):
        if link.startswith("/"):
            assert link.startswith("/carta/") and not link.startswith("/carta/carta"), link


def test_the_foglio_of_another_language_links_with_the_prefix(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(FIXTURES / "mini", content)
    config = content / "carta.yaml"
    config.write_text(
        config.read_text(encoding="utf-8") + f"url_base: {BASE}\nlingue: [en]\n", encoding="utf-8"
    )
    site = tmp_path / "site"
    build(content, site, today=DAY)
    data = json.loads((site / "en/servizi/centro-diurno/scheda.json").read_text("utf-8"))
    assert data["url"] == "/carta/en/servizi/centro-diurno/"
    assert data["indirizzo"] == f"{ABS}/en/servizi/centro-diurno/"
    # the form's action, from which foglio.js finds the sheet data of its language
    assert 'action="/carta/en/foglio/"' in page(site, "/en/foglio/")
    assert 'href="/carta/en/foglio/?s=centro-diurno"' in page(site, "/en/servizi/centro-diurno/")
    status, _, body = wsgi_call(SiteApp(site), "/en/foglio/", "s=centro-diurno")
    html = body.decode("utf-8")
    assert status == "200 OK" and 'class="scheda-foglio"' in html
    for link in LINK.findall(html):
        if link.startswith("/"):
            assert link.startswith("/carta/") and not link.startswith("/carta/carta"), link


def test_without_a_base_url_the_build_leaves_out_the_sitemap_and_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "site"
    code = main(["build", "--content", str(FIXTURES / "mini"), "--out", str(out)])
    assert code == 0
    assert "sitemap.xml non scritta" in capsys.readouterr().err
    assert not (out / "sitemap.xml").exists()
    assert "Sitemap:" not in page(out, "/robots.txt")
    for html_file in out.rglob("*.html"):  # no link to a file that is not there
        assert "sitemap.xml" not in html_file.read_text(encoding="utf-8"), html_file
    # not a content problem: the content still passes the strictest check
    assert main(["check", "--strict", "--content", str(FIXTURES / "mini")]) == 0


def test_base_url_option_sets_the_address_of_a_deployment(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "site"
    args = ["build", "--content", str(FIXTURES / "mini"), "--out", str(out)]
    assert main([*args, "--base-url", "https://altro.example.org/guida/"]) == 0
    assert "sitemap.xml non scritta" not in capsys.readouterr().err
    sitemap = page(out, "/sitemap.xml")
    assert "<loc>https://altro.example.org/guida/servizi/centro-diurno/</loc>" in sitemap
    assert 'href="/guida/servizi/centro-diurno/"' in page(out, "/servizi/")
    assert main([*args, "--base-url", "esempio.it"]) == 2
    assert "--base-url" in capsys.readouterr().err
