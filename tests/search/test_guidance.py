"""A way forward from every search: where to ask when little is found, the emergency
numbers for violence and emergencies, filters mentioned only when set, the count said once,
and "Forse cercavi" only when it helps — the same in the engine, the command line, the JSON
API and the server's HTML (the browser is checked by test_parity and tests/browser)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlencode

import pytest

from carta import yamlstrict
from carta.cli import main
from carta.pipeline import check
from carta.search.engine import LITTLE, Clause
from carta.server import SiteApp

from ..conftest import wsgi_call
from .conftest import SITES

ASK = {
    "content": ["Segretariato sociale", "Servizio sociale professionale"],
    "bologna-metropolitana": [
        "Sportello sociale",
        "Servizio sociale territoriale (assistente sociale)",
    ],
}


def titles(guidance) -> list[str]:  # type: ignore[no-untyped-def]
    return [link["titolo"] for link in guidance["links"]]


@pytest.mark.parametrize("site", ASK)
def test_few_results_point_to_the_configured_places_and_to_the_areas(site: str, engines) -> None:  # type: ignore[no-untyped-def]
    result = engines[site].search("xqzw")
    assert result.total == 0 and result.guidance is not None
    assert titles(result.guidance) == [*ASK[site], "Servizi per area di bisogno"]
    assert result.guidance["links"][-1]["url"] == "/aree/"
    assert "Non hai trovato quello che cerchi?" in result.guidance["text"]


def test_many_results_need_no_guidance_and_two_results_get_it(engines) -> None:  # type: ignore[no-untyped-def]
    engine = engines["content"]
    assert engine.search("assistenza domiciliare").guidance is None
    few = engine.search("baby sitter formazione")
    assert 0 < few.total < LITTLE and titles(few.guidance)[:2] == ASK["content"]
    assert engine.search("").guidance is None  # nothing searched, nothing to advise


EMERGENCY_QUERIES = [
    "violenza",
    "maltrattamenti",
    "stalking",
    "emergenza",
    "aiuto subito",
    "picchiata",
    "mi picchia",
    "abuso",
    "mio marito mi picchia",
    "sono stata picchiata",
    "violenza domestica",
]


@pytest.mark.parametrize(
    ("site", "query"),
    [(site, query) for site in ASK for query in EMERGENCY_QUERIES]
    + [("content", "maltrattamenti su un bambino"), ("bologna-metropolitana", "violenza donne")],
)
def test_violence_and_emergencies_lead_first_to_the_emergency_numbers(
    site: str, query: str, engines
) -> None:  # type: ignore[no-untyped-def]
    result = engines[site].search(query)
    assert result.guidance is not None and result.guidance["urgent"], query
    assert result.guidance["links"][0] == {"titolo": "Numeri utili", "url": "/pagine/numeri-utili/"}
    assert "112" in result.guidance["text"] and "1522" in result.guidance["text"]
    assert "numeri-utili" in [h.slug for h in result.results[:5]]


def test_an_ordinary_search_is_not_treated_as_an_emergency(engines) -> None:  # type: ignore[no-untyped-def]
    for query in ("badante", "emergenza abitativa", "abuso di alcol"):
        guidance = engines["content"].search(query).guidance
        assert guidance is None or not guidance["urgent"], query


def test_filters_are_mentioned_only_when_some_are_set(engines) -> None:  # type: ignore[no-untyped-def]
    engine = engines["content"]
    bare = engine.search("asilo nido")
    assert bare.total == 0 and "filtr" not in (bare.message or "").lower()
    filtered = engine.search("badante", filters={"area": "lavoro"})
    assert filtered.total == 0 and "filtr" in (filtered.message or "")


def test_the_free_filter_is_offered_only_where_something_is_free(
    search_sites: dict[str, Path], built_mini: Path
) -> None:
    # no Crema service is marked free: the box would only ever empty the results
    assert 'id="f-gratuito"' not in (search_sites["content"] / "cerca" / "index.html").read_text()
    assert 'id="f-gratuito"' in (built_mini / "cerca" / "index.html").read_text()


@pytest.mark.parametrize(
    "query",
    [
        "pacco alimentare",  # proposed "pacco aumentare"
        "parlane con un assistente sociale",  # the right service was already found
        "parla con un assistente sociale",
        "non riesco a pagare l'affitto",  # proposed "non riesce a pagare…"
        "mio figlio ha bisogno di aiuto a scuola",  # proposed "mio figli…"
        "sono incinta e sola",  # "incontra" is two edits from a seven-letter word
    ],
)
def test_no_nonsense_suggestions(query: str, engines) -> None:  # type: ignore[no-untyped-def]
    assert engines["content"].search(query).suggestion is None


@pytest.mark.parametrize(
    ("query", "suggestion"),
    [
        ("anzaini", "anziani"),
        ("amministratore di sosteno", "amministratore di sostegno"),
        ("assistenza domicilare", "assistenza domiciliare"),
    ],
)
def test_a_real_typo_still_gets_a_useful_suggestion(query: str, suggestion: str, engines) -> None:  # type: ignore[no-untyped-def]
    engine = engines["content"]
    result = engine.search(query)
    assert result.suggestion == suggestion
    assert engine.search(suggestion).total > 0


def test_the_any_word_fallback_ranks_entries_matching_more_words_first(engines) -> None:  # type: ignore[no-untyped-def]
    engine = engines["content"]
    query = "affido sfratto ludopatia"
    result = engine.search(query, limit=100)
    assert "almeno una" in (result.message or "")
    scores = engine._run(engine.plan(query), False, None)
    matched = [scores[engine_docnum(engine, h.slug)][1] for h in result.results]
    assert matched == sorted(matched, reverse=True) and matched[0] > matched[-1]


def engine_docnum(engine, slug: str) -> int:  # type: ignore[no-untyped-def]
    return next(n for n, d in enumerate(engine.docs) if d["slug"] == slug)


def test_everyday_words_of_a_sentence_are_dropped_but_not_alone(engines) -> None:  # type: ignore[no-untyped-def]
    engine = engines["content"]
    assert [c.words for c in engine.plan("vorrei parlare con un assistente sociale")] == [
        ["assistente", "sociale"]
    ]
    assert engine.plan("bisogno") != []
    assert isinstance(engine.plan("bisogno")[0], Clause)


def test_count_is_said_once_in_the_server_page(search_sites: dict[str, Path]) -> None:
    app = SiteApp(search_sites["content"])
    _, _, body = wsgi_call(app, "/cerca/", urlencode({"q": "asilo nido"}))
    html = body.decode("utf-8")
    region = html[html.index("<!--carta:risultati-->") : html.index("<!--/carta:risultati-->")]
    text = re.sub(r"<[^>]+>", " ", region)
    assert text.count("Nessun risultato") == 1 and "0 risultati" not in text
    assert "filtr" not in text.lower()
    for title in ASK["content"]:
        assert f">{title}</a>" in region
    assert 'href="/aree/"' in region
    _, _, body = wsgi_call(app, "/cerca/", urlencode({"q": "badante"}))
    assert len(re.findall(r"\d+ risultat", body.decode("utf-8"))) == 1


def test_server_shows_the_emergency_numbers_before_the_results(
    search_sites: dict[str, Path],
) -> None:
    app = SiteApp(search_sites["content"])
    _, _, body = wsgi_call(app, "/cerca/", urlencode({"q": "mi picchia"}))
    html = body.decode("utf-8")
    assert html.index('class="guida urgente"') < html.index("risultati-elenco")
    assert 'href="/pagine/numeri-utili/"' in html


def test_guidance_on_the_command_line_and_in_json(
    search_sites: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    out = str(search_sites["bologna-metropolitana"])
    assert main(["search", "xqzw", "--out", out]) == 0
    text = capsys.readouterr().out
    assert text.count("Nessun risultato") == 1 and "0 risultati" not in text
    assert "  - Sportello sociale: /servizi/sportello-sociale/" in text
    assert "/servizi/servizio-sociale-territoriale/" in text
    assert "  - Servizi per area di bisogno: /aree/" in text
    assert main(["search", "violenza", "--json", "--out", out]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["guidance"]["urgent"] is True
    assert data["guidance"]["links"][0]["url"] == "/pagine/numeri-utili/"


def test_dove_chiedere_must_name_existing_entries(mini: Path) -> None:
    path = mini / "carta.yaml"
    path.write_text(
        path.read_text(encoding="utf-8") + "dove_chiedere: [sportello-nord, sportelo-sud]\n",
        encoding="utf-8",
    )
    _, problems = check(mini)
    messages = [str(p) for p in problems]
    assert len(messages) == 1 and "dove_chiedere" in messages[0] and "'sportelo-sud'" in messages[0]


@pytest.mark.parametrize("site", ASK)
def test_the_emergency_page_cites_the_acts_behind_its_numbers(site: str) -> None:
    registry = yamlstrict.load((SITES[site] / "fonti.yaml").read_text(encoding="utf-8"))
    text = (SITES[site] / "pagine" / "numeri-utili.md").read_text(encoding="utf-8")
    meta = yamlstrict.load(text.split("---")[1])
    cited = {c["fonte"]: registry[c["fonte"]] for c in meta["fonti"]}
    assert {s["tipo"] for s in cited.values()} == {"norma"}
    assert {"decisione-91-396-cee", "legge-124-2015", "decreto-legge-11-2009"} <= set(cited)
    assert "verificato_il" not in meta  # nobody has verified it with a provider
    body = text.split("---", 2)[2]
    assert "112" in body and "1522" in body and "24 ore su 24" in body
