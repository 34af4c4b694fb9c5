"""The citizen site in the other languages of ``lingue`` (issue 12, item 3): every page under
``/<lang>/``, the interface from the catalogues, translated entries with their notice, the
Italian text with a note where there is no translation, ``hreflang`` alternates, the
language switch, per-language sitemaps."""

from __future__ import annotations

import re
import shutil
import string
from collections.abc import Iterator
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest

from carta import i18n
from carta.pipeline import build
from carta.render import default_templates, python_messages, template_messages

from .conftest import FIXTURES, TODAY
from .test_translations import AR, EN, SERVICE

BASE = "https://carta.esempio-di-prova.it"
LANGS = ("en", "fr", "ar")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The mini Carta in Italian, English, French and Arabic, with a base URL; the home-care
    service translated into English (awaiting review) and Arabic (reviewed)."""
    root = tmp_path_factory.mktemp("language-pages")
    content = root / "content"
    shutil.copytree(FIXTURES / "mini", content)
    config = content / "carta.yaml"
    config.write_text(
        config.read_text(encoding="utf-8") + "lingue: [en, fr, ar]\n", encoding="utf-8"
    )
    (content / f"{SERVICE}.en.md").write_text(EN, encoding="utf-8")
    (content / f"{SERVICE}.ar.md").write_text(AR, encoding="utf-8")
    build(content, root / "site", today=date.fromisoformat(TODAY), base_url=BASE + "/")
    yield root / "site"


def read(site: Path, path: str) -> str:
    rel = path.lstrip("/")
    if not rel or rel.endswith("/"):
        rel += "index.html"
    return (site / rel).read_text(encoding="utf-8")


class _Links(HTMLParser):
    """The ``hreflang`` alternates, the language switch and the ``<html>`` attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.alternates: dict[str, str] = {}
        self.switch: list[dict[str, str | None]] = []
        self.html: dict[str, str | None] = {}
        self._in_switch = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "html":
            self.html = a
        elif tag == "link" and a.get("rel") == "alternate" and a.get("hreflang"):
            self.alternates[str(a["hreflang"])] = str(a["href"])
        elif tag == "nav" and "lingue" in (a.get("class") or ""):
            self._in_switch = True
        elif tag == "a" and self._in_switch:
            self.switch.append(a)

    def handle_endtag(self, tag: str) -> None:
        if tag == "nav":
            self._in_switch = False


def links(html: str) -> _Links:
    parser = _Links()
    parser.feed(html)
    return parser


def pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def url_of(site: Path, page: Path) -> str:
    rel = page.relative_to(site).as_posix()
    return BASE + "/" + (rel[: -len("index.html")] if rel.endswith("index.html") else rel)


def test_every_citizen_page_exists_in_every_language(site: Path) -> None:
    italian = {
        p.relative_to(site).as_posix()
        for p in pages(site)
        if p.relative_to(site).parts[0] not in LANGS
    }
    only_italian = {r for r in italian if r.split("/")[0] in ("dati", "osservatorio")}
    assert only_italian and "index.html" in italian and "foglio/index.html" in italian
    for lang in LANGS:
        own = {p.relative_to(site / lang).as_posix() for p in pages(site / lang)}
        assert own == italian - only_italian, lang
        assert (site / lang / "404.html").is_file()


def test_hreflang_alternates_are_reciprocal_on_every_page(site: Path) -> None:
    by_url = {url_of(site, p): links(p.read_text(encoding="utf-8")) for p in pages(site)}
    for url, found in by_url.items():
        alternates = found.alternates
        assert alternates, url
        lang = found.html["lang"]
        assert alternates[str(lang)] == url, url  # it names itself
        assert alternates["x-default"] == alternates["it"], url
        for code, href in alternates.items():
            assert href.startswith(BASE + "/"), (url, href)
            assert href in by_url, (url, href)  # the version exists
            other = by_url[href]
            assert other.alternates == alternates, (url, href)  # and names the same set
            if code != "x-default":
                assert other.html["lang"] == code, href
    # a page in Italian only names only itself
    dati = by_url[BASE + "/dati/"]
    assert set(dati.alternates) == {"it", "x-default"}


