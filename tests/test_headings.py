"""Body headings nest under the page's own headings without skipping a level, whatever
level the editor wrote: a citizen using a screen reader moves through them in order."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from carta.markup import Renderer
from carta.pipeline import build

from .conftest import page

TODAY = date(2026, 11, 23)


def levels(html: str) -> list[int]:
    return [int(n) for n in re.findall(r"<h([1-6])[ >]", html)]


def test_body_headings_start_at_h2_and_never_skip_a_level() -> None:
    md = Renderer()
    html = md.html("Testo.\n\n### Che cosa\n\n##### Dettagli\n\n###### Nota\n\n### Risultati")
    assert levels(html) == [2, 3, 4, 2]
    assert '<h2 id="che-cosa">Che cosa</h2>' in html  # texts and ids stay
    assert levels(md.html("# Titolo\n\n## Sezione")) == [2, 3]


def test_shift_moves_the_nested_headings_under_a_section() -> None:
    assert levels(Renderer().html("### A\n\n##### B", shift=1)) == [3, 4]


def test_no_built_page_skips_a_heading_level(mini: Path, tmp_path: Path) -> None:
    initiative = mini / "iniziative" / "progetto-ponte.md"
    initiative.write_text(
        initiative.read_text(encoding="utf-8") + "\n### Risultati\n\nTesto.\n", encoding="utf-8"
    )
    service = mini / "servizi" / "assistenza-domiciliare.md"
    text = service.read_text(encoding="utf-8")
    service.write_text(
        text.replace("## A chi è rivolto", "#### Storia\n\nTesto.\n\n## A chi è rivolto", 1),
        encoding="utf-8",
    )
    site = tmp_path / "site"
    build(mini, site, today=TODAY)
    for html_file in site.rglob("*.html"):
        found = levels(html_file.read_text(encoding="utf-8"))
        assert found and found[0] == 1, html_file
        skips = [(a, b) for a, b in zip(found, found[1:], strict=False) if b > a + 1]
        assert skips == [], html_file
    assert '<h2 id="risultati">Risultati</h2>' in page(site, "/iniziative/progetto-ponte/")
    assert '<h3 id="storia">Storia</h3>' in page(site, "/servizi/assistenza-domiciliare/")
