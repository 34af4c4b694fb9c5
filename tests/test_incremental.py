"""Correctness before speed (issue 11, item 4): after every kind of edit, an incremental
build leaves exactly the files, bytes and search results of a clean build of the same
content."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from carta.graph import manifest_path
from carta.markup import Renderer
from carta.pipeline import build
from carta.render import default_templates
from carta.search.engine import Engine

from .conftest import FIXTURES, TODAY

BASE = "https://carta.esempio-di-prova.it/"
QUERIES = [
    "anziani",
    "centro diurno",
    "sportello famiglie",
    "cooperativa aurora",
    "assistenza a casa",
    "progetto",
    "orientamento",
    "nuovo servizio di ascolto",
]


def files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def answers(site: Path) -> list[list[tuple[str, float]]]:
    """The results of :data:`QUERIES` in Italian and, on the index of ``/en/``, in English."""
    found = []
    for lang in (None, "en"):
        engine = Engine(site, lang)
        found += [[(h.slug, h.score) for h in engine.search(q).results] for q in QUERIES]
        engine.close()
    return found


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def add_service(content: Path, templates: Path) -> None:
    text = (content / "servizi" / "sportello-nord.md").read_text(encoding="utf-8")
    text = text.replace("Sportello famiglie Nord", "Nuovo servizio di ascolto")
    (content / "servizi" / "ascolto.md").write_text(text, encoding="utf-8")


#: the home-care service in English: its pages under /en/ are outputs made from it
TRANSLATION = "servizi/assistenza-domiciliare.en.md"
EN = """---
titolo: Home care
sommario: Help at home for people who can no longer manage daily activities alone.
traduzione:
  testo_italiano_del: 2026-11-01
  revisione: in-attesa
---
Qualified workers come to your home.

## Who it is for