def test_every_page_has_the_language_switch(site: Path) -> None:
    for page in pages(site):
        found = links(page.read_text(encoding="utf-8"))
        lang = found.html["lang"]
        names = [(a["hreflang"], a["lang"]) for a in found.switch]
        assert names == [("it", "it"), ("en", "en"), ("fr", "fr"), ("ar", "ar")], page
        current = [a for a in found.switch if a.get("aria-current") == "page"]
        assert [a["hreflang"] for a in current] == [lang], page
    home = links(read(site, "/en/servizi/centro-diurno/"))
    assert [a["href"] for a in home.switch] == [
        "/servizi/centro-diurno/",
        "/en/servizi/centro-diurno/",
        "/fr/servizi/centro-diurno/",
        "/ar/servizi/centro-diurno/",
    ]
    labels = [a for a in home.switch]
    assert len(labels) == 4
    assert "العربية" in read(site, "/en/") and "Français" in read(site, "/ar/")


def test_a_translated_page_shows_the_translation_and_its_review_state(site: Path) -> None:
    en = read(site, f"/en/{SERVICE}/")
    assert '<html lang="en">' in en
    assert '<h1 data-element="service-title">Home care</h1>' in en
    assert "Help at home for people who can no longer manage daily activities alone." in en
    assert "Qualified workers come to your home." in en
    assert "Older or disabled people living at home." in en
    assert (
        'Translation of the Italian text of <time datetime="2026-11-01">November 1, 2026</time>,'
        " awaiting review by a cultural mediator." in en
    )
    # the translation's sections keep the Italian anchors, under the English headings
    assert '<section id="a-chi-e-rivolto"' in en and ">Who it is for</h2>" in en
    # a section the translation lacks is left out rather than shown in Italian
    assert "Operatori qualificati" not in en
    ar = read(site, f"/ar/{SERVICE}/")
    assert '<html lang="ar" dir="rtl">' in ar
    assert "المساعدة المنزلية" in ar
    # reviewed: by whom and when
    assert 'راجعها Mediatrice culturale del Comune di Prova في <time datetime="2026-11-10">' in ar
    assert 'datetime="2026-11-01"' in ar


def test_an_untranslated_page_shows_the_italian_text_marked_as_italian(site: Path) -> None:
    for lang, note in (
        ("en", "This page has not been translated yet: it is shown here in the Italian text."),
        (
            "fr",
            "Cette page n’est pas encore traduite : elle est présentée ici dans le texte italien.",
        ),
        ("ar", "لم تُترجم هذه الصفحة بعد: تجدها هنا بنصّها الإيطالي."),
    ):
        page = read(site, f"/{lang}/servizi/centro-diurno/")
        assert f'<html lang="{lang}"' in page
        assert note in page
        assert '<h1 data-element="service-title" lang="it">Centro diurno per anziani</h1>' in page
        assert re.search(r'<p class="sommario" data-element="service-description" lang="it">', page)
        # the interface around it is in the page's language
        assert 'lang="it">Centro diurno' in page
        assert "Vai al contenuto" not in page
    # no such note in Italian, nor in a translated page
    assert "nota-traduzione" not in read(site, "/servizi/centro-diurno/")
    assert "not been translated" not in read(site, f"/en/{SERVICE}/")


def test_links_stay_in_the_language_and_italian_only_pages_say_so(site: Path) -> None:
    page = read(site, "/en/servizi/centro-diurno/")
    hrefs = re.findall(r'href="(/[^"]*)"', page)
    for href in hrefs:
        assert href.startswith(("/en/", "/static/", "/dati/", "/feed.xml")) or href in (
            "/servizi/centro-diurno/",  # the language switch, the Italian version
            "/fr/servizi/centro-diurno/",
            "/ar/servizi/centro-diurno/",
            "/sitemap-en.xml",
        ), href
    assert (
        'href="/dati/" hreflang="it">Open data</a> <span class="nota-lingua">(in Italian)</span>'
        in page
    )
    assert 'action="/en/cerca/"' in page
    # the foglio exists in every language: no note
    assert '<a class="collegamento-azione" href="/en/foglio/?s=centro-diurno">' in page
    assert "(in Italian)</span></p>" not in page


