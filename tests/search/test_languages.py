"""Search in the other languages of a Carta: a tiny site with English and Arabic
translations; the server (Whoosh) and the browser script (cerca.js in Node) agree on every
query, translated entries are found with the words of their language, untranslated ones
with their Italian words, and the Italian index does not change."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from carta.pipeline import build
from carta.search.analysis import arabic_normalise, key
from carta.search.engine import Engine
from carta.search.languages import language_term
from carta.server import SiteApp

from ..conftest import FIXTURES, ROOT, TODAY, edit
from .test_parity import run_browser_engine

SERVICE = "servizi/assistenza-domiciliare"
EN = """---
titolo: Home care
sommario: Help at home for older people who can no longer manage daily activities alone.
parole_chiave: [carer, help at home]
traduzione:
  testo_italiano_del: 2026-11-01
  revisione: in-attesa
---
Qualified workers come to your home to help with personal care.

## Who it is for

Older or disabled people living at home, and their families.

## How to apply

Ask the social services of your municipality for an interview.
"""
AR = """---
titolo: المساعدةُ المنزليّة
sommario: مساعدة في المنزل لكبار السنّ الذين لم يعودوا قادرين على القيام بأنشطتهم اليومية.
traduzione:
  testo_italiano_del: 2026-11-01
  revisione: in-attesa
---
يأتي عاملون مؤهَّلون إلى المنزل للمساعدة في رعاية الشخص.

## لمن هذه الخدمة

كبار السنّ أو الأشخاص ذوو الإعاقة الذين يعيشون في منازلهم، والأُسرة.
"""
PAGE_EN = """---
titolo: How to use the Carta
sommario: How to find the right service.
traduzione:
  testo_italiano_del: 2026-11-01
  revisione: in-attesa
