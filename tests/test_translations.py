"""Translations of entries (``<slug>.<lang>.md`` beside the Italian file): loaded, checked
like entries, attached to their entry, counted as inputs of its pages."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carta import graph
from carta.cli import main
from carta.errors import ContentError
from carta.pipeline import check
from carta.report import build_report, render_text
from carta.scaffold import translation_skeleton

from .conftest import FIXTURES

DAY = date(2026, 11, 23)
SERVICE = "servizi/assistenza-domiciliare"

EN = """---
titolo: Home care
sommario: Help at home for people who can no longer manage daily activities alone.
parole_chiave: [carer, help at home]
traduzione:
  testo_italiano_del: 2026-11-01
  revisione: in-attesa
---
Qualified workers come to your home.

## Who it is for

Older or disabled people living at home.

## Come fare

Ask the social services for an interview.
"""

AR = """---
titolo: المساعدة المنزلية
sommario: مساعدة في المنزل لمن لم يعد قادرًا على القيام بالأنشطة اليومية وحده.
traduzione:
  testo_italiano_del: 2026-11-01
  revisione: rivista
  rivista_da: Mediatrice culturale del Comune di Prova
  rivista_il: 2026-11-10
---
يأتي عاملون مؤهلون إلى منزلك.

## لمن هذه الخدمة

