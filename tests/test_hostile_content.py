"""Hostile content: whatever bytes a content file holds, `check` answers with content errors
(file:line:column, in Italian) and never with a traceback, a hang or gigabytes of memory;
whatever passes `check` builds into well-formed outputs."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from carta import markup, opendata, yamlstrict
from carta import model as m
from carta.errors import ContentError
from carta.pipeline import build, check
from carta.urls import Urls

from .conftest import FIXTURES, ROOT, TODAY

DAY = date.fromisoformat(TODAY)
ENTRY = "servizi/sportello-nord.md"
VALID = (FIXTURES / "mini" / ENTRY).read_bytes()


def problems_of(root: Path, name: str = ENTRY) -> list[str]:
    site, problems = check(root, today=DAY)
    shown = root.name + "/" + name
    return [str(p) for p in problems if p.path == shown]


def put(root: Path, text: str | bytes, name: str = ENTRY) -> None:
    path = root / name
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)


def replace(root: Path, old: str, new: str, name: str = ENTRY) -> None:
    text = (root / name).read_text(encoding="utf-8")
    assert old in text, old
    put(root, text.replace(old, new, 1), name)


# --- the loader: fuzzing ----------------------------------------------------------------------

FUZZ = settings(
    max_examples=250,
    deadline=timedelta(seconds=5),  # a guard against hangs, not a speed test
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

#: pieces that have broken YAML loaders before
HOSTILE = [
    b"!!bool ",
    b"!!int ",
    b"!!python/object:os.system ",
    b"!foo ",
    b"&a ",
    b"*a",
    b"<<: ",
    b"? ",
    b"- " * 60,
    b"[" * 300,
    b"{" * 300,
    b"9" * 5000,
    b"1.0e999",
    b"-.inf",
    b".nan",
    b"\x00",
    b"\x07",
    b"\xc2\x85",
    b"\xe2\x80\xa8",
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b"\xe0",
    b"\t",
    b"\r",
    b'"',
    b"'",
    b"\\",
    b"---\n",
    b"...\n",
    b"%YAML 1.1\n",
    b": ",
    b"|\n",
    b">-\n",
    b"#",
    b"@",
    b"`",
    b"\n  ",
    b"\n- ",
]


@st.composite
def mutated_entry(draw: st.DrawFn) -> bytes:
    data = bytearray(VALID)
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(data)))
        action = draw(st.sampled_from(["insert", "delete", "random", "line"]))
        if action == "insert":
            data[at:at] = draw(st.sampled_from(HOSTILE))
        elif action == "delete":
            del data[at : at + draw(st.integers(1, 40))]
        elif action == "random":
            data[at:at] = draw(st.binary(min_size=1, max_size=20))
        else:  # repeat a line, as a careless paste would
            start = data.rfind(b"\n", 0, at) + 1
            end = data.find(b"\n", at)
            line = bytes(data[start : end + 1 if end >= 0 else len(data)])
            data[start:start] = line * draw(st.integers(1, 3))
    return bytes(data)


@pytest.fixture(scope="module")
def site_copy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One copy of the small site whose files the fuzz tests overwrite."""
    root = tmp_path_factory.mktemp("fuzz") / "content"
    shutil.copytree(FIXTURES / "mini", root)
    yield root


def _only_content_errors(root: Path) -> None:
    site, problems = check(root, today=DAY)  # any other exception fails the test
    assert all(isinstance(p, ContentError) for p in problems)
    assert (site is None) == any(p.severity == "error" for p in problems)
    for p in problems:
        assert p.line >= 0 and p.column >= 0 and p.message


@FUZZ
@given(data=st.binary(max_size=3000))
def test_random_bytes_are_content_errors_never_tracebacks(site_copy: Path, data: bytes) -> None:
    put(site_copy, data)
    _only_content_errors(site_copy)


@FUZZ
@given(data=mutated_entry())
def test_mutated_entries_are_content_errors_never_tracebacks(site_copy: Path, data: bytes) -> None:
    put(site_copy, data)
    _only_content_errors(site_copy)


@FUZZ
@given(data=mutated_entry())
def test_mutated_data_files_are_content_errors_never_tracebacks(
    site_copy: Path, data: bytes
) -> None:
    put(site_copy, VALID)
    original = (FIXTURES / "mini" / "carta.yaml").read_bytes()
    try:
        parts = data.split(b"---")
        put(site_copy, original + (parts[1] if len(parts) > 1 else data)[:400], "carta.yaml")
        _only_content_errors(site_copy)
    finally:
        put(site_copy, original, "carta.yaml")


