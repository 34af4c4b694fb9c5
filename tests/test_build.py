"""The build: the pages a citizen sees, determinism, safety, and all-or-nothing output."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date
from pathlib import Path

import pytest

from carta.errors import ContentErrors
from carta.pipeline import build
from carta.render import DuplicateOutput, Output

from .conftest import edit, page

TODAY = date(2026, 11, 23)


def tree_hash(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_service_page_shows_its_sections_in_the_standard_order(built_mini: Path) -> None:
    html = page(built_mini, "/servizi/assistenza-domiciliare/")
    headings = re.findall(r"<h2 id=\"[^\"]+\">([^<]+)</h2>", html)
    order = [
        "A chi è rivolto", "Descrizione", "Come fare", "Cosa serve", "Cosa si ottiene",
        "Tempi e scadenze", "Quanto costa", "Condizioni", "Dove rivolgersi e contatti",
        "Dove è disponibile",
    ]  # fmt: skip
    assert [h for h in headings if h in order] == order
    assert html.count("<h1") == 1
    text = text_of(html)
    assert "Il servizio è offerto da Comune di Prova , con Cooperativa Aurora" in text
    assert "In tutti i comuni del territorio: Ambito di Prova" in text
    assert "Con una quota a carico della persona. La quota dipende dall'ISEE" in text.replace(
        "&#39;", "'"
    )
    assert "Informazioni verificate il 1º novembre 2026" in text
    assert "Allo sportello, per telefono" in text
    assert "Documento d&#39;identità" in html


def test_service_without_contacts_says_where_to_ask(built_mini: Path) -> None:
    text = text_of(page(built_mini, "/servizi/sportello-nord/"))
    assert "rivolgiti al servizio sociale (segretariato sociale) del tuo Comune" in text


def test_suspended_service_shows_why(built_mini: Path) -> None:
    text = text_of(page(built_mini, "/servizi/centro-diurno/"))
    assert (
        "Sospeso nel 2026 secondo il documento «Piano di prova 2026-2028». "
        "Lavori di ristrutturazione della sede." in text
    )


def test_ente_page_lists_its_services_and_initiatives(built_mini: Path) -> None:
    html = page(built_mini, "/enti/comune-di-prova/")
    assert "Servizi offerti (1)" in html
    assert 'href="/servizi/assistenza-domiciliare/"' in html
    assert 'href="/iniziative/progetto-ponte/"' in html
    assert 'href="/enti/ufficio-di-piano/"' in html  # its articulations
    partner = page(built_mini, "/enti/coop-aurora/")
    assert "Servizi a cui collabora (1)" in partner and "assistenza-domiciliare" in partner


def test_comune_page_lists_district_wide_and_sub_ambito_services(built_mini: Path) -> None:
    alfa = page(built_mini, "/comuni/alfa/")
    assert "/servizi/assistenza-domiciliare/" in alfa  # whole district
    assert "/servizi/sportello-nord/" in alfa  # alfa is in sub-ambito nord
    assert "/servizi/centro-diurno/" not in alfa  # only in gamma
    gamma = page(built_mini, "/comuni/gamma/")
    assert "/servizi/centro-diurno/" in gamma and "/servizi/sportello-nord/" not in gamma
    assert "Servizi di tutto l'ambito (1)" in gamma


def test_initiative_page_links_both_ways(built_mini: Path) -> None:
    html = page(built_mini, "/iniziative/progetto-ponte/")
    assert "12.500 €" in html
    assert '<time datetime="2027-06">giugno 2027</time>' in html
    assert "/servizi/assistenza-domiciliare/" in html
    assert "/iniziative/progetto-ponte/" in page(built_mini, "/servizi/assistenza-domiciliare/")


def test_listings_home_and_fixed_pages_exist(built_mini: Path, built_mini_with_base: Path) -> None:
    assert "Centro diurno per anziani" in page(built_mini, "/aree/anziani/")
    assert "Sportello famiglie Nord" in page(built_mini, "/destinatari/famiglie/")
    az = page(built_mini, "/servizi/")
    assert az.index("Assistenza domiciliare") < az.index("Centro diurno") < az.index("Sportello")
    home = page(built_mini, "/")
    assert "3 servizi, 3 enti e 1 iniziative" in home or "3 servizi" in home
    assert 'href="/aree/anziani/"' in home and 'href="/comuni/"' in home
    assert "Pagina non trovata" in page(built_mini, "/404.html")
    # lastmod: the git date of the file, never earlier than verificato_il (2026-11-01)
    lastmod = re.search(
        r"<loc>https://carta.esempio-di-prova.it/servizi/assistenza-domiciliare/</loc>"
        r"<lastmod>(\d{4}-\d\d-\d\d)</lastmod>",
        page(built_mini_with_base, "/sitemap.xml"),
    )
    assert lastmod and lastmod.group(1) >= "2026-11-01"
    assert page(built_mini, "/robots.txt").startswith("User-agent: *")
    assert "Come usare la Carta" in home  # footer link to the free page


def test_two_builds_are_byte_identical(mini: Path, tmp_path: Path) -> None:
    build(mini, tmp_path / "a", today=TODAY)
    build(mini, tmp_path / "b", today=TODAY)
    assert tree_hash(tmp_path / "a") == tree_hash(tmp_path / "b")


def test_builds_in_different_processes_are_byte_identical(mini: Path, tmp_path: Path) -> None:
    """Hash order changes between Python processes; nothing written may depend on it (the
    search index pickles its analyzer)."""
    import os
    import subprocess
    import sys

    from .conftest import ROOT

    outs = []
    for seed in ("1", "2"):
        out = tmp_path / f"site-{seed}"
        env = {**os.environ, "PYTHONHASHSEED": seed, "CARTA_TODAY": TODAY.isoformat()}
        subprocess.run(
            [
                sys.executable,
                str(ROOT / "build.py"),
                "build",
                "--content",
                str(mini),
                "--out",
                str(out),
            ],
            env=env,
            check=True,
            capture_output=True,
        )
        outs.append(tree_hash(out))
    assert outs[0] == outs[1]
    assert any(name.startswith("_search/whoosh/") for name in outs[0])


def test_a_failed_build_leaves_the_previous_site_untouched(mini: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    build(mini, out, today=TODAY)
    before = tree_hash(out)
    (mini / "servizi" / "sportello-nord.md").write_text(
        "---\ntitolo: [rotto\n---\n", encoding="utf-8"
    )
    (mini / "servizi" / "nuovo.md").write_text("niente intestazione\n", encoding="utf-8")
    with pytest.raises(ContentErrors) as caught:
        build(mini, out, today=TODAY)
    assert len(caught.value.errors) == 2
    assert tree_hash(out) == before
    # no leftovers; the manifest of the last good build stays beside the site
    assert sorted(p.name for p in tmp_path.iterdir()) == [".carta-cache", "content", "site"]
    assert (tmp_path / ".carta-cache" / "site.json").is_file()


def test_a_template_crash_also_leaves_the_site_untouched(mini: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    build(mini, out, today=TODAY)
    before = tree_hash(out)
    templates = tmp_path / "templates"
    import shutil

    from carta.render import default_templates

    shutil.copytree(default_templates(), templates)
    (templates / "ente.html").write_text("{{ entry.nonexistent.field }}", encoding="utf-8")
    with pytest.raises(Exception, match="nonexistent"):
        build(mini, out, templates=templates, today=TODAY)
    assert tree_hash(out) == before


def test_rebuild_replaces_removed_pages(mini: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    build(mini, out, today=TODAY)
    (mini / "servizi" / "sportello-nord.md").unlink()
    build(mini, out, today=TODAY)
    assert not (out / "servizi" / "sportello-nord").exists()


def test_strict_build_fails_on_warnings_and_writes_nothing(mini: Path, tmp_path: Path) -> None:
    path = mini / "servizi" / "assistenza-domiciliare.md"  # verified, but long ago
    edit(path, "2026-11-01", "2024-01-01")
    build(mini, tmp_path / "lenient", today=TODAY)  # a warning does not stop a normal build
    with pytest.raises(ContentErrors) as caught:
        build(mini, tmp_path / "strict", strict=True, today=TODAY)
    assert [p.severity for p in caught.value.problems] == ["error"]
    assert not (tmp_path / "strict").exists()


XSS_BODY = """Testo normale.

