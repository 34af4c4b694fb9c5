"""The registry of entry kinds (carta/kinds.py) is the one place that names them: a new kind
added there, with a model and a template, is loaded, checked, rendered and searched."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from carta import budget, kinds, schema
from carta import model as m
from carta.kinds import KINDS, Kind
from carta.pipeline import build, check
from carta.render import default_templates
from carta.search.documents import filter_labels

from .conftest import FIXTURES, TODAY, page

EVENTO = Kind(
    name="evento",
    folder="eventi",
    singular="evento",
    plural="eventi",
    with_article="un evento",
    template="evento.html",
    model=m.Pagina,
    search_position=4,
    opendata=None,
    index_page="calendario",
    verifier="con chi lo organizza",
)


@pytest.fixture
def with_evento(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> tuple[Path, Path]:
    """The mini site with one ``evento``, its template, and the kind in the registry."""
    monkeypatch.setitem(KINDS, "evento", EVENTO)
    content = tmp_path / "content"
    shutil.copytree(FIXTURES / "mini", content)
    (content / "eventi").mkdir()
    (content / "eventi" / "festa-del-quartiere.md").write_text(
        "---\ntitolo: Festa del quartiere\nsommario: Una giornata insieme.\n---\n"
        "Giochi e merenda per tutti.\n",
        encoding="utf-8",
    )
    templates = tmp_path / "templates"
    shutil.copytree(default_templates(), templates)
    (templates / "evento.html").write_text(
        (templates / "pagina.html")
        .read_text(encoding="utf-8")
        .replace('<article class="pagina">', '<article class="evento">'),
        encoding="utf-8",
    )
    return content, templates


def test_a_kind_added_to_the_registry_is_loaded_rendered_and_searchable(
    with_evento: tuple[Path, Path], tmp_path: Path
) -> None:
    content, templates = with_evento
    site, problems = check(content, today=date.fromisoformat(TODAY))
    assert site is not None, problems
    assert list(site.entries_of("evento")) == ["festa-del-quartiere"]

    out = tmp_path / "site"
    build(content, out, templates=templates, today=date.fromisoformat(TODAY))
    html = page(out, "/eventi/festa-del-quartiere/")
    assert '<article class="evento">' in html
    assert "Festa del quartiere" in html
    # not verified: the phrase of its kind, from the registry
    assert "Nessuno ha ancora verificato queste informazioni con chi lo organizza." in html

    manifest = json.loads((out / "_search" / "index.json").read_text(encoding="utf-8"))
    assert manifest["labels"]["tipo"]["evento"] == "Eventi"
    assert manifest["labels"]["tipo_scheda"]["evento"] == "Evento"
    assert '<option value="evento">Eventi</option>' in page(out, "/cerca/")

    assert budget.page_type("/eventi/festa-del-quartiere/") == "evento"
    assert budget.page_type("/eventi/") == "calendario"
    assert schema.schema_for("evento")["title"] == "Evento (content/eventi/*.md, intestazione)"


def test_a_folder_not_in_the_registry_is_an_error(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(FIXTURES / "mini", content)
    (content / "eventi").mkdir()
    site, problems = check(content, today=date.fromisoformat(TODAY))
    assert site is None
    assert any(
        "cartella sconosciuta: attese servizi/, enti/, iniziative/, pagine/" in p.message
        for p in problems
    )


def test_every_table_of_kinds_is_derived_from_the_registry() -> None:
    site, _ = check(FIXTURES / "mini", today=date.fromisoformat(TODAY))
    assert site is not None
    labels = filter_labels(site)
    assert set(labels["tipo"]) == set(KINDS) == set(labels["tipo_scheda"])
    assert [k.name for k in kinds.search_tipi()] == list(labels["tipo"])
    assert {k.folder: k.name for k in KINDS.values()} == {
        f: k.name for f, k in kinds.by_folder().items()
    }
    for kind in KINDS.values():
        assert schema.schema_kinds()[kind.name][0] is kind.model
        for entry in site.entries_of(kind.name).values():
            assert entry.url == f"/{kind.folder}/{entry.slug}/"
    # nothing else spells out the kinds' labels: the browser script reads them from the manifest
    script = (default_templates() / "static" / "cerca.js").read_text(encoding="utf-8")
    assert '"Iniziativa"' not in script and '"Servizio"' not in script