# --- the loader: each finding -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "shown"),
    [
        ("  isee: !!bool yes", "'!!bool'"),
        ('  isee: !!int "5"', "'!!int'"),
        ("  isee: !foo x", "'!foo'"),
    ],
)
def test_explicit_tags_are_refused_at_their_place(mini: Path, line: str, shown: str) -> None:
    replace(mini, "  tipo: gratuito\n", f"  tipo: gratuito\n{line}\n")
    found = problems_of(mini)
    assert len(found) == 1
    assert found[0].startswith(f"content/{ENTRY}:14:9: YAML non valido: tag YAML {shown} non")


def test_tags_are_not_obeyed() -> None:
    with pytest.raises(yamlstrict.RefusedError):
        yamlstrict.load("vero: !!bool yes\n")
    with pytest.raises(yamlstrict.RefusedError):
        yamlstrict.load('numero: !!int "5"\n')


def test_anchors_and_aliases_are_refused(mini: Path) -> None:
    replace(mini, "titolo: ", "titolo: &t ")
    replace(mini, "sommario: ", "sommario: *t\nx: ")
    found = problems_of(mini)
    assert len(found) == 1 and "ancora '&t' non ammessa" in found[0]
    _, problems, readable = yamlstrict.parse("a: 1\nb: *a\n")
    assert not readable and "alias '*a' non ammesso" in problems[0].message


BILLION_LAUGHS = 'a: &a ["ha","ha","ha","ha","ha","ha","ha","ha","ha"]\n' + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{','.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(9)
)


def test_a_billion_laughs_fails_fast() -> None:
    start = time.perf_counter()
    data, problems, readable = yamlstrict.parse(BILLION_LAUGHS)
    assert time.perf_counter() - start < 1
    assert data is None and not readable
    assert "ancora '&a' non ammessa" in problems[0].message


def test_a_billion_laughs_in_a_content_file_fails_fast_in_bounded_memory(mini: Path) -> None:
    """In a child process with 1 GB of address space and 60 s: before the fix it grew past
    3 GB and never finished."""
    (mini / "aree.yaml").write_text(BILLION_LAUGHS, encoding="utf-8")
    code = (
        "import resource, sys; from pathlib import Path\n"
        "resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))\n"
        "from carta.pipeline import check\n"
        "site, problems = check(Path(sys.argv[1]))\n"
        "print('\\n'.join(str(p) for p in problems))\n"
    )
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", code, str(mini)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "CARTA_TODAY": TODAY},
    )
    assert result.returncode == 0, result.stderr
    assert time.perf_counter() - start < 30
    assert "content/aree.yaml:1:4: YAML non valido: ancora '&a' non ammessa" in result.stdout


def test_a_very_long_integer_is_a_content_error(mini: Path) -> None:
    replace(mini, "titolo: ", "ordine: " + "9" * 5000 + "\ntitolo: ", "pagine/come-usare.md")
    found = problems_of(mini, "pagine/come-usare.md")
    assert found == [
        "content/pagine/come-usare.md:2:9: YAML non valido: numero troppo lungo: 5000 cifre, al "
        "massimo 15 (se è un codice, mettilo tra virgolette)"
    ]


@pytest.mark.parametrize(
    "deep",
    [
        "x: " + "[" * 1000 + "\n",
        "x: " + "{a: " * 1000 + "\n",
        "x:\n" + "\n".join("  " * (i + 1) + "-" for i in range(120)) + " y\n",
    ],
)
def test_deep_nesting_is_a_content_error(mini: Path, deep: str) -> None:
    replace(mini, "fonti:", deep + "fonti:")
    found = problems_of(mini)
    assert len(found) == 1 and "troppi livelli annidati: al massimo 50" in found[0], found


def test_the_position_walker_survives_any_depth() -> None:
    text = "a:\n" + "".join("  " * i + "- \n" for i in range(1, 3000))
    yamlstrict.positions(text)  # no RecursionError
    nested = "a:\n" + "".join("  " * i + "-\n" for i in range(1, 40)) + "  " * 40 + "- x\n"
    assert yamlstrict.positions(nested).of(("a",) + (0,) * 39) == (41, 81)


def test_a_control_character_is_reported_at_its_place_in_italian(mini: Path) -> None:
    replace(mini, "sommario: ", "sommario: Uno\x07due ")
    assert problems_of(mini) == [
        f"content/{ENTRY}:3:14: carattere di controllo U+0007 non ammesso: è invisibile, di "
        "solito arriva da un copia e incolla; cancellalo e riscrivi il testo intorno"
    ]