def test_the_search_page_of_a_language_reads_its_index(site: Path) -> None:
    for lang in LANGS:
        page = read(site, f"/{lang}/cerca/")
        assert f'data-indice="/_search/{lang}/"' in page
        assert f'href="/_search/{lang}/index.json"' in page
    assert "What are you looking for?" in read(site, "/en/cerca/")


def test_per_language_sitemaps_list_the_pages_of_their_language(site: Path) -> None:
    robots = (site / "robots.txt").read_text(encoding="utf-8")
    for lang in LANGS:
        assert f"Sitemap: {BASE}/sitemap-{lang}.xml" in robots
        xml = (site / f"sitemap-{lang}.xml").read_text(encoding="utf-8")
        locs = re.findall(r"<loc>([^<]*)</loc>", xml)
        assert f"{BASE}/{lang}/" in locs and f"{BASE}/{lang}/{SERVICE}/" in locs
        assert all(loc.startswith(f"{BASE}/{lang}/") for loc in locs)
        expected = {url_of(site, p) for p in pages(site / lang) if p.name == "index.html"}
        assert set(locs) == expected
    italian = re.findall(r"<loc>([^<]*)</loc>", (site / "sitemap.xml").read_text(encoding="utf-8"))
    assert f"{BASE}/" in italian and f"{BASE}/dati/" in italian
    assert not [loc for loc in italian if loc.split("/")[3] in LANGS]


def test_an_italian_only_carta_has_no_alternates_and_no_switch(built_mini: Path) -> None:
    home = (built_mini / "index.html").read_text(encoding="utf-8")
    assert "hreflang" not in home and 'class="lingue"' not in home
    assert not (built_mini / "en").exists()


def _placeholders(text: str) -> set[str]:
    named = set(re.findall(r"%\((\w+)\)s", text))
    braces = {f for _, f, _, _ in string.Formatter().parse(text) if f}
    return named | braces


@pytest.mark.parametrize("lang", LANGS)
def test_the_catalogues_translate_every_message_of_the_interface(lang: str) -> None:
    messages = [(m,) for m in python_messages()] + template_messages(default_templates())
    catalogue = i18n.catalogue(lang)
    assert catalogue is not None
    for message in messages:
        found = catalogue.get(message[0])
        assert found is not None and not found.fuzzy, (lang, message)
        strings = found.string if isinstance(found.string, tuple) else (found.string,)
        assert all(strings), (lang, message)
        for text in strings:
            assert _placeholders(text) == _placeholders(message[-1]), (lang, message, text)
            # the texts go into attributes and text unescaped: no quotes or markup of their own
            assert '"' not in text and "&" not in text, (lang, text)
            assert re.sub(r"</?strong>", "", text).count("<") == 0, (lang, text)


def test_the_server_answers_in_the_language_of_the_page(site: Path) -> None:
    from carta.server import SiteApp

    from .conftest import wsgi_call

    app = SiteApp(site)
    status, _, body = wsgi_call(app, "/en/servizi/non-esiste/")
    assert status.startswith("404") and b'<html lang="en">' in body and b"Page not found" in body
    status, _, body = wsgi_call(app, "/servizi/non-esiste/")
    assert status.startswith("404") and b"Pagina non trovata" in body
    status, _, body = wsgi_call(app, "/ar/cerca/", "q=المساعدة")
    assert status.startswith("200") and b'lang="ar" dir="rtl"' in body
    assert f"/ar/{SERVICE}/".encode() in body


def test_the_catalogues_are_inputs_of_a_build_in_other_languages(tmp_path: Path) -> None:
    from carta import graph
    from carta.loader import DATA_FILES
    from carta.pipeline import check
    from carta.render import entry_dates

    content = tmp_path / "content"
    shutil.copytree(FIXTURES / "mini", content)
    italian, _ = check(content, today=date.fromisoformat(TODAY))
    assert italian is not None
    inputs = graph.inputs_of(
        italian, content, default_templates(), entry_dates(italian), list(DATA_FILES)
    )
    assert inputs.shared["catalogues"] == {}  # an Italian-only Carta does not read them
    assert "Babel" in inputs.shared["libraries"]
    config = content / "carta.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "lingue: [en]\n", encoding="utf-8")
    site, _ = check(content, today=date.fromisoformat(TODAY))
    assert site is not None
    inputs = graph.inputs_of(
        site, content, default_templates(), entry_dates(site), list(DATA_FILES)
    )
    assert set(inputs.shared["catalogues"]) == {f"{lang}/LC_MESSAGES/messages.po" for lang in LANGS}


