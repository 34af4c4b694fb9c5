"""Recall@5 on queries phrased the way an operator or a citizen types them, through the
command line and through the server."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlencode

import pytest

from carta.cli import main
from carta.server import SiteApp

from ..conftest import wsgi_call
from .conftest import QUERIES, SITES

MIN_RECALL = 0.9


def recall(found: dict[str, list[str]], site: str) -> tuple[float, list[str]]:
    hits, total, misses = 0, 0, []
    for item in QUERIES[site]:
        for slug in item["top5"]:
            total += 1
            if slug in found[item["q"]][:5]:
                hits += 1
            else:
                misses.append(f"{item['q']!r} → {slug} not in {found[item['q']][:5]}")
    return hits / total, misses


def test_the_query_set_is_large_enough() -> None:
    assert len(QUERIES["content"]) >= 50
    assert len(QUERIES["bologna-metropolitana"]) >= 15
    assert sum(len(items) for items in QUERIES.values()) >= 80
    sentences = [i["q"] for items in QUERIES.values() for i in items if len(i["q"].split()) >= 5]
    assert len(sentences) >= 15  # whole sentences, as people say them


@pytest.mark.parametrize("site", SITES)
def test_whole_sentences_find_their_entry(site: str, engines) -> None:  # type: ignore[no-untyped-def]
    """No tolerance here: a sentence as people say it must find what it is about."""
    misses = []
    for item in QUERIES[site]:
        if len(item["q"].split()) >= 5:
            top = [h.slug for h in engines[site].search(item["q"]).results[:5]]
            misses += [
                f"{item['q']!r} → {slug} not in {top}" for slug in item["top5"] if slug not in top
            ]
    assert misses == []


@pytest.mark.parametrize("site", SITES)
def test_recall_at_5_on_the_command_line(
    site: str, search_sites: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    found = {}
    for item in QUERIES[site]:
        assert (
            main(["search", item["q"], "--json", "--limit", "5", "--out", str(search_sites[site])])
            == 0
        )
        found[item["q"]] = [r["slug"] for r in json.loads(capsys.readouterr().out)["results"]]
    value, misses = recall(found, site)
    assert value >= MIN_RECALL, misses


@pytest.mark.parametrize("site", SITES)
def test_recall_at_5_on_the_server(site: str, search_sites: dict[str, Path]) -> None:
    app = SiteApp(search_sites[site])
    found = {}
    for item in QUERIES[site]:
        status, _, body = wsgi_call(app, "/api/cerca", urlencode({"q": item["q"], "limit": "5"}))
        assert status == "200 OK"
        found[item["q"]] = [r["slug"] for r in json.loads(body)["results"]]
    value, misses = recall(found, site)
    assert value >= MIN_RECALL, misses


def test_json_output_has_the_documented_shape(
    search_sites: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["search", "badante", "--json", "--out", str(search_sites["content"])]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) >= {"query", "total", "suggestion", "results"}
    first = data["results"][0]
    assert set(first) == {"slug", "tipo", "titolo", "sommario", "url", "score", "snippet"}
    assert first["url"] == "/servizi/assistenza-domiciliare/"
    assert "<mark>" in first["snippet"]


def test_typo_gets_a_suggestion_and_approximate_results(engines) -> None:  # type: ignore[no-untyped-def]
    result = engines["content"].search("anzaini")
    assert result.suggestion == "anziani"
    assert result.total > 0 and "parole simili" in (result.message or "")


def test_filters_narrow_results(engines) -> None:  # type: ignore[no-untyped-def]
    engine = engines["content"]
    everything = engine.search("anziani")
    services = engine.search("anziani", filters={"tipo": "servizio"})
    assert 0 < services.total < everything.total
    assert {h.tipo for h in services.results} == {"servizio"}


def test_free_filter_and_browsing_without_words(built_mini: Path) -> None:
    from carta.search.engine import Engine

    engine = Engine(built_mini)
    free = engine.search("", filters={"gratuito": "1"})
    assert [h.slug for h in free.results] == ["sportello-nord"]
    assert free.message is None
    elders = engine.search("", filters={"area": "anziani", "tipo": "servizio"})
    assert [h.slug for h in elders.results] == ["assistenza-domiciliare", "centro-diurno"]
    engine.close()


def test_comune_filter_includes_district_wide_services(engines) -> None:  # type: ignore[no-untyped-def]
    engine = engines["content"]
    result = engine.search("assistenza domiciliare", filters={"comune": "crema"})
    assert "assistenza-domiciliare" in [h.slug for h in result.results]  # territorio: ambito


def test_cli_rejects_an_unknown_filter_value(
    search_sites: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["search", "casa", "--area", "anzian", "--out", str(search_sites["content"])]) == 2
    assert "forse 'anziani'" in capsys.readouterr().err


def test_cli_builds_the_site_when_the_index_is_missing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from ..conftest import FIXTURES

    out = tmp_path / "site"
    assert main(["search", "badante", "--content", str(FIXTURES / "mini"), "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "Assistenza domiciliare" in text and (out / "_search" / "index.json").is_file()