def test_a_control_character_in_the_body_is_reported_too(mini: Path) -> None:
    text = (mini / ENTRY).read_text(encoding="utf-8")
    put(mini, text + "Riga con un\x1b carattere.\n")
    line = text.count("\n") + 1
    assert problems_of(mini)[0].startswith(f"content/{ENTRY}:{line}:12: carattere di controllo")


def test_invalid_utf8_is_reported_at_its_column_in_characters(mini: Path) -> None:
    put(mini, VALID.replace(b"titolo: ", b"titolo: Citt\xc3\xa0 \xe0 ", 1))
    assert problems_of(mini) == [
        f"content/{ENTRY}:2:15: il file non è in UTF-8 (byte 0xe0): salvalo con codifica UTF-8"
    ]


def test_a_file_too_big_is_refused_with_a_clear_message(mini: Path) -> None:
    put(mini, VALID + b"Testo. " * 200_000)
    assert problems_of(mini) == [
        f"content/{ENTRY}: file troppo grande (1.4 MB): il limite è 1 MB per file, dividi il "
        "testo in più schede"
    ]


def test_merge_keys_and_value_keys_stay_text() -> None:
    assert yamlstrict.load("<<: {a: 1}\n") == {"<<": {"a": 1}}
    assert yamlstrict.load("=: x\n") == {"=": "x"}