def test_budget_names_the_pages_of_each_language() -> None:
    from carta.budget import page_type

    assert page_type("/en/servizi/centro-diurno/") == "servizio (en)"
    assert page_type("/ar/") == page_type("/") + " (ar)"
    assert page_type("/servizi/centro-diurno/") == "servizio"


def test_the_foglio_and_its_sheet_data_exist_in_every_language(site: Path) -> None:
    import json

    italian = json.loads(read(site, "/servizi/centro-diurno/scheda.json"))
    # the Italian sheet holds strings only, and its link's label is the default
    assert all(isinstance(italian[k], str) for k in ("titolo", "sommario", "stato", "nota"))
    assert all(isinstance(v, str) for _, v in italian["righe"]) and "etichetta_url" not in italian
    for lang in LANGS:
        page = read(site, f"/{lang}/foglio/")
        assert 'action="/' + lang + '/foglio/"' in page
        assert "Foglio per la persona" not in page and "Prepara il foglio" not in page
        for slug in ("assistenza-domiciliare", "centro-diurno", "sportello-nord"):
            data = json.loads(read(site, f"/{lang}/servizi/{slug}/scheda.json"))
            assert data["url"] == f"/{lang}/servizi/{slug}/"
            assert data["indirizzo"] == f"{BASE}/{lang}/servizi/{slug}/"
        # each service's page leads to the foglio of its language
        service = read(site, f"/{lang}/servizi/centro-diurno/")
        assert f'href="/{lang}/foglio/?s=centro-diurno">' in service
    english = read(site, "/en/foglio/")
    assert "<h1>Sheet for the person</h1>" in english
    assert "<legend>Services to put on the sheet</legend>" in english
    assert "Given on ______________ by" in english  # the print-only line
    # the services to tick: translated titles, Italian ones marked, in the order shown
    assert '<label for="s-assistenza-domiciliare">Home care</label>' in english
    assert '<label for="s-centro-diurno" lang="it">Centro diurno per anziani</label>' in english
    assert english.index('"s-centro-diurno"') < english.index('"s-assistenza-domiciliare"')
    assert '<html lang="ar" dir="rtl">' in read(site, "/ar/foglio/")


def test_the_server_composes_the_foglio_in_the_language_of_the_page(site: Path) -> None:
    from carta.server import SiteApp

    from .conftest import wsgi_call

    app = SiteApp(site)
    query = "s=assistenza-domiciliare&s=centro-diurno&s=../../etc&s=non-esiste&s=centro-diurno"
    status, _, body = wsgi_call(app, "/en/foglio/", query)
    html = body.decode("utf-8")
    assert status == "200 OK" and '<html lang="en">' in html
    assert html.count('class="scheda-foglio"') == 2  # bad, unknown and repeated ones dropped
    assert html.index('data-slug="assistenza-domiciliare"') < html.index(
        'data-slug="centro-diurno"'
    )
    assert 'id="s-centro-diurno" checked>' in html and "<noscript>" not in html
    # the translated service: its English text, the labels in English, the Italian facts
    # marked, and the link to its English page
    assert (
        "<h2>Home care</h2><p>Help at home for people who can no longer manage daily activities"
        " alone.</p>" in html
    )
    assert "<dt>How to access it</dt><dd>At the office desk, By telephone. " in html
    assert '<dt>What to bring</dt><dd lang="it">Documento d' in html
    assert "<dt>How much it costs</dt><dd>The person pays a share, based on the ISEE. " in html
    assert '<dt>Whom to ask</dt><dd><span lang="it">Comune di Prova</span>. ' in html
    assert '<dt>Full page</dt><dd><a href="/en/servizi/assistenza-domiciliare/">' in html
    # the untranslated one: the Italian text, marked, in an English sheet
    assert '<h2 lang="it">Centro diurno per anziani</h2>' in html
    assert '<p lang="it">Un luogo dove passare la giornata' in html
    assert (
        "<dd>When referred by another service. "
        '<span lang="it">Su indicazione del servizio sociale.</span></dd>' in html
    )
    assert "<p><strong>Suspended in 2026 according to the document “Piano di prova" in html
    assert "Come si accede" not in html and "Scheda completa" not in html

    status, _, body = wsgi_call(app, "/ar/foglio/", "s=assistenza-domiciliare&s=centro-diurno")
    html = body.decode("utf-8")
    assert status == "200 OK" and '<html lang="ar" dir="rtl">' in html
    assert "<h2>المساعدة المنزلية</h2>" in html
    assert "<dt>طريقة الوصول</dt>" in html and "<dt>إلى من تتوجّه</dt>" in html
    assert '<h2 lang="it">Centro diurno per anziani</h2>' in html
    assert '<dt>الصفحة الكاملة</dt><dd><a href="/ar/servizi/centro-diurno/">' in html

    # the limits of the Italian one: never a 500, whatever the query
    many = "&".join(f"s=servizio-{n}" for n in range(500))
    for hostile in (many, "s=%ZZ&s=", "s=" + "a" * 5000, "x=1", "s=centro-diurno&s=" * 50):
        status, _, body = wsgi_call(app, "/fr/foglio/", hostile)
        assert status == "200 OK" and b'<html lang="fr">' in body, hostile[:40]
    status, _, body = wsgi_call(app, "/fr/foglio/index.html", "s=centro-diurno")
    assert status == "200 OK" and body.count(b'class="scheda-foglio"') == 1


