"""Dates that mean what they say: where a page's information comes from, how old it is, and
a notice when it is old and nobody verified it — computed from the content and the build
date only."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from carta.pipeline import build, check

from .conftest import FIXTURES, ROOT, Built, edit, page
from .test_theme import jsonld

TODAY = date(2026, 11, 23)
SEED_FILE = re.compile(r"\d{3}_[0-9a-f]{16}(?:\.txt)?")


def text_of(markup: str) -> str:
    """The words a reader sees: tags gone, entities decoded, spaces as the browser shows them."""
    text = html.unescape(re.sub(r"<[^>]+>", " ", markup))
    return re.sub(r"\s+([.,;:)])", r"\1", re.sub(r"\s+", " ", text))


def test_service_page_says_where_its_information_comes_from(built_mini: Path) -> None:
    text = text_of(page(built_mini, "/servizi/sportello-nord/"))
    assert (
        "Informazioni tratte da: Piano di prova 2015-2017 (Ambito di Prova, 2015). Vedi le fonti."
        in text
    )
    # the fonti section: title, issuer, date and the part cited, never a file name
    assert "Piano di prova 2015-2017, Ambito di Prova, 2015. Parte citata: Sportelli." in text


def test_old_unverified_information_carries_a_notice_at_the_top(built_mini: Path) -> None:
    html = page(built_mini, "/servizi/sportello-nord/")
    main = html.split("<main", 1)[1]
    notice = main.index('data-element="source-notice"')
    assert notice < main.index('data-element="page-index"')  # near the top, before the index
    text = text_of(main)
    assert (
        "Attivo nel 2015 secondo il documento «Piano di prova 2015-2017». Attenzione: "
        "Informazioni del 2015, mai verificate da allora: potrebbero essere cambiate. Prima di "
        "muoverti chiedi conferma al servizio sociale del tuo Comune." in text
    )


def test_recent_or_verified_information_has_no_notice(built_mini: Path) -> None:
    assert "source-notice" not in page(built_mini, "/servizi/centro-diurno/")  # March 2026
    assert "source-notice" not in page(built_mini, "/servizi/assistenza-domiciliare/")


def test_the_notice_depends_on_the_build_date_only(mini: Path, tmp_path: Path) -> None:
    build(mini, tmp_path / "a", today=date(2027, 3, 31))
    build(mini, tmp_path / "b", today=date(2027, 4, 1))
    # the March 2026 plan is 12 months old at the end of March 2027, not before
    assert "source-notice" not in page(tmp_path / "a", "/servizi/centro-diurno/")
    after = text_of(page(tmp_path / "b", "/servizi/centro-diurno/"))
    assert "Informazioni del 2026, mai verificate da allora" in after
    # and a verification goes stale too, with its own words
    late = tmp_path / "c"
    build(mini, late, today=date(2027, 12, 1))
    text = text_of(page(late, "/servizi/assistenza-domiciliare/"))
    assert "Informazioni verificate il 1º novembre 2026, più di 12 mesi fa" in text


def test_state_is_shown_with_its_source_unless_verified(built_mini: Path) -> None:
    old = text_of(page(built_mini, "/servizi/sportello-nord/"))
    assert "Attivo nel 2015 secondo il documento «Piano di prova 2015-2017»." in old
    assert "Servizio attivo" not in old
    verified = text_of(page(built_mini, "/servizi/assistenza-domiciliare/"))
    assert "Attivo (verificato il 1º novembre 2026)." in verified
    initiative = text_of(page(built_mini, "/iniziative/progetto-ponte/"))
    assert "In corso nel 2026 secondo il documento «Piano di prova 2026-2028»" in initiative
    # listings say it too
    area = text_of(page(built_mini, "/aree/minori-e-famiglie/"))
    assert "Attivo nel 2015 secondo il documento «Piano di prova 2015-2017»" in area


def test_a_service_without_a_named_provider_says_so(built_mini: Path) -> None:
    html = page(built_mini, "/servizi/sportello-nord/")
    assert "Gestore non indicato nella fonte." in text_of(html)
    data = jsonld(html)
    assert "serviceOperator" not in data
    assert data["disambiguatingDescription"] == (
        "Attivo nel 2015 secondo il documento «Piano di prova 2015-2017». "
        "Gestore non indicato nella fonte."
    )
    sheet = json.loads((built_mini / "servizi" / "sportello-nord" / "scheda.json").read_text())
    assert dict(sheet["righe"])["A chi rivolgersi"].startswith("Gestore non indicato nella fonte.")
    assert sheet["nota"] == (
        "Attivo nel 2015 secondo il documento «Piano di prova 2015-2017». "
        "Non verificato da allora: chiedi conferma prima di muoverti."
    )
    listing = text_of(page(built_mini, "/destinatari/famiglie/"))
    assert "Gestore non indicato nella fonte" in listing


def test_jsonld_cites_sources_and_reviews_only_when_verified(built_mini: Path) -> None:
    old = jsonld(page(built_mini, "/servizi/sportello-nord/"))
    assert "lastReviewed" not in old
    assert old["subjectOf"] == [
        {
            "@type": "CreativeWork",
            "name": "Piano di prova 2015-2017",
            "author": {"@type": "Organization", "name": "Ambito di Prova"},
            "datePublished": "2015",
        }
    ]
    assert old["alternateName"] == ["Sportello informativo per la famiglia del sub-ambito Nord"]
    verified = jsonld(page(built_mini, "/servizi/assistenza-domiciliare/"))
    assert verified["lastReviewed"] == "2026-11-01"
    assert verified["serviceOperator"]["name"] == "Comune di Prova"


def test_official_names_are_shown_and_found(built_mini: Path) -> None:
    from carta.search.engine import Engine

    text = text_of(page(built_mini, "/servizi/sportello-nord/"))
    assert "Detto anche: Sportello informativo per la famiglia del sub-ambito Nord." in text
    result = Engine(built_mini).search("sportello informativo")
    assert result.results[0].slug == "sportello-nord"


def test_acts_of_law_are_cited_as_laws(built_mini: Path) -> None:
    text = text_of(page(built_mini, "/enti/comune-di-prova/"))
    assert "Legge regionale di prova, n. 23/2016, Regione di Prova, 11 agosto 2016." in text
    # a law records a change: the page's information still dates from its documents
    assert "Informazioni tratte da: Piano di prova 2026-2028 (Ambito di Prova, marzo 2026)." in (
        text
    )


def test_open_data_keeps_source_ids_and_no_verification_that_did_not_happen(
    built_mini: Path,
) -> None:
    rows = json.loads((built_mini / "dati" / "servizi.json").read_text())
    servizi = {r["estensione_carta"]["slug"]: r for r in rows}
    carta = servizi["sportello-nord"]["estensione_carta"]
    assert carta["fonti"] == [{"fonte": "vecchio-piano", "sezione": "Sportelli"}]
    assert carta["data_fonte"] == "2015"
    assert "assured_date" not in servizi["sportello-nord"]  # nobody verified it
    assert "organization_id" not in servizi["sportello-nord"]  # the source names no provider
    assert servizi["assistenza-domiciliare"]["assured_date"] == "2026-11-01"
    fonti = json.loads((built_mini / "dati" / "fonti.json").read_text())
    assert [f["id"] for f in fonti] == ["legge-di-prova", "piano-di-prova", "vecchio-piano"]
    assert fonti[0]["tipo"] == "norma" and fonti[0]["numero"] == "23/2016"


def test_check_rejects_half_a_verification(mini: Path) -> None:
    path = mini / "servizi" / "centro-diurno.md"
    edit(path, "fonti:", "verificato_da: Mario\nfonti:")
    site, problems = check(mini, today=TODAY)
    assert site is None
    assert [(p.line, p.field) for p in problems] == [(15, "verificato_da")]
    assert "manca 'verificato_il'" in problems[0].message


def test_unknown_source_id_is_an_error_with_a_suggestion(mini: Path) -> None:
    path = mini / "servizi" / "centro-diurno.md"
    edit(path, "fonte: piano-di-prova", "fonte: piano-prova")
    _, problems = check(mini, today=TODAY)
    assert [str(p) for p in problems] == [
        "content/servizi/centro-diurno.md:16:12: fonti.fonte: fonte sconosciuta 'piano-prova': "
        "nessuna fonte con questo id in fonti.yaml (forse 'piano-di-prova'?)"
    ]


@pytest.mark.parametrize(
    "content", [ROOT / "content", ROOT / "examples" / "bologna-metropolitana"], ids=["crema", "bo"]
)
def test_shipped_sites_show_sources_and_never_a_file_name(
    content: Path, shipped: Callable[[Path], Built]
) -> None:
    out = shipped(content).out
    site, _ = check(content, today=TODAY)
    assert site is not None
    for entry in [*site.servizi.values(), *site.iniziative.values()]:
        html = page(out, entry.url)
        assert 'data-element="source-line"' in html, entry.path
        assert "Informazioni verificate" not in html, entry.path
        # nothing in the shipped content is newer than 12 months before 2026-11-23
        assert 'data-element="source-notice"' in html, entry.path
    for path in out.rglob("*"):
        if path.is_file() and path.suffix in {".html", ".json", ".csv", ".xml", ".txt"}:
            found = SEED_FILE.search(path.read_text(encoding="utf-8", errors="replace"))
            assert found is None, f"{path.relative_to(out)}: {found.group(0) if found else ''}"


def test_fixture_registry_is_the_one_the_tests_expect() -> None:
    # guards the fixture the tests above rely on: one old plan, one recent, one law
    text = (FIXTURES / "mini" / "fonti.yaml").read_text(encoding="utf-8")
    assert "vecchio-piano" in text and "legge-di-prova" in text


def test_the_source_line_names_the_newest_documents_first(mini: Path, tmp_path: Path) -> None:
    path = mini / "servizi" / "centro-diurno.md"
    edit(
        path,
        "  - fonte: piano-di-prova\n",
        "  - fonte: vecchio-piano\n  - fonte: piano-di-prova\n",
    )
    build(mini, tmp_path / "site", today=TODAY)
    text = text_of(page(tmp_path / "site", "/servizi/centro-diurno/"))
    assert (
        "Informazioni tratte da: Piano di prova 2026-2028 (Ambito di Prova, marzo 2026); "
        "Piano di prova 2015-2017 (Ambito di Prova, 2015). Vedi le fonti." in text
    )


@pytest.mark.parametrize(
    ("written", "first", "last", "words"),
    [
        ("2015", date(2015, 1, 1), date(2015, 12, 31), "2015"),
        ("2016-02", date(2016, 2, 1), date(2016, 2, 29), "febbraio 2016"),
        ("2017-06-30", date(2017, 6, 30), date(2017, 6, 30), "30 giugno 2017"),
    ],
)
def test_one_reading_of_a_year_a_month_or_a_day(
    written: str, first: date, last: date, words: str
) -> None:
    """A period's bounds, a source's date, their wording and the checks read them alike."""
    from carta.model import PartialDate
    from carta.sources import date_words, partial_date_end

    found = PartialDate.parse(written)
    assert (found.first(), found.last()) == (first, last)
    assert partial_date_end(written) == last
    assert date_words(written) == words


@pytest.mark.parametrize("written", ["15", "2015-1", "2015-13", "2015-02-30", "2015/03"])
def test_a_period_that_is_not_a_date_is_refused_in_italian(written: str) -> None:
    from carta.model import PartialDate

    with pytest.raises(ValueError, match="periodo non valido|data inesistente"):
        PartialDate.parse(written)


@pytest.mark.parametrize(
    ("written", "said"),
    [
        ("2026-02-30", "data inesistente"),
        ("2026-1-01", "data non valida"),
        ("2026-03", "data non valida"),  # a month is not a day
        ("２０２６-01-01", "data non valida"),  # digits a keyboard does not type
    ],
)
def test_a_whole_date_is_read_one_way_everywhere(
    written: str, said: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """verificato_il, --today and CARTA_TODAY accept the same days and refuse the same text."""
    from carta.cli import main
    from carta.errors import UsageError
    from carta.model import parse_day
    from carta.pipeline import default_today

    with pytest.raises(ValueError, match=said):
        parse_day(written)
    with pytest.raises(SystemExit):
        main(["check", "--today", written])
    monkeypatch.setenv("CARTA_TODAY", written)
    with pytest.raises(UsageError):
        default_today()
    assert parse_day("2026-03-31") == date(2026, 3, 31)