def test_any_unforeseen_failure_is_a_problem_at_the_start(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(text: str) -> None:
        raise RuntimeError("unforeseen")

    monkeypatch.setattr(yamlstrict, "screen", boom)
    data, problems, readable = yamlstrict.parse("a: 1\n", line_offset=1)
    assert (data, readable) == (None, False)
    assert (problems[0].line, problems[0].column) == (2, 1)
    assert problems[0].message.startswith("YAML non leggibile (RuntimeError)")


def test_a_reference_to_an_unreadable_file_is_not_reported_as_missing(mini: Path) -> None:
    path = mini / "enti" / "coop-aurora.md"
    path.write_text(path.read_text(encoding="utf-8").replace("nome:", "nome: [", 1), "utf-8")
    _, problems = check(mini, today=DAY)
    assert [p.path for p in problems] == ["content/enti/coop-aurora.md"]


# --- Markdown -----------------------------------------------------------------------------------

MD_ALPHABET = st.sampled_from(
    list("[]()<>!*_`~#>-+=|\\:/&;.\"' \n\t") + ["a", "b", "1", "http://x.it", "    ", "- ", "> "]
)


@settings(max_examples=150, deadline=timedelta(seconds=5), derandomize=True, database=None)
@given(text=st.lists(MD_ALPHABET, max_size=1500).map("".join))
def test_markdown_is_checked_or_rendered_never_a_crash(text: str) -> None:
    if markup.check(text):
        return  # a content error with its line
    md = markup.Renderer()
    md.html(text)
    md.text(text)


def test_fifty_thousand_brackets_are_a_content_error_found_fast(mini: Path) -> None:
    text = (mini / ENTRY).read_text(encoding="utf-8")
    put(mini, text + "\n" + "[" * 50_000 + "\n")
    start = time.perf_counter()
    found = problems_of(mini)
    assert time.perf_counter() - start < 2
    line = text.count("\n") + 2
    assert found == [
        f"content/{ENTRY}:{line}:1: paragrafo troppo complesso da impaginare: troppi segni "
        "speciali ([, `, *, _, &, <, \\) per la sua lunghezza; dividilo in paragrafi più brevi "
        "(separati da una riga vuota) o togli i segni che non servono"
    ]


def test_a_body_too_long_is_a_content_error(mini: Path) -> None:
    text = (mini / ENTRY).read_text(encoding="utf-8")
    put(mini, text + "Una riga.\n" * 3000)
    found = problems_of(mini)
    assert len(found) == 1 and "testo troppo lungo" in found[0]
    assert "al massimo 200000 caratteri e 2000 righe per scheda" in found[0]


@pytest.mark.parametrize(
    "body",
    [
        "[" * 1400,  # just under the budget of one paragraph
        ("[" * 1400 + "\n\n") * 2,
        "&\n\n" * 666,  # as many paragraphs as lines allow
        "## Titolo\n" * 1999,
        "<a " * 800,
        "".join("`" * i + "a " for i in range(1, 150)),
        "a" + ">" * 190_000,
        "---\n" * 1999,
    ],
)
def test_the_heaviest_accepted_bodies_still_render_quickly(body: str) -> None:
    """A guard against hangs, not a speed test: each took seconds to minutes before."""
    assert markup.check(body) == []
    start = time.perf_counter()
    markup.Renderer().html(body)
    assert time.perf_counter() - start < 10


def test_brackets_in_short_paragraphs_render_in_linear_time() -> None:
    """The same 50,000 brackets, in paragraphs of fifty, are accepted and render quickly."""
    text = ("[" * 50 + "\n\n") * 999 + "[" * 50
    assert text.count("[") == 50_000
    assert markup.check(text) == []
    start = time.perf_counter()
    markup.Renderer().html(text)
    assert time.perf_counter() - start < 10


@pytest.mark.parametrize(
    "body",
    [
        "\n".join("    " * i + "- voce" for i in range(249)),
        "\n".join(">" * i + " citazione" for i in range(1, 249)),
        "\n".join("    " * i + "1. voce" for i in range(249)),
        "termine\n: definizione\n" * 300,  # each definition nests in the one before
        '<div markdown="1">\n' * 300 + "testo\n" + "</div>\n" * 300,
    ],
)
def test_deep_lists_and_quotes_are_a_content_error_not_a_crash(mini: Path, body: str) -> None:
    text = (mini / ENTRY).read_text(encoding="utf-8")
    put(mini, text + "\n" + body + "\n")
    found = problems_of(mini)
    assert any("annidati troppo in profondità: al massimo 20 livelli" in p for p in found)


def test_twenty_levels_are_allowed_and_render() -> None:
    body = "\n".join("    " * i + "- voce" for i in range(20))
    assert markup.check(body) == []
    assert markup.Renderer().html(body).count("<ul>") == 20


def test_horizontal_rules_are_not_nesting() -> None:
    assert markup.check("* " * 30 + "\n\n" + "- " * 30) == []


# --- values -------------------------------------------------------------------------------------


def rejects(kind: object, value: object) -> str:
    with pytest.raises(ValidationError) as caught:
        TypeAdapter(kind).validate_python(value)
    return str(caught.value)


@pytest.mark.parametrize("importo", ["1.0e999", "-1.0e999", "1.0e13", '"inf"', '"nan"'])
def test_amounts_are_finite_and_in_range(mini: Path, importo: str) -> None:
    name = "iniziative/progetto-ponte.md"
    replace(mini, "importo: 12500", f"importo: {importo}", name)
    found = problems_of(mini, name)
    assert len(found) == 1 and "finanziamento.importo" in found[0], found


EMAIL_WRONG = "indirizzo email non valido"
URL_WRONG = "indirizzo web non valido"


@pytest.mark.parametrize(
    ("kind", "value", "message"),
    [
        (m.Email, "nome@dominio.it?cc=altro@dominio.it", EMAIL_WRONG),
        (m.Email, "nome@dominio.it%0abcc:x@y.it", EMAIL_WRONG),
        (m.Email, "nome?subject=x@dominio.it", EMAIL_WRONG),
        (m.Email, "nome@dominio.it&body=ciao", EMAIL_WRONG),
        (m.Email, "nome @dominio.it", EMAIL_WRONG),
        (m.Email, "nome@dominio", EMAIL_WRONG),
        (m.Url, "javascript:alert(1)", URL_WRONG),
        (m.Url, "ftp://esempio.it/file", URL_WRONG),
        (m.Url, "https://esempio.it/a\x07b", URL_WRONG),
        (m.Url, 'https://esempio.it/"onmouseover="x', URL_WRONG),
        (m.Url, "https://esempio.it/<script>", URL_WRONG),
        (m.Url, "//esempio.it", URL_WRONG),
        (m.Url, "data:text/html,x", URL_WRONG),
    ],
)
def test_an_address_is_an_address_and_nothing_else(kind: object, value: str, message: str) -> None:
    """Emails: nothing a ``mailto:`` link would obey; URLs: http or https only."""
    assert message in rejects(kind, value)


def test_plain_addresses_pass() -> None:
    assert TypeAdapter(m.Email).validate_python("servizi.sociali@comune.esempio.it")
    assert TypeAdapter(m.Url).validate_python("https://www.esempio.it/servizi?id=3#orari")
    assert TypeAdapter(m.Url).validate_python("www.esempio.it")


def test_url_base_must_name_its_scheme() -> None:
    assert "deve iniziare con https://" in rejects(m.BaseUrl, "www.esempio.it")
    assert TypeAdapter(m.BaseUrl).validate_python("https://carta.esempio.it/sociale/")


def test_a_telephone_is_a_number() -> None:
    assert "numero di telefono non valido" in rejects(m.Phone, "chiamare la mattina")
    assert "numero di telefono non valido" in rejects(m.Phone, "0?x=1")
    assert TypeAdapter(m.Phone).validate_python("+39 000 0000000")


@pytest.mark.parametrize(
    ("name", "old", "new"),
    [
        (ENTRY, "titolo: ", 'titolo: "Uno\\adue" #'),
        (ENTRY, "fonti:", 'parole_chiave: ["a\\x1bb"]\nfonti:'),
        ("aree.yaml", "  nome: Anziani", '  nome: "Anziani\\x7f"'),
        ("carta.yaml", "titolo: ", 'titolo: "Car\\u0085ta" #'),
        ("sinonimi.yaml", "", '"ba\\x00dante": [assistente]\n'),
    ],
)
def test_control_characters_are_refused_in_every_text_field(
    mini: Path, name: str, old: str, new: str
) -> None:
    """Written as YAML escapes, they pass the file scan: the model refuses them."""
    text = (mini / name).read_text(encoding="utf-8")
    put(mini, text.replace(old, new, 1) if old else new + text, name)
    found = problems_of(mini, name)
    assert any("carattere di controllo U+" in p for p in found), found


# --- outputs --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "safe"),
    [
        ('=HYPERLINK("https://esempio.it","clic")', '\'=HYPERLINK("https://esempio.it","clic")'),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("-12.5", "-12.5"),
        ("+39 000 0000000", "+39 000 0000000"),
        ("Servizio sociale", "Servizio sociale"),
        ("", ""),
    ],
)
def test_csv_cells_are_neutralised_against_formulas(cell: str, safe: str) -> None:
    assert opendata.neutralise(cell) == safe


