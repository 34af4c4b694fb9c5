"""``carta report``: what an editor should look at next."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from carta.cli import main
from carta.pipeline import check
from carta.report import build_report

from .conftest import FIXTURES, edit


def report_for(content: Path, today: date = date(2026, 11, 23)):  # type: ignore[no-untyped-def]
    site, _ = check(content, today=today)
    assert site is not None
    return build_report(site, today), site


def test_stale_and_soon_stale_entries(mini: Path) -> None:
    path = mini / "servizi" / "assistenza-domiciliare.md"
    edit(path, "2026-11-01", "2025-01-10")
    path = mini / "servizi" / "centro-diurno.md"
    edit(path, "fonti:", "verificato_il: 2026-01-05\nverificato_da: Ufficio di Piano\nfonti:")
    report, _ = report_for(mini)
    assert [(i.path, i.detail) for i in report.stale] == [
        ("content/servizi/assistenza-domiciliare.md", "verificata il 2025-01-10, più di 12 mesi fa")
    ]
    assert [(i.path, i.detail) for i in report.due_soon] == [
        (
            "content/servizi/centro-diurno.md",
            "verificata il 2026-01-05: da ricontrollare entro 2027-01-05",
        )
    ]


def test_unverified_entries_are_listed_oldest_source_first(mini: Path) -> None:
    report, _ = report_for(mini)
    listed = [(i.path, i.detail) for i in report.unverified]
    # the only entry from the 2015 plan comes first, and it is flagged as past the threshold
    assert listed[0] == (
        "content/servizi/sportello-nord.md",
        "mai verificata; fonte più recente: Piano di prova 2015-2017 (Ambito di Prova, 2015): "
        "più vecchia di 12 mesi, la pagina mostra un avviso",
    )
    paths = [p for p, _ in listed]
    assert "content/servizi/assistenza-domiciliare.md" not in paths  # verified
    assert "content/servizi/centro-diurno.md" in paths
    assert "content/pagine/come-usare.md" in paths  # a page without sources is listed last
    assert paths[-1] == "content/pagine/come-usare.md"


def test_incomplete_services_name_what_is_missing(mini: Path) -> None:
    report, _ = report_for(mini)
    details = {i.path: i.detail for i in report.incomplete}
    assert details["content/servizi/assistenza-domiciliare.md"] == "nessun recapito"
    assert details["content/servizi/centro-diurno.md"] == (
        "sezioni mancanti: Cosa serve, Cosa si ottiene, Tempi e scadenze, Condizioni; nessun recapito"
    )
    assert "content/iniziative/progetto-ponte.md" not in details  # it has a periodo


def test_orphans_and_unused_terms(mini: Path) -> None:
    (mini / "enti" / "associazione-sola.md").write_text(
        "---\nnome: Associazione Sola\ntipo: associazione\nnatura: privato-sociale\n"
        "sommario: Un'associazione.\nterritorio: ambito\n"
        "fonti:\n  - fonte: piano-di-prova\n---\nTesto.\n",
        encoding="utf-8",
    )
    with (mini / "destinatari.yaml").open("a", encoding="utf-8") as f:
        f.write("giovani:\n  nome: Giovani\n")
    report, _ = report_for(mini)
    assert [i.path for i in report.orphaned] == [
        "content/enti/associazione-sola.md",
        "content/servizi/sportello-nord.md",  # no initiative, no similar service
    ]
    assert report.unused_terms == ["destinatari.yaml: giovani"]


def test_coverage_counts_district_wide_services_in_every_comune(mini: Path) -> None:
    report, _ = report_for(mini)
    assert report.coverage["anziani"] == {"alfa": 1, "beta": 1, "gamma": 2}
    assert report.coverage["minori-e-famiglie"] == {"alfa": 1, "beta": 1, "gamma": 0}
    assert report.gaps == ["Minori e famiglie a Gamma"]


def test_cli_prints_text_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "--content", str(FIXTURES / "mini")]) == 0
    text = capsys.readouterr().out
    assert "Informazioni incomplete" in text and "Minori e famiglie a Gamma" in text
    assert main(["report", "--content", str(FIXTURES / "mini"), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["gaps"] == ["Minori e famiglie a Gamma"]


def test_cli_refuses_a_report_on_broken_content(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "--content", str(FIXTURES / "broken")]) == 1
    assert "Correggi prima gli errori" in capsys.readouterr().err


def test_an_unverified_initiative_past_its_period_is_listed_not_warned(mini: Path) -> None:
    path = mini / "iniziative" / "progetto-ponte.md"
    edit(path, 'al: "2027-06"', 'al: "2026-06"')
    report, _ = report_for(mini)
    details = {i.path: i.detail for i in report.incomplete}
    assert details["content/iniziative/progetto-ponte.md"] == (
        "'in-corso' secondo la fonte, ma il periodo è finito (2026-06): chiedi ai promotori "
        "com'è andata"
    )
    _, problems = check(mini, strict=True, today=date(2026, 11, 23))
    assert problems == []  # the page says its state is the document's, at its date