<script>alert('x')</script>

<img src="x" onerror="alert(1)">

<a href="javascript:alert(2)">clicca</a> e <a href="/ok" onclick="alert(3)">ok</a>

<iframe src="https://example.org"></iframe>

[link](javascript:alert(4))
"""


def test_scripts_handlers_and_javascript_links_never_reach_the_page(
    mini: Path, tmp_path: Path
) -> None:
    path = mini / "enti" / "coop-aurora.md"
    front, _ = path.read_text(encoding="utf-8").rsplit("---\n", 1)
    path.write_text(front + "---\n" + XSS_BODY, encoding="utf-8")
    servizio = mini / "servizi" / "centro-diurno.md"
    servizio.write_text(
        servizio.read_text(encoding="utf-8").replace(
            "titolo: Centro diurno per anziani", "titolo: \"<script>alert('t')</script> Centro\""
        ),
        encoding="utf-8",
    )
    out = tmp_path / "site"
    build(mini, out, today=TODAY)
    for html_file in out.rglob("*.html"):
        html = html_file.read_text(encoding="utf-8").lower()
        # only same-origin script files and JSON-LD data blocks, whose text cannot close them
        html = re.sub(r'<script src="/static/[a-z]+\.js" defer></script>', "", html)
        html = re.sub(
            r'<script type="application/ld\+json" data-element="metatag">[^<]*</script>', "", html
        )
        assert "<script" not in html, html_file
        assert "javascript:" not in html, html_file
        assert "onerror" not in html and "onclick" not in html, html_file
        assert "<iframe" not in html and "<img" not in html, html_file
    ente = page(out, "/enti/coop-aurora/")
    assert "Testo normale." in ente and 'href="/ok"' in ente
    assert "&lt;script&gt;alert(&#39;t&#39;)&lt;/script&gt; Centro" in page(
        out, "/servizi/centro-diurno/"
    )


def test_output_refuses_to_write_a_file_twice(tmp_path: Path) -> None:
    out = Output(tmp_path)
    out.write("/servizi/a/", "uno", "content/servizi/a.md")
    with pytest.raises(DuplicateOutput, match="content/servizi/a.md"):
        out.write("/servizi/a/index.html", "due", "content/pagine/a.md")


def test_referral_sheet_data_exist_for_every_service(
    built_mini: Path, built_mini_with_base: Path
) -> None:
    data = json.loads(
        (built_mini / "servizi" / "centro-diurno" / "scheda.json").read_text(encoding="utf-8")
    )
    assert data["titolo"] == "Centro diurno per anziani"
    assert data["stato"] == (
        "Sospeso nel 2026 secondo il documento «Piano di prova 2026-2028». "
        "Lavori di ristrutturazione della sede."
    )
    rows = dict(data["righe"])
    assert rows["Come si accede"] == (
        "Su invio di un altro servizio. Su indicazione del servizio sociale."
    )
    assert rows["Quanto costa"] == "A pagamento."
    assert rows["A chi rivolgersi"].endswith(
        "Per i recapiti chiedi al servizio sociale (segretariato sociale) del tuo Comune."
    )
    assert data["url"] == "/servizi/centro-diurno/"
    assert not list(built_mini.rglob("scheda.html"))  # every .html written is a full page
    page_html = page(built_mini, "/foglio/")
    for slug in ("assistenza-domiciliare", "centro-diurno", "sportello-nord"):
        assert f'<input type="checkbox" name="s" value="{slug}" id="s-{slug}">' in page_html
    assert 'href="/foglio/?s=centro-diurno"' in page(built_mini, "/servizi/centro-diurno/")
    assert "/foglio/" in page(built_mini_with_base, "/sitemap.xml")
    assert "scheda.html" not in page(built_mini_with_base, "/sitemap.xml")


def test_an_acronym_already_in_the_name_is_not_repeated(mini: Path, tmp_path: Path) -> None:
    path = mini / "enti" / "coop-aurora.md"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "nome: Cooperativa Aurora", "nome: Cooperativa Aurora (CA)\nsigla: CA"
        ),
        encoding="utf-8",
    )
    build(mini, tmp_path / "site", today=date(2026, 11, 23))
    html = page(tmp_path / "site", "/enti/coop-aurora/")
    assert "<h1>Cooperativa Aurora (CA)</h1>" in html


def test_two_builds_at_once_in_two_threads_make_each_its_own_site(
    mini: Path, tmp_path: Path
) -> None:
    """A process that builds again and again keeps the templates compiled (one Jinja
    environment per folder and thread): two builds at the same time, of two Carte, with the
    same templates, must not see each other's site."""
    import shutil
    import threading

    from .test_incremental import files

    other = tmp_path / "altra"
    shutil.copytree(mini, other)
    edit(other / "carta.yaml", "titolo: Carta d'Ambito di Prova", "titolo: Carta di Altrove")
    expected = {}
    for name, content in (("prova", mini), ("altrove", other)):
        build(content, tmp_path / f"solo-{name}", today=TODAY, jobs=1)
        expected[name] = files(tmp_path / f"solo-{name}")
    failures: list[BaseException] = []

    def run(content: Path, out: Path) -> None:
        try:
            for _ in range(3):
                shutil.rmtree(out, ignore_errors=True)
                build(content, out, today=TODAY, jobs=1, clean=True)
        except BaseException as exc:  # noqa: BLE001 - said below
            failures.append(exc)

    threads = [
        threading.Thread(target=run, args=(mini, tmp_path / "insieme-prova")),
        threading.Thread(target=run, args=(other, tmp_path / "insieme-altrove")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert failures == []
    assert files(tmp_path / "insieme-prova") == expected["prova"]
    assert files(tmp_path / "insieme-altrove") == expected["altrove"]
    assert "Carta di Altrove" in page(tmp_path / "insieme-altrove", "/")