def test_json_never_holds_nan_or_infinity() -> None:
    from carta.render import json_script

    for bad in (float("inf"), float("nan")):
        with pytest.raises(ValueError):
            opendata.to_json([{"importo": bad}])
        with pytest.raises(ValueError):
            json_script({"importo": bad})


@pytest.fixture(scope="module")
def hostile_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small site with titles and summaries an attacker would write, built."""
    root = tmp_path_factory.mktemp("hostile")
    content = root / "content"
    shutil.copytree(FIXTURES / "mini", content)
    path = content / ENTRY
    text = path.read_text(encoding="utf-8")
    text = text.replace(
        "titolo: Sportello famiglie Nord",
        "titolo: '=HYPERLINK(\"https://esempio.it\") & <b>Nord</b>'",
    )
    text = text.replace("altri_nomi: [", "altri_nomi: ['-1+1 & <script>x</script>', ", 1)
    path.write_text(text, encoding="utf-8")
    site, problems = check(content, today=DAY)
    assert [str(p) for p in problems] == []
    build(content, root / "site", today=DAY, base_url="https://carta.esempio.it/")
    return root / "site"


def test_the_csv_neutralises_what_an_attacker_writes(hostile_build: Path) -> None:
    rows = list(
        csv.DictReader(io.StringIO((hostile_build / "dati" / "servizi.csv").read_text("utf-8")))
    )
    row = next(r for r in rows if r["slug"] == "sportello-nord")
    assert row["name"].startswith("'=HYPERLINK(")
    assert row["alternate_name"].startswith("'-1+1")
    assert all(r["last_modified"][:1].isdigit() for r in rows)  # typed columns stay typed
    assert "apostrofo" in (hostile_build / "dati" / "index.html").read_text("utf-8")


def test_feed_and_sitemap_are_well_formed_xml(hostile_build: Path) -> None:
    feed = ET.parse(hostile_build / "feed.xml").getroot()
    ns = {"a": "http://www.w3.org/2005/Atom"}
    titles = [t.text or "" for t in feed.findall("a:entry/a:title", ns)]
    assert any('=HYPERLINK("https://esempio.it") & <b>Nord</b>' in t for t in titles)
    sitemap = ET.parse(hostile_build / "sitemap.xml").getroot()
    assert len(sitemap) > 5


def test_the_feed_stays_well_formed_whatever_the_text() -> None:
    """Validation refuses control characters; the writer does not rely on it."""
    from carta.feed import atom

    site, _ = check(FIXTURES / "mini", today=DAY)
    assert site is not None
    entry = site.servizi["sportello-nord"]
    entry.meta = entry.meta.model_copy(update={"titolo": "A\x07B\x00C & <D>\ufffe"})
    text = atom(site, lambda e: DAY, Urls.of("https://carta.esempio.it"))
    root = ET.fromstring(text)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    assert "Servizio: ABC & <D>" in [t.text for t in root.findall("a:entry/a:title", ns)]