Older or disabled people living at home.
"""

EDITS: list[tuple[str, Callable[[Path, Path], None]]] = [
    (
        "corpo",
        lambda c, t: edit(
            c / "servizi" / "sportello-nord.md", "Uno sportello", "Uno sportello aperto"
        ),
    ),
    (
        "titolo",
        lambda c, t: edit(
            c / "servizi" / "centro-diurno.md",
            "titolo: Centro diurno per anziani",
            "titolo: Centro diurno",
        ),
    ),
    (
        "area",
        lambda c, t: edit(
            c / "servizi" / "centro-diurno.md", "aree: [anziani]", "aree: [disabilita]"
        ),
    ),
    (
        "nome di un ente",
        lambda c, t: edit(
            c / "enti" / "coop-aurora.md", "nome: Cooperativa Aurora", "nome: Aurora"
        ),
    ),
    ("scheda tolta", lambda c, t: (c / "iniziative" / "progetto-ponte.md").unlink()),
    ("scheda aggiunta", add_service),
    (
        "modello",
        lambda c, t: edit(
            t / "home.html", "</div>\n{% endblock %}", "<p>Benvenuti.</p>\n</div>\n{% endblock %}"
        ),
    ),
    ("tassonomia", lambda c, t: edit(c / "aree.yaml", "nome: Anziani", "nome: Persone anziane")),
    (
        "carta.yaml",
        lambda c, t: edit(c / "carta.yaml", "I servizi sociali", "Tutti i servizi sociali"),
    ),
    (
        "corpo di una traduzione",
        lambda c, t: edit(c / TRANSLATION, "Qualified workers", "Trained, qualified workers"),
    ),
    (
        "titolo di una traduzione",
        lambda c, t: edit(c / TRANSLATION, "titolo: Home care", "titolo: Care at home"),
    ),
    ("traduzione tolta", lambda c, t: (c / TRANSLATION).unlink()),
    ("traduzione aggiunta", lambda c, t: (c / TRANSLATION).write_text(EN, encoding="utf-8")),
    (
        "due corpi",
        lambda c, t: (
            edit(
                c / "servizi" / "centro-diurno.md", "aperto nei giorni", "aperto in tutti i giorni"
            ),
            edit(c / "enti" / "coop-aurora.md", "Gestisce il centro", "Gestisce da anni il centro"),
        ),
    ),
]


@pytest.fixture
def workspace(tmp_path: Path) -> tuple[Path, Path]:
    """The mini Carta, also in English and Arabic (the home-care service translated into
    English), and a copy of the templates."""
    content, templates = tmp_path / "content", tmp_path / "templates"
    shutil.copytree(FIXTURES / "mini", content)
    config = content / "carta.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "lingue: [en, ar]\n", encoding="utf-8")
    (content / TRANSLATION).write_text(EN, encoding="utf-8")
    shutil.copytree(default_templates(), templates)
    return content, templates


def test_every_edit_rebuilt_incrementally_equals_a_clean_build(
    workspace: tuple[Path, Path], tmp_path: Path
) -> None:
    content, templates = workspace
    today = date.fromisoformat(TODAY)
    warm = Renderer()  # the incremental builds share one, as carta serve's do

    def run(out: Path, *, clean: bool) -> bool:
        result = build(
            content,
            out,
            templates=templates,
            today=today,
            base_url=BASE,
            clean=clean,
            renderer=None if clean else warm,
            published=None if clean else lambda: None,  # pages first, as carta serve's
        )
        return result.incremental

    site = tmp_path / "site"
    assert not run(site, clean=False)  # nothing to start from: a clean build
    incremental = []
    for name, apply in EDITS:
        apply(content, templates)
        incremental.append(run(site, clean=False))
        clean = tmp_path / "clean"
        shutil.rmtree(clean, ignore_errors=True)
        run(clean, clean=True)
        built, expected = files(site), files(clean)
        assert sorted(built) == sorted(expected), name
        assert "en/servizi/assistenza-domiciliare/index.html" in built, name  # /L/ pages too
        assert "ar/servizi/centro-diurno/index.html" in built, name
        # the foglio of each language and its sheet data, beside each page of the language
        assert "en/foglio/index.html" in built and "ar/foglio/index.html" in built, name
        assert "ar/servizi/centro-diurno/scheda.json" in built, name
        differing = [rel for rel in expected if built[rel] != expected[rel]]
        assert differing == [], name
        assert answers(site) == answers(clean), name
    # the body edits (of an entry, of a translation) were built incrementally, not by
    # starting over
    assert [inc for (name, _), inc in zip(EDITS, incremental, strict=True) if "corp" in name] == [
        True,
        True,
        True,
    ]


BUILD_DAY = date.fromisoformat(TODAY)


@pytest.fixture
def site(mini: Path, tmp_path: Path) -> Path:
    """The mini Carta built once into ``<tmp>/site``, with its manifest."""
    build(mini, tmp_path / "site", today=BUILD_DAY)
    return tmp_path / "site"


def test_a_body_edit_rewrites_its_page_and_not_the_listings(mini: Path, site: Path) -> None:
    home, page = site / "index.html", site / "servizi" / "sportello-nord" / "index.html"
    home_before = home.stat().st_mtime_ns
    edit(mini / "servizi" / "sportello-nord.md", "Uno sportello", "Uno sportello aperto")
    result = build(mini, site, today=BUILD_DAY)
    assert result.incremental
    assert "Uno sportello aperto" in page.read_text(encoding="utf-8")
    assert home.stat().st_mtime_ns == home_before  # not rewritten
    nothing = build(mini, site, today=BUILD_DAY)
    assert nothing.incremental and nothing.pages == 0


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_rebuild_puts_the_edited_page_in_place_before_the_search_index(
    mini: Path, site: Path, tmp_path: Path, jobs: int
) -> None:
    """``published`` (what carta serve reloads the browser on) is called once the edited page
    is in place, while the search index is still the old one and no manifest vouches for the
    site; the site at the end is the one a build without it makes."""
    page = site / "servizi" / "sportello-nord" / "index.html"
    index = site / "_search" / "index.json"
    index_before = index.read_bytes()
    seen: list[tuple[bool, bool, bool]] = []

    def published() -> None:
        seen.append(
            (
                "Uno sportello aperto" in page.read_text(encoding="utf-8"),
                index.read_bytes() == index_before,
                manifest_path(site).exists(),
            )
        )

    edit(mini / "servizi" / "sportello-nord.md", "Uno sportello", "Uno sportello aperto")
    result = build(mini, site, today=BUILD_DAY, jobs=jobs, published=published)
    assert result.incremental and seen == [(True, True, False)]
    assert manifest_path(site).exists()
    other = tmp_path / "other"
    build(mini, other, today=BUILD_DAY, clean=True)
    assert files(site) == files(other)
    # a build that starts over swaps the whole folder at the end: nothing is published first
    edit(mini / "servizi" / "sportello-nord.md", "titolo: Sportello", "titolo: Lo sportello")
    assert not build(mini, site, today=BUILD_DAY, jobs=jobs, published=published).incremental
    assert len(seen) == 1


def test_the_manifest_is_kept_beside_the_site_and_clean_ignores_it(mini: Path, site: Path) -> None:
    manifest = manifest_path(site)
    assert manifest.is_file() and site not in manifest.parents
    assert not list(site.rglob("*.json.tmp"))
    assert not build(mini, site, today=BUILD_DAY, clean=True).incremental
    # another build date changes the notices and the ages on every page: everything again
    assert not build(mini, site, today=date(2026, 12, 1)).incremental


def test_a_site_folder_put_in_place_by_something_else_is_built_again(
    mini: Path, site: Path
) -> None:
    stale = site.parent / "stale"
    shutil.copytree(site, stale)
    (stale / "servizi" / "sportello-nord" / "index.html").write_text("vecchia", encoding="utf-8")
    shutil.rmtree(site)
    stale.rename(site)  # as an older carta, or a deployment tool, would swap it
    result = build(mini, site, today=BUILD_DAY)
    assert not result.incremental
    page = (site / "servizi" / "sportello-nord" / "index.html").read_text(encoding="utf-8")
    assert "Sportello famiglie Nord" in page


def test_a_renderer_kept_between_builds_forgets_what_is_no_longer_there() -> None:
    md = Renderer()
    old, new = "Testo **vecchio**.", "Testo **nuovo**."
    first = md.html(old)
    md.new_build()
    assert md.html(old) == first  # the last build's conversion, kept
    md.new_build()
    assert md.html(new) == Renderer().html(new)
    md.new_build()  # two builds without the old text: it is gone
    assert old not in md._converted and old not in md._last_converted