def test_the_foglio_of_a_language_the_carta_is_not_in_is_not_found(built_mini: Path) -> None:
    from carta.server import SiteApp

    from .conftest import wsgi_call

    status, _, body = wsgi_call(SiteApp(built_mini), "/en/foglio/", "s=centro-diurno")
    assert status.startswith("404") and b"Pagina non trovata" in body


def test_the_server_sheet_of_another_language_shows_the_data_as_text(
    site: Path, tmp_path: Path
) -> None:
    import json

    from carta.server import SiteApp

    from .conftest import wsgi_call

    copy = tmp_path / "site"
    shutil.copytree(site, copy)
    data_file = copy / "en" / "servizi" / "centro-diurno" / "scheda.json"
    data = json.loads(data_file.read_text(encoding="utf-8"))
    data["titolo"] = {"it": '<img src=x onerror="alert(1)">'}
    data["righe"] = [["<b>", ["<i>", {"it": "<script>alert(2)</script>"}]]]
    data_file.write_text(json.dumps(data), encoding="utf-8")
    broken = copy / "en" / "servizi" / "sportello-nord" / "scheda.json"
    broken.write_text('{"slug": "sportello-nord"}', encoding="utf-8")  # not a sheet's data
    query = "s=centro-diurno&s=sportello-nord"
    status, _, body = wsgi_call(SiteApp(copy), "/en/foglio/", query)
    html = body.decode("utf-8")
    assert status == "200 OK" and html.count('class="scheda-foglio"') == 1
    assert '<h2 lang="it">&lt;img src=x onerror="alert(1)"&gt;</h2>' in html
    assert (
        '<dt>&lt;b&gt;</dt><dd>&lt;i&gt;<span lang="it">&lt;script&gt;alert(2)&lt;/script&gt;'
        "</span></dd>" in html
    )


def test_sheet_text_keeps_the_words_and_marks_the_italian_parts() -> None:
    from carta.render import sheet_text

    it = '<span lang="it">{}</span>'.format
    assert sheet_text("  Tel. 0373 &amp; \n fax  ") == "Tel. 0373 & fax"  # as striptags
    assert sheet_text(it("Via Roma, 1")) == {"it": "Via Roma, 1"}
    assert sheet_text(f"\nBy phone. {it('Via Roma')}.\n") == ["By phone. ", {"it": "Via Roma"}, "."]
    assert sheet_text(f"{it('A')} {it('B')}") == [{"it": "A"}, " ", {"it": "B"}]
    assert sheet_text(f"{it('A')}{it('')} x") == [{"it": "A"}, " x"]
    assert sheet_text(f"a {it('')} b") == "a b"