كبار السن أو ذوو الإعاقة.
"""


def with_languages(root: Path, langs: str = "[en, fr, ar]") -> Path:
    path = root / "carta.yaml"
    path.write_text(path.read_text(encoding="utf-8") + f"lingue: {langs}\n", encoding="utf-8")
    return root


def write(root: Path, name: str, text: str) -> Path:
    path = root / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_translation_is_attached_to_its_entry_with_the_italian_anchors(mini: Path) -> None:
    with_languages(mini)
    write(mini, f"{SERVICE}.en.md", EN)
    write(mini, f"{SERVICE}.ar.md", AR)
    site, problems = check(mini, today=DAY, file_dates={})
    assert [str(p) for p in problems] == []
    assert site is not None
    entry = site.servizi["assistenza-domiciliare"]
    assert list(entry.translations) == ["ar", "en"]
    en = entry.translations["en"]
    assert (en.lang, en.path, en.title) == ("en", f"content/{SERVICE}.en.md", "Home care")
    assert en.summary.startswith("Help at home")
    assert en.intro == "Qualified workers come to your home."
    assert en.testo_italiano_del == date(2026, 11, 1) and en.revisione == "in-attesa"
    assert en.url == "/en/servizi/assistenza-domiciliare/"
    # a heading written in Italian or in English: the English heading, the Italian anchor
    assert [(s.heading, s.anchor) for s in en.sections] == [
        ("Who it is for", "a-chi-e-rivolto"),
        ("How to apply", "come-fare"),
    ]
    ar = entry.translations["ar"]
    assert ar.revisione == "rivista"
    assert [(s.heading, s.anchor) for s in ar.sections] == [("لمن هذه الخدمة", "a-chi-e-rivolto")]
    # the Italian entry is untouched
    assert entry.title == "Assistenza domiciliare" and len(entry.sections) == 7
    # other entries have none
    assert site.servizi["centro-diurno"].translations == {}


def test_free_sections_of_a_translation_get_anchors_unique_on_the_page(mini: Path) -> None:
    with_languages(mini, "[ar]")
    write(
        mini,
        "pagine/come-usare.ar.md",
        "---\ntitolo: كيفية استخدام الدليل\nsommario: كيف تجد الخدمة المناسبة.\n"
        "traduzione: {testo_italiano_del: 2026-11-01, revisione: in-attesa}\n---\nنص.\n\n"
        "## ملاحظة\n\nنص.\n\n## ملاحظة أخرى\n\nنص.\n\n## Note\n\nA.\n\n## Note\n\nB.\n",
    )
    site, problems = check(mini, today=DAY, file_dates={})
    assert site is not None, problems
    sections = site.pagine["come-usare"].translations["ar"].sections
    assert [s.anchor for s in sections] == ["sezione-1", "sezione-2", "note", "note-4"]


def test_check_counts_the_translations(mini: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with_languages(mini, "[en, ar]")
    write(mini, f"{SERVICE}.en.md", EN)
    write(mini, f"{SERVICE}.ar.md", AR)
    assert main(["check", "--content", str(mini)]) == 0
    assert (
        capsys.readouterr()
        .err.strip()
        .endswith(
            "Contenuti corretti: 3 servizi, 3 enti, 1 iniziativa, 1 pagina; traduzioni: en 1, ar 1."
        )
    )


def test_an_italian_only_carta_has_no_translations(mini: Path) -> None:
    site, problems = check(mini, today=DAY)
    assert site is not None and problems == []
    assert all(e.translations == {} for e in site.all_entries())


def test_every_mistake_of_a_translation_is_reported_in_one_run(mini: Path) -> None:
    with_languages(mini, "[en]")
    text = EN.replace("parole_chiave:", "costi: {tipo: gratuito}\nparole_chiave:")
    text = text.replace("titolo: Home care", "titolo: Home care\ntitolo: Again")
    text = text.replace("revisione: in-attesa", "revisione: rivista\n  rivista_il: 2026-13-01")
    text = text.replace("## Come fare", "## Com fare")
    write(mini, f"{SERVICE}.en.md", text)
    site, problems = check(mini, today=DAY, file_dates={})
    assert site is None
    assert [str(p) for p in problems] == [
        f"content/{SERVICE}.en.md:3:1: chiave 'titolo' ripetuta (già definita alla riga 2)",
        f"content/{SERVICE}.en.md:5:1: costi: non si traduce: resta quello della scheda italiana",
        f"content/{SERVICE}.en.md:10:15: traduzione.rivista_il: data inesistente '2026-13-01'",
        f"content/{SERVICE}.en.md:18:1: sezione sconosciuta '## Com fare' (forse 'Come fare'?): "
        "le sezioni ammesse sono Who it is for, How to apply, What you need, What you get, "
        "Timing and deadlines, How much it costs, Conditions (o in italiano: A chi è rivolto, "
        "Come fare, Cosa serve, Cosa si ottiene, Tempi e scadenze, Quanto costa, Condizioni)",
    ]


def test_only_the_translatable_keys_of_each_kind(mini: Path) -> None:
    with_languages(mini, "[fr]")
    write(
        mini,
        "pagine/come-usare.fr.md",
        "---\ntitolo: Comment utiliser la Carta\nsommario: Trouver le bon service.\n"
        "ordine: 2\nparole_chiave: [aide]\n"
        "traduzione: {testo_italiano_del: 2026-11-01, revisione: in-attesa}\n---\nTexte.\n",
    )
    write(
        mini,
        "enti/coop-aurora.fr.md",
        "---\ntitolo: Coopérative Aurora\n"
        "traduzione: {testo_italiano_del: 2026-11-01, revisione: in-attesa}\n---\n",
    )
    _, problems = check(mini, today=DAY, file_dates={})
    assert [str(p) for p in problems] == [
        "content/enti/coop-aurora.fr.md:1:1: nome: chiave obbligatoria mancante",
        "content/enti/coop-aurora.fr.md:2:1: titolo: chiave sconosciuta (chiavi ammesse: "
        "nome, sommario, altri_nomi, parole_chiave, traduzione)",
        "content/pagine/come-usare.fr.md:4:1: ordine: non si traduce: resta quello della scheda "
        "italiana",
        "content/pagine/come-usare.fr.md:5:1: parole_chiave: chiave sconosciuta (chiavi ammesse: "
        "titolo, sommario, traduzione)",
    ]


def git(folder: Path, *args: str, when: str = "2026-11-01T10:00:00+00:00") -> None:
    env = {
        "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@t", "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when,
        "PATH": "/usr/bin:/bin", "HOME": str(folder),
    }  # fmt: skip
    subprocess.run(["git", *args], cwd=folder, env=env, check=True, capture_output=True)


def stale(problems: list[ContentError]) -> list[str]:
    return [str(p) for p in problems if "è cambiata dopo la traduzione" in p.message]


def test_check_warns_when_the_italian_file_changed_after_the_translation(mini: Path) -> None:
    """With the dates of a real git history: the translation follows the Italian text of
    1 November; the Italian file changes on 20 November."""
    with_languages(mini)
    write(mini, f"{SERVICE}.en.md", EN)
    git(mini.parent, "init", "-q")
    git(mini.parent, "add", "content")
    git(mini.parent, "commit", "-q", "-m", "uno")
    _, problems = check(mini, today=DAY)
    assert stale(problems) == []
    italian = mini / f"{SERVICE}.md"
    italian.write_text(italian.read_text(encoding="utf-8") + "\nAltro.\n", encoding="utf-8")
    git(mini.parent, "commit", "-q", "-am", "due", when="2026-11-20T10:00:00+00:00")
    _, problems = check(mini, today=DAY)
    assert stale(problems) == [
        f"content/{SERVICE}.en.md:6:23: avviso: traduzione.testo_italiano_del: la scheda "
        "italiana è cambiata dopo la traduzione: aggiornala (servizi/assistenza-domiciliare.md "
        "è cambiata il 2026-11-20, la traduzione è del 2026-11-01); poi scrivi in "
        "testo_italiano_del la data del testo italiano tradotto"
    ]
    # the translator updates the translation and its date: no warning
    write(mini, f"{SERVICE}.en.md", EN.replace("2026-11-01", "2026-11-20"))
    git(mini.parent, "commit", "-q", "-am", "tre", when="2026-11-21T10:00:00+00:00")
    _, problems = check(mini, today=DAY)
    assert stale(problems) == []


def test_a_translation_is_an_input_of_its_entry(mini: Path, tmp_path: Path) -> None:
    templates = tmp_path / "t"
    templates.mkdir()

    def inputs() -> graph.Inputs:
        site, _ = check(mini, today=DAY, file_dates={})
        assert site is not None
        dates = {id(e): DAY for e in site.all_entries()}
        return graph.inputs_of(site, mini, templates, dates, ["carta.yaml"])

    with_languages(mini, "[en]")
    italian_only = inputs()
    write(mini, f"{SERVICE}.en.md", EN)
    first = inputs()
    key = f"content/{SERVICE}.md"
    assert first.entries[key]["meta"] != italian_only.entries[key]["meta"]
    assert first.entries[key]["body"] != italian_only.entries[key]["body"]
    # an entry without translations hashes as before
    other = "content/servizi/centro-diurno.md"
    assert first.entries[other] == italian_only.entries[other]
    # a change to the translation's body only re-renders its entry
    write(mini, f"{SERVICE}.en.md", EN.replace("your home", "your house"))
    second = inputs()
    assert second.entries[key]["meta"] == first.entries[key]["meta"]
    manifest = {
        "layout": graph.LAYOUT,
        "shared": first.shared,
        "entries": first.entries,
        "outputs": {},
    }
    todo = graph.plan(manifest, second)
    assert not todo.full and todo.bodies == {key}
    write(mini, f"{SERVICE}.en.md", EN.replace("Home care", "Care at home"))
    assert graph.plan(manifest, inputs()).full


def test_carta_new_writes_a_translation_check_refuses_until_written(
    mini: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with_languages(mini, "[en]")
    assert main(["new", "servizio", "assistenza-domiciliare", "--lingua", "en", "--content", str(mini)]) == 0  # fmt: skip
    created = mini / f"{SERVICE}.en.md"
    assert capsys.readouterr().out.strip() == str(created)
    text = created.read_text(encoding="utf-8")
    assert "## Who it is for" in text and "## Conditions" in text
    site, problems = check(mini, today=DAY, file_dates={})
    assert site is None
    mine = [p for p in problems if p.path.endswith(".en.md")]
    assert any(p.message.startswith("testo segnaposto da sostituire") for p in mine)
    assert "traduzione.testo_italiano_del" in {p.field for p in mine}  # no git: left to write
    text = re.sub(r"SEGNAPOSTO: ([^\"\n]*)", lambda m_: m_.group(1).capitalize(), text)
    text = text.replace("  # testo_italiano_del: AAAA-MM-GG", "  testo_italiano_del: 2026-11-01 #")
    created.write_text(text, encoding="utf-8")
    site, problems = check(mini, strict=True, today=DAY, file_dates={})
    assert [str(p) for p in problems] == []
    assert site is not None
    assert site.servizi["assistenza-domiciliare"].translations["en"].title == "Il titolo tradotto."
    # never over an existing file, never without an Italian entry
    assert main(["new", "servizio", "assistenza-domiciliare", "--lingua", "en", "--content", str(mini)]) == 2  # fmt: skip
    assert main(["new", "servizio", "nessuna", "--lingua", "en", "--content", str(mini)]) == 2
    assert main(["new", "pagina", "come-usare", "--lingua", "xx", "--content", str(mini)]) == 2


def test_the_skeleton_of_a_translation_has_the_git_date_of_the_italian_text() -> None:
    text = translation_skeleton(
        "pagina", "ar", "---\ntitolo: X\n---\nA\n\n## Uno\n\nB\n", "2026-10-01"
    )
    assert "  testo_italiano_del: 2026-10-01\n" in text
    assert "## Uno" in text and "altri_nomi" not in text


def test_schema_of_a_translation(capsys: pytest.CaptureFixture[str]) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    from carta import yamlstrict
    from carta.schema import schema_for

    schema = schema_for("servizio-traduzione")
    assert schema["title"].startswith("Traduzione: servizio (content/servizi/*.<lingua>.md")
    front = yamlstrict.load(EN.split("---\n")[1])
    jsonschema.validate(front, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**front, "aree": ["anziani"]}, schema)
    assert main(["schema", "--kind", "pagina-traduzione"]) == 0
    assert set(json.loads(capsys.readouterr().out)["required"]) == {"titolo", "traduzione"}


def test_report_counts_the_translations_of_each_language(mini: Path) -> None:
    with_languages(mini, "[en, ar]")
    write(mini, f"{SERVICE}.en.md", EN)
    write(mini, f"{SERVICE}.ar.md", AR)
    write(
        mini,
        "pagine/come-usare.en.md",
        "---\ntitolo: How to use the Carta\nsommario: Finding the right service.\n"
        "traduzione: {testo_italiano_del: 2026-11-01, revisione: in-attesa}\n---\nText.\n",
    )
    site, _ = check(mini, today=DAY, file_dates={})
    assert site is not None
    report = build_report(site, DAY)
    assert report.translations == {"en": 2, "ar": 1}
    assert "Schede tradotte, per lingua\n  en: 2 di 8\n  ar: 1 di 8\n" in render_text(report, site)


# --- fuzz: a translation file is read like an entry, never with a traceback ------------------

FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
PIECES = [b"!!bool ", b"&a ", b"*a", b"[" * 200, b"\x00", b"\xe0", b"\t", b"---\n", b": ",
          b"\n- ", b"\n## ", b"traduzione: ", b"revisione: ", b"aree: [x]\n", b"\xd9\x8b",
          b"\xd9\x80", b"# ", b"'"]  # fmt: skip


@st.composite
def mutated_translation(draw: st.DrawFn) -> bytes:
    data = bytearray(EN.encode() if draw(st.booleans()) else AR.encode())
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(data)))
        action = draw(st.sampled_from(["insert", "delete", "random"]))
        if action == "insert":
            data[at:at] = draw(st.sampled_from(PIECES))
        elif action == "delete":
            del data[at : at + draw(st.integers(1, 40))]
        else:
            data[at:at] = draw(st.binary(min_size=1, max_size=20))
    return bytes(data)


@pytest.fixture(scope="module")
def fuzz_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("fuzz-translations") / "content"
    shutil.copytree(FIXTURES / "mini", root)
    return with_languages(root)


@FUZZ
@given(data=mutated_translation(), name=st.sampled_from(["en", "ar", "de", "it", "e"]))
def test_mutated_translations_are_content_errors_never_tracebacks(
    fuzz_site: Path, data: bytes, name: str
) -> None:
    path = fuzz_site / f"{SERVICE}.{name}.md"
    path.write_bytes(data)
    try:
        site, problems = check(fuzz_site, today=DAY, file_dates={})
    finally:
        path.unlink()
    assert all(isinstance(p, ContentError) for p in problems)
    assert (site is None) == any(p.severity == "error" for p in problems)
    for p in problems:
        assert p.line >= 0 and p.column >= 0 and p.message


def test_a_page_in_another_language_dates_from_its_translation_when_that_is_later(
    mini: Path, tmp_path: Path
) -> None:
    """The Italian file is committed on 1 November, its translation on 20 November: the English
    page (and its sitemap) says it changed on the 20th, the Italian one still on the 1st."""
    from carta.pipeline import build

    with_languages(mini, "[en]")
    (mini / "carta.yaml").write_text(
        (mini / "carta.yaml").read_text(encoding="utf-8") + "url_base: https://esempio.it/\n",
        encoding="utf-8",
    )
    git(mini.parent, "init", "-q")
    git(mini.parent, "add", "content")
    git(mini.parent, "commit", "-q", "-m", "uno")
    write(mini, f"{SERVICE}.en.md", EN)
    git(mini.parent, "add", "content")
    git(mini.parent, "commit", "-q", "-m", "due", when="2026-11-20T10:00:00+00:00")
    out = tmp_path / "site"
    build(mini, out, today=DAY)

    def changed(rel: str) -> str:
        text = (out / rel / "index.html").read_text(encoding="utf-8")
        found = re.search(r'<p class="verificato">(.*?)</p>', text, re.S)
        assert found, rel  # "Pagina modificata l'ultima volta il …" comes last
        return re.findall(r'<time datetime="([\d-]+)"', found.group(1))[-1]

    assert changed(SERVICE) == "2026-11-01"
    assert changed(f"en/{SERVICE}") == "2026-11-20"
    # an entry without an English translation: its English page dates from its Italian file
    assert changed("en/servizi/centro-diurno") == "2026-11-01"
    sitemap = (out / "sitemap-en.xml").read_text(encoding="utf-8")
    entry = sitemap.split(f"/en/{SERVICE}/</loc>")[1].split("</url>")[0]
    assert "<lastmod>2026-11-20</lastmod>" in entry
    italian = (out / "sitemap.xml").read_text(encoding="utf-8")
    assert "<lastmod>2026-11-01</lastmod>" in italian.split(f"/{SERVICE}/</loc>")[1]
