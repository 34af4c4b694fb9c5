"""Strict YAML and the content layout: what editors write reaches the model unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from carta import yamlstrict
from carta.pipeline import check


def test_yaml_surprises_stay_text() -> None:
    data = yamlstrict.load(
        "provincia: NO\nrisposta: no\ncap: 00123\norario: 12:30\ndata: 2026-05-21\n"
        "attivo: on\nversione: 3.10\nvero: true\nnumero: 42\n"
    )
    assert data == {
        "provincia": "NO",
        "risposta": "no",
        "cap": "00123",
        "orario": "12:30",
        "data": "2026-05-21",
        "attivo": "on",
        "versione": 3.1,
        "vero": True,
        "numero": 42,
    }


def test_duplicate_keys_are_refused_with_both_lines() -> None:
    with pytest.raises(yaml.YAMLError) as caught:
        yamlstrict.load("comune: Roma\naltro: 1\ncomune: Milano\n")
    problem = yamlstrict.describe(caught.value)
    assert (problem.line, problem.column) == (3, 1)
    assert problem.message == "chiave 'comune' ripetuta (già definita alla riga 1)"


def test_duplicate_keys_in_nested_mappings_too() -> None:
    with pytest.raises(yaml.YAMLError):
        yamlstrict.load("costi:\n  tipo: gratuito\n  tipo: tariffa\n")


def test_positions_point_at_keys_and_list_items() -> None:
    pos = yamlstrict.positions("titolo: X\naree:\n  - anziani\n  - disabili\n", line_offset=1)
    assert pos.of(("titolo",)) == (2, 9)
    assert pos.of(("titolo",), key=True) == (2, 1)
    assert pos.of(("aree", 1)) == (5, 5)
    assert pos.of(("aree", 7)) == (4, 3)  # a missing item: nearest ancestor


def test_windows_line_endings_and_bom_are_accepted(mini: Path) -> None:
    path = mini / "servizi" / "sportello-nord.md"
    text = path.read_text(encoding="utf-8")
    path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    site, problems = check(mini)
    assert problems == []
    assert (
        site is not None and site.servizi["sportello-nord"].meta.titolo == "Sportello famiglie Nord"
    )


def test_a_missing_data_file_is_named(mini: Path) -> None:
    (mini / "destinatari.yaml").unlink()
    site, problems = check(mini)
    assert site is None
    assert [str(p) for p in problems] == ["content/destinatari.yaml: file obbligatorio mancante"]


def test_sinonimi_is_optional(mini: Path) -> None:
    (mini / "sinonimi.yaml").unlink()
    site, problems = check(mini)
    assert site is not None and site.sinonimi == {}


def test_editor_backup_and_hidden_files_are_ignored(mini: Path) -> None:
    (mini / "servizi" / ".sportello-nord.md.swp").write_bytes(b"\x00\x01")
    (mini / "servizi" / "sportello-nord.md~").write_text("vecchio")
    (mini / ".DS_Store").write_bytes(b"\x00")
    site, problems = check(mini)
    assert problems == [] and site is not None


def test_data_file_mistakes_are_reported_with_the_rest(mini: Path) -> None:
    text = (mini / "aree.yaml").read_text(encoding="utf-8")
    (mini / "aree.yaml").write_text(text + "anziani:\n  nome: Ancora\n", encoding="utf-8")
    (mini / "territorio.yaml").write_text(
        "ambito:\n  nome: Prova\nsub_ambiti:\n  nord:\n    nome: Nord\n    comuni: [alfa, zeta]\n"
        "comuni:\n  alfa:\n    nome: Alfa\n  beta:\n    nome: Beta\n  gamma:\n    nome: Gamma\n",
        encoding="utf-8",
    )
    (mini / "carta.yaml").write_text(
        "titolo: Prova\nambito: Prova\ncapofila: comune-prova\nmesi_verifica: dodici\n",
        encoding="utf-8",
    )
    site, problems = check(mini)
    assert site is None
    assert [str(p) for p in problems] == [
        "content/aree.yaml:8:1: chiave 'anziani' ripetuta (già definita alla riga 1)",
        "content/carta.yaml:4:16: mesi_verifica: atteso un numero intero, trovato il testo 'dodici'",
        "content/territorio.yaml:6:20: sub_ambiti.nord.comuni: 'zeta' non è un comune definito in "
        "'comuni' (forse 'beta'?)",
    ]


def test_capofila_must_be_an_ente(mini: Path) -> None:
    text = (mini / "carta.yaml").read_text(encoding="utf-8")
    (mini / "carta.yaml").write_text(
        text.replace("capofila: comune-di-prova", "capofila: comune-prova"), encoding="utf-8"
    )
    _, problems = check(mini)
    assert [str(p) for p in problems] == [
        "content/carta.yaml:3:11: capofila: 'comune-prova' non esiste: nessun file "
        "enti/comune-prova.md (forse 'comune-di-prova'?)"
    ]


def test_unknown_key_in_a_data_file_suggests_the_right_one(mini: Path) -> None:
    text = (mini / "carta.yaml").read_text(encoding="utf-8")
    (mini / "carta.yaml").write_text(
        text.replace("mesi_verifica", "mesi_verfica"), encoding="utf-8"
    )
    _, problems = check(mini)
    assert [str(p) for p in problems] == [
        "content/carta.yaml:6:1: mesi_verfica: chiave sconosciuta (forse 'mesi_verifica'?)"
    ]


def test_missing_content_folder_is_a_usage_error(tmp_path: Path) -> None:
    from carta.errors import UsageError

    with pytest.raises(UsageError):
        check(tmp_path / "nessuna")


def test_reading_the_same_files_again_gives_fresh_data_and_sees_every_edit(mini: Path) -> None:
    """carta serve reads every file after each save, and the loader remembers the front
    matters it parsed: what one build does with the data never reaches the next, and an
    edited file is read as it is now, mistakes included."""
    from carta.loader import load_content

    def front(raw: object, slug: str) -> dict[str, object]:
        return next(e.data for e in raw.entries if e.slug == slug)  # type: ignore[attr-defined]

    first = load_content(mini)
    front(first, "centro-diurno")["titolo"] = "cambiato da chi ha letto"
    front(first, "centro-diurno")["aree"].append("altro")  # type: ignore[union-attr]
    second = load_content(mini)
    assert front(second, "centro-diurno")["titolo"] != "cambiato da chi ha letto"
    assert "altro" not in front(second, "centro-diurno")["aree"]  # type: ignore[operator]
    path = mini / "servizi" / "centro-diurno.md"
    path.write_text(path.read_text(encoding="utf-8").replace("titolo:", "titolo: x\ntitolo:", 1))
    third = load_content(mini)
    assert any("ripetuta" in p.message for p in third.problems)