---
Search by area of need or by municipality.
"""

EN_QUERIES = [
    {"q": "home care"},
    {"q": "disabled people"},
    {"q": "help"},
    {"q": "families"},  # stemmed: "families" → famili, as in the text
    {"q": "assistenza domiciliare"},  # the Italian name of a translated entry
    {"q": "centro diurno"},  # an entry with no translation: its Italian words
    {"q": "badante"},  # an everyday Italian word of sinonimi.yaml
    {"q": "servce"},  # a typo: similar words, a suggestion
    {"q": "hom"},
    {"q": "the and of"},  # only stop words
    {"q": "come"},  # an Italian stop word is dropped here too
    {"q": "municipality"},
    {"q": "home", "filters": {"tipo": "servizio"}},
    {"q": "", "filters": {"area": "anziani"}},
    {"q": "xqzw"},
]
AR_QUERIES = [
    {"q": "المساعدة"},
    {"q": "المساعدةُ"},  # with a damma: the same word
    {"q": "مساعدَة"},
    {"q": "المنزليه"},  # ta marbuta written as ha
    {"q": "الاسرة"},  # the alef without hamza; still a different word from والأُسرة
    {"q": "والاسره"},
    {"q": "كبـار"},  # a tatweel
    {"q": "الي"},  # إلى with a plain alef and a ya
    {"q": "الإعاقة السن"},
    {"q": "centro diurno"},
    {"q": "مساعدت"},  # a typo
    {"q": "مساعدة", "filters": {"tipo": "pagina"}},
]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("languages")
    content = root / "content"
    shutil.copytree(FIXTURES / "mini", content)
    config = content / "carta.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "lingue: [en, ar]\n", encoding="utf-8")
    (content / f"{SERVICE}.en.md").write_text(EN, encoding="utf-8")
    (content / f"{SERVICE}.ar.md").write_text(AR, encoding="utf-8")
    (content / "pagine" / "come-usare.en.md").write_text(PAGE_EN, encoding="utf-8")
    build(content, root / "site", today=date.fromisoformat(TODAY))
    yield root / "site"


def server_answers(site: Path, lang: str, queries: list[dict]) -> list[dict]:  # type: ignore[type-arg]
    engine = Engine(site, lang)
    try:
        out = []
        for query in queries:
            py = engine.search(query["q"], filters=query.get("filters"))
            out.append(
                {
                    "slugs": [h.slug for h in py.results],
                    "total": py.total,
                    "suggestion": py.suggestion,
                    "message": py.message,
                    "guidance": py.guidance,
                    "snippets": [h.snippet for h in py.results],
                    "langs": [h.lingua for h in py.results],
                }
            )
        return out
    finally:
        engine.close()


@pytest.mark.parametrize(("lang", "queries"), [("en", EN_QUERIES), ("ar", AR_QUERIES)])
def test_browser_and_server_agree_in_each_language(
    site: Path,
    lang: str,
    queries: list[dict],  # type: ignore[type-arg]
) -> None:
    expected = server_answers(site, lang, queries)
    browser = run_browser_engine(site, queries, lang)
    disagreements = [
        (query, want, {k: got[k] for k in want})
        for query, want, got in zip(queries, expected, browser, strict=True)
        if {k: got[k] for k in want} != want
    ]
    assert disagreements == []
    # the queries are not all empty: the comparison says something
    assert sum(1 for answer in expected if answer["slugs"]) >= len(queries) // 2


def test_english_finds_translated_text_with_the_english_analyzer(site: Path) -> None:
    [home, families, italian, untranslated, stops] = server_answers(
        site,
        "en",
        [
            {"q": "home care"},
            {"q": "family"},
            {"q": "assistenza domiciliare"},
            {"q": "centro diurno"},
            {"q": "the and of"},
        ],
    )
    assert home["slugs"][0] == "assistenza-domiciliare"
    assert home["langs"][0] == "en"
    assert "<mark>home</mark>" in home["snippets"][0]
    # "family" and "families" meet in the English stemmer (a word of the vocabulary)
    assert families["slugs"] == [] or families["slugs"][0] == "assistenza-domiciliare"
    assert italian["slugs"] == ["assistenza-domiciliare"]
    assert untranslated["slugs"][0] == "centro-diurno"
    assert untranslated["langs"][0] == "it"
    assert stops["total"] == 0 and stops["message"]
    engine = Engine(site, "en")
    try:
        hit = engine.search("home care").results[0]
        assert (hit.titolo, hit.url) == ("Home care", "/en/servizi/assistenza-domiciliare/")
        page = engine.search("right service").results[0]
        assert (page.slug, page.url) == ("come-usare", "/en/pagine/come-usare/")
        # the English stemmer: "living" and "lives" are one term; no Italian term matches it
        assert engine.word("living")[1:2] == ["en:live"]
    finally:
        engine.close()


def test_arabic_is_normalised_not_stemmed(site: Path) -> None:
    engine = Engine(site, "ar")
    try:
        plain = engine.search("المساعدة")
        assert [h.slug for h in plain.results] == ["assistenza-domiciliare"]
        # tashkeel, tatweel, alef forms, ta marbuta and alef maqsura do not matter
        for variant in ("المساعدةُ", "المسـاعدة", "المساعده", "ٱلمساعدة"):
            assert engine.search(variant).total == plain.total, variant
        assert engine.search("إلى").total == engine.search("الي").total == 1
        # no stemming: "and the family" is not "the family"
        assert engine.word(key("الأسرة")) is None
        assert engine.word(key("والأُسرة")) is not None
        assert plain.results[0].titolo == "المساعدةُ المنزليّة"
        assert plain.results[0].url == "/ar/servizi/assistenza-domiciliare/"
    finally:
        engine.close()


def test_the_browser_folds_arabic_exactly_as_the_analyzer() -> None:
    if shutil.which("node") is None:
        pytest.skip("Node.js is not installed")
    words = [
        "المساعدةُ",
        "مُؤَهَّلُونَ",
        "كبـــار",
        "أإآٱا",
        "ة",
        "على",
        "قُرْآن",
        "ٰ",
        "الإعاقة",
        "Disabilità",
    ]
    script = (
        "const {fold} = require(process.argv[1]);"
        "const words = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
        "process.stdout.write(JSON.stringify(words.map(fold)));"
    )
    out = subprocess.run(
        ["node", "-e", script, str(ROOT / "templates" / "static" / "cerca.js")],
        input=json.dumps(words),
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(out.stdout) == [key(w) for w in words]
    # the lookup key of an Arabic word is the Arabic analyzer's term, and normalises at least
    # what the Arabic analyzer must (tashkeel, tatweel, alef forms, ta marbuta, alef maqsura)
    for word in words[:-1]:
        if len(word) > 1:
            assert language_term("ar", word.lower()) == f"ar:{key(word)}"
        assert key(arabic_normalise(word)) == key(word), word
    assert key("أإآٱ") == "اااا" and key("ةى") == "هي" and key("كبـار") == "كبار"


def test_the_italian_index_is_the_same_with_or_without_other_languages(
    site: Path, built_mini: Path
) -> None:
    def files(root: Path) -> dict[str, bytes]:
        return {
            p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*"))
            if p.is_file() and p.relative_to(root).parts[0] not in ("en", "ar")
        }

    # the translations change nothing in the Italian index (its vocabulary, postings, docs)
    with_languages = files(site / "_search")
    italian_only = files(built_mini / "_search")
    assert with_languages.keys() == italian_only.keys()
    assert with_languages == italian_only
    # and an Italian-only Carta has no index of another language
    assert not (built_mini / "_search" / "en").exists()


def test_the_server_answers_each_language_on_its_pages(site: Path) -> None:
    app = SiteApp(site)

    def get(path: str, query: str) -> tuple[str, bytes]:
        seen: dict[str, str] = {}

        def start(status: str, headers: list[tuple[str, str]], exc_info: object = None) -> None:
            seen["status"] = status

        body = b"".join(
            app({"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": query}, start)
        )
        return seen["status"], body

    status, body = get("/en/api/cerca", "q=home+care")
    assert status.startswith("200")
    data = json.loads(body)
    assert [r["slug"] for r in data["results"]] == ["assistenza-domiciliare"]
    assert data["results"][0]["lingua"] == "en"
    status, body = get("/ar/api/cerca", "q=%D8%A7%D9%84%D9%85%D8%B3%D8%A7%D8%B9%D8%AF%D8%A9")
    assert json.loads(body)["results"][0]["url"] == "/ar/servizi/assistenza-domiciliare/"
    # the Italian search is untouched, and a language the Carta is not published in has none
    status, body = get("/api/cerca", "q=home+care")
    assert json.loads(body)["total"] == 0
    status, _ = get("/fr/api/cerca", "q=home")
    assert status.startswith("503")


def test_translation_edits_rebuilt_incrementally_equal_a_clean_build(tmp_path: Path) -> None:
    from carta.render import default_templates

    content = tmp_path / "content"
    shutil.copytree(FIXTURES / "mini", content)
    config = content / "carta.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "lingue: [en, ar]\n", encoding="utf-8")
    today = date.fromisoformat(TODAY)
    templates = default_templates()

    def run(out: Path, *, clean: bool) -> bool:
        return build(content, out, templates=templates, today=today, clean=clean).incremental

    def files(root: Path) -> dict[str, bytes]:
        return {
            p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()
        }

    def answers(site: Path) -> list[list[tuple[str, float]]]:
        out = []
        for lang, query in (
            ("en", "home care"),
            ("en", "house"),
            ("ar", "المساعدة"),
            ("en", "centro"),
        ):
            engine = Engine(site, lang)
            out.append([(h.slug, h.score) for h in engine.search(query).results])
            engine.close()
        return out

    translation = content / f"{SERVICE}.en.md"
    edits = [
        ("traduzione aggiunta", lambda: translation.write_text(EN, encoding="utf-8")),
        ("traduzione araba", lambda: (content / f"{SERVICE}.ar.md").write_text(AR, encoding="utf-8")),
        ("corpo tradotto", lambda: translation.write_text(EN.replace("your home", "your house"), encoding="utf-8")),
        ("titolo tradotto", lambda: translation.write_text(EN.replace("titolo: Home care", "titolo: Care at home").replace("your home", "your house"), encoding="utf-8")),
        ("traduzione tolta", lambda: (content / f"{SERVICE}.ar.md").unlink()),
    ]  # fmt: skip
    site = tmp_path / "site"
    assert not run(site, clean=False)
    incremental = []
    for name, apply in edits:
        apply()
        incremental.append(run(site, clean=False))
        clean = tmp_path / "clean"
        shutil.rmtree(clean, ignore_errors=True)
        run(clean, clean=True)
        built, expected = files(site), files(clean)
        assert sorted(built) == sorted(expected), name
        assert [rel for rel in expected if built[rel] != expected[rel]] == [], name
        assert answers(site) == answers(clean), name
    # a translation's body is an input of its entry: rebuilt incrementally, not from scratch
    assert incremental == [False, False, True, False, False]
    assert answers(site)[1] == [("assistenza-domiciliare", answers(site)[1][0][1])]


def test_the_page_of_a_language_names_its_index_and_its_form_goes_to_its_search(
    tmp_path: Path,
) -> None:
    from carta.pipeline import check
    from carta.search.page import search_page_context

    content = tmp_path / "content"
    shutil.copytree(FIXTURES / "mini", content)
    config = content / "carta.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "lingue: [en]\n", encoding="utf-8")
    found, _ = check(content, today=date.fromisoformat(TODAY))
    assert found is not None
    context = search_page_context(found, "en")
    assert context["search_index"] == "/_search/en/"
    assert 'action="/en/cerca/"' in context["search_form"]
    assert "search_index" not in search_page_context(found)
    assert 'action="/cerca/"' in search_page_context(found)["search_form"]


FR_PAGE = """---
titolo: Numéros utiles
sommario: En danger ? Appelle le 112, numéro unique d'urgence. Pour la violence et le harcèlement, il y a le 1522, numéro vert gratuit actif 24 heures sur 24.
traduzione:
  testo_italiano_del: 2026-11-01
  revisione: in-attesa
---
Texte.
"""
FR_QUERIES = [
    {"q": "violenza"},  # an everyday Italian word that leads to the emergency page
    {"q": "violence"},
    {"q": "numéros d'urgence"},
    {"q": "numeros"},
    {"q": "anziani"},
    {"q": "assistenza domicilare"},
    {"q": "affitto", "filters": {"tipo": "servizio"}},
    {"q": "xqzw"},  # nothing found: where to ask, in French where translated
]


def test_a_real_carta_in_french_agrees_with_the_browser(tmp_path: Path) -> None:
    """The shipped Carta published in French only, with its French translations and one more
    translated page: the emergency page leads in French with its translated title, where to
    ask names the shipped translation's title, and the browser agrees with the server."""
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    edit(content / "carta.yaml", "lingue: [en, fr, ar]", "lingue: [fr]")
    for other in [*content.glob("*/*.en.md"), *content.glob("*/*.ar.md")]:
        other.unlink()  # a translation into a language the Carta is not published in is refused
    assert not (content / "pagine" / "numeri-utili.fr.md").exists()
    (content / "pagine" / "numeri-utili.fr.md").write_text(FR_PAGE, encoding="utf-8")
    shipped = (content / "servizi" / "segretariato-sociale.fr.md").read_text(encoding="utf-8")
    fr_title = next(
        line.removeprefix("titolo: ") for line in shipped.splitlines() if line.startswith("titolo:")
    )
    build(content, tmp_path / "site", today=date.fromisoformat(TODAY))
    expected = server_answers(tmp_path / "site", "fr", FR_QUERIES)
    browser = run_browser_engine(tmp_path / "site", FR_QUERIES, "fr")
    for query, want, got in zip(FR_QUERIES, expected, browser, strict=True):
        assert {k: got[k] for k in want} == want, query
    urgent = expected[0]["guidance"]
    assert urgent["urgent"] and urgent["links"][0] == {
        "titolo": "Numéros utiles",
        "url": "/fr/pagine/numeri-utili/",
    }
    assert urgent["text"].startswith("En danger ?")
    assert expected[2]["slugs"][0] == "numeri-utili" and expected[2]["langs"][0] == "fr"
    # a result is in French exactly when its entry has a French translation
    french = {f.name.removesuffix(".fr.md") for f in content.glob("*/*.fr.md")}
    assert expected[4]["slugs"] and "it" in expected[4]["langs"]
    assert expected[4]["langs"] == [
        "fr" if slug in french else "it" for slug in expected[4]["slugs"]
    ]
    ask = expected[-1]["guidance"]["links"]
    assert ask[0] == {"titolo": fr_title, "url": "/fr/servizi/segretariato-sociale/"}
    assert ask[1]["url"] == "/fr/servizi/servizio-sociale-professionale/"
    assert ask[-1]["url"] == "/fr/aree/"


def test_carta_search_lang_queries_the_index_of_that_language(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from carta.cli import main

    assert main(["search", "home care", "--lang", "en", "--out", str(site)]) == 0
    out = capsys.readouterr().out
    assert "1. Home care [servizio] /en/servizi/assistenza-domiciliare/" in out
    assert main(["search", "home care", "--lang", "en", "--json", "--out", str(site)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["results"][0]["lingua"] == "en"
    # a language the Carta is not published in: said plainly, no traceback
    assert main(["search", "maison", "--lang", "fr", "--out", str(site)]) == 2
    assert "lingue" in capsys.readouterr().err
