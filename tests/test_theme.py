"""The citizen site around the entries: footer, A–Z synonyms, dates, structured data, open
data, feed, sitemap, CSP, fonts and byte budgets."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from carta.budget import BUDGETS, page_weight, site_weights
from carta.gitdates import git_dates, parse_log
from carta.pipeline import build
from carta.render import CSP

from .conftest import Built, page

TODAY = date(2026, 11, 23)
ATOM = "{http://www.w3.org/2005/Atom}"


def set_key(content: Path, key: str, value: str) -> None:
    path = content / "carta.yaml"
    path.write_text(path.read_text(encoding="utf-8") + f"{key}: {value}\n", encoding="utf-8")


def jsonld(html: str) -> dict:
    match = re.search(
        r'<script type="application/ld\+json" data-element="metatag">(.*?)</script>', html
    )
    assert match
    return json.loads(match.group(1))


# --- every page ---------------------------------------------------------------------------


def test_every_page_has_the_csp_one_h1_and_the_same_footer(built_mini: Path) -> None:
    for html_file in built_mini.rglob("*.html"):
        if "cerca" in html_file.parts:
            continue
        html = html_file.read_text(encoding="utf-8")
        meta = f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        assert meta.replace("'", "&#39;") in html, html_file
        assert len(re.findall(r"<h1[ >]", html)) == 1, html_file
        assert '<html lang="it">' in html
        assert 'data-element="privacy-policy-link"' in html, html_file
        assert "Segnala un errore" in html, html_file
        assert "L&#39;ufficio che programma i servizi sociali dell&#39;ambito." in html


def test_footer_links_to_accessibility_privacy_and_how_to(built_mini: Path) -> None:
    html = page(built_mini, "/")
    assert '<a href="/pagine/come-usare/">Come usare la Carta</a>' in html
    assert 'href="/privacy/" data-element="privacy-policy-link"' in html
    privacy = page(built_mini, "/privacy/")
    assert "Non usa <strong>cookie</strong>" in privacy


def test_report_link_without_an_address_points_at_the_ufficio_di_piano(built_mini: Path) -> None:
    html = page(built_mini, "/servizi/sportello-nord/")
    assert (
        '<a class="bottone bottone-chiaro" href="/enti/ufficio-di-piano/" data-element="report-inefficiency">'
        in html
    )


def test_report_link_is_a_mailto_naming_the_page(mini: Path, tmp_path: Path) -> None:
    set_key(mini, "segnalazioni", "carta@esempio-di-prova.it")
    set_key(mini, "url_base", "https://carta.esempio-di-prova.it")
    build(mini, tmp_path / "site", today=TODAY)
    html = page(tmp_path / "site", "/servizi/sportello-nord/")
    href = re.search(r'href="(mailto:[^"]+)" data-element="report-inefficiency"', html)
    assert href
    link = urlsplit(href.group(1).replace("&amp;", "&"))
    assert link.path == "carta@esempio-di-prova.it"
    fields = {k: v[0] for k, v in parse_qs(link.query).items()}
    assert fields["subject"] == "Segnalazione di un errore: Sportello famiglie Nord"
    assert "https://carta.esempio-di-prova.it/servizi/sportello-nord/" in fields["body"]
    assert "%0A" in href.group(1) and "\n" not in href.group(1)  # newlines stay encoded


def test_home_and_404_have_a_get_search_form_with_a_visible_label(built_mini: Path) -> None:
    for url in ("/", "/404.html"):
        html = page(built_mini, url)
        form = re.search(
            r'<main.*?(<form class="cerca[^"]*" role="search" method="get" action="/cerca/".*?</form>)',
            html,
            re.S,
        )
        assert form, url
        label = re.search(r'<label id="[^"]+" for="([^"]+)">', form.group(1))
        assert label and f'id="{label.group(1)}" name="q"' in form.group(1)
    assert "briciole" not in page(built_mini, "/404.html")


# --- service page ---------------------------------------------------------------------------


def test_service_jsonld_is_a_government_service(built_mini: Path) -> None:
    data = jsonld(page(built_mini, "/servizi/assistenza-domiciliare/"))
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "GovernmentService"
    assert data["name"] == "Assistenza domiciliare"
    assert data["serviceOperator"] == {
        "@type": "GovernmentOrganization",
        "name": "Comune di Prova",
        "url": "/enti/comune-di-prova/",
    }
    assert data["areaServed"] == [{"@type": "AdministrativeArea", "name": "Ambito di Prova"}]
    assert data["audience"] == {"@type": "Audience", "audienceType": "Persone anziane"}
    assert data["availableChannel"]["availableLanguage"]["alternateName"] == "it"
    assert data["availableChannel"]["name"] == "Allo sportello, Per telefono"
    assert data["lastReviewed"] == "2026-11-01"
    assert data["dateModified"] >= data["lastReviewed"]


def test_service_sections_carry_the_designers_italia_hooks(built_mini: Path) -> None:
    html = page(built_mini, "/servizi/assistenza-domiciliare/")
    hooks = re.findall(r'data-element="([a-z-]+)"', html.split("<main", 1)[1].split("</main>")[0])
    order = [
        "breadcrumb", "service-title", "service-description", "service-status", "source-line",
        "page-index",
        "service-addressed", "service-how-to", "service-generic-access", "service-needed",
        "service-achieved", "service-calendar-text", "service-cost", "service-area",
    ]  # fmt: skip
    assert hooks == order


def test_print_button_is_hidden_until_its_script_runs(built_mini: Path) -> None:
    html = page(built_mini, "/servizi/assistenza-domiciliare/")
    assert (
        '<button type="button" class="bottone" data-stampa hidden>Stampa la scheda</button>' in html
    )
    assert '<script src="/static/stampa.js" defer></script>' in html
    assert (built_mini / "static" / "stampa.js").is_file()
    assert "stampa.js" not in page(built_mini, "/enti/comune-di-prova/")


def test_pages_show_verified_and_updated_dates(built_mini: Path) -> None:
    html = page(built_mini, "/servizi/assistenza-domiciliare/")
    assert (
        'Informazioni verificate il <time datetime="2026-11-01">1º novembre 2026</time> '
        "(Ufficio di Piano, con la Cooperativa Aurora)" in html
    )
    assert re.search(
        r"Pagina modificata l'ultima volta il <time datetime=\"\d{4}-\d\d-\d\d\">", html
    )
    unverified = page(built_mini, "/servizi/sportello-nord/")
    assert "Informazioni verificate" not in unverified
    assert "Nessuno ha ancora verificato queste informazioni con chi gestisce il servizio" in (
        unverified
    )


def test_untracked_content_is_dated_by_the_build(mini: Path, tmp_path: Path) -> None:
    build(mini, tmp_path / "site", today=TODAY)  # mini is a copy outside any git work tree
    html = page(tmp_path / "site", "/servizi/sportello-nord/")
    assert 'Pagina modificata l\'ultima volta il <time datetime="2026-11-23">' in html
    # a verification is a change: a verified entry is never dated before it
    assert (
        jsonld(page(tmp_path / "site", "/servizi/assistenza-domiciliare/"))["dateModified"]
        == "2026-11-23"
    )


# --- git dates --------------------------------------------------------------------------------


def test_parse_log_keeps_the_newest_date_of_each_file() -> None:
    log = (
        "\x1e2026-05-02\0\nservizi/a.md\0servizi/b.md\0\x1e2026-01-10\0\nservizi/a.md\0carta.yaml\0"
    )
    dates = parse_log(log, Path("/c"))
    assert dates == {
        Path("/c/servizi/a.md"): date(2026, 5, 2),
        Path("/c/servizi/b.md"): date(2026, 5, 2),
        Path("/c/carta.yaml"): date(2026, 1, 10),
    }


def test_git_dates_reads_one_log_for_the_whole_folder(mini: Path, tmp_path: Path) -> None:
    def git(*args: str, when: str = "2026-11-20T10:00:00+00:00") -> None:
        env = {
            "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
            "GIT_COMMITTER_EMAIL": "t@t", "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when,
            "PATH": "/usr/bin:/bin", "HOME": str(tmp_path),
        }  # fmt: skip
        subprocess.run(["git", *args], cwd=mini.parent, env=env, check=True, capture_output=True)

    git("init", "-q")
    git("add", "content")
    git("commit", "-q", "-m", "uno")
    (mini / "servizi" / "sportello-nord.md").write_text(
        (mini / "servizi" / "sportello-nord.md").read_text(encoding="utf-8") + "\nAltro.\n",
        encoding="utf-8",
    )
    git("commit", "-q", "-am", "due", when="2026-11-22T10:00:00+00:00")
    (mini / "servizi" / "nuovo.md").write_text("non tracciato\n", encoding="utf-8")
    dates = git_dates(mini)
    assert dates[(mini / "servizi" / "sportello-nord.md").resolve()] == date(2026, 11, 22)
    assert dates[(mini / "servizi" / "centro-diurno.md").resolve()] == date(2026, 11, 20)
    assert (mini / "servizi" / "nuovo.md").resolve() not in dates
    assert git_dates(tmp_path / "nessuna-cartella") == {}


# --- A–Z ----------------------------------------------------------------------------------------


def test_az_lists_everyday_words_as_see_entries(built_mini: Path) -> None:
    html = page(built_mini, "/servizi/")
    # "badante: [assistenza domiciliare]" → the service whose title contains the term
    assert (
        '<li class="vedi">Badante: vedi <a href="/servizi/assistenza-domiciliare/">Assistenza domiciliare</a></li>'
        in html
    )
    # "casa di riposo: [centro diurno]"
    assert 'Casa di riposo: vedi <a href="/servizi/centro-diurno/">' in html
    letters = re.findall(r'<h2 id="lettera-([a-z])">', html)
    assert letters == sorted(letters) and "b" in letters
    assert html.index(">Assistenza domiciliare</a></li>") < html.index("Badante: vedi")


def test_see_entries_prefer_services_matching_more_terms(mini: Path, tmp_path: Path) -> None:
    (mini / "sinonimi.yaml").write_text(
        "aiuto: [sportello, famiglie]\nnessuno: [parola che non c'è]\n", encoding="utf-8"
    )
    build(mini, tmp_path / "site", today=TODAY)
    html = page(tmp_path / "site", "/servizi/")
    # "Sportello famiglie Nord" matches both terms; no other service matches either
    assert (
        '<li class="vedi">Aiuto: vedi <a href="/servizi/sportello-nord/">Sportello famiglie Nord</a></li>'
        in html
    )
    assert "Nessuno" not in html


# --- open data, feed, sitemap -------------------------------------------------------------


def test_open_data_uses_hsds_names(built_mini: Path) -> None:
    services = json.loads((built_mini / "dati" / "servizi.json").read_text(encoding="utf-8"))
    assert [s["estensione_carta"]["slug"] for s in services] == [
        "assistenza-domiciliare",
        "centro-diurno",
        "sportello-nord",
    ]
    sad = services[0]
    assert sad["name"] == "Assistenza domiciliare"
    assert sad["status"] == "active" and services[1]["status"] == "inactive"
    enti = {
        e["estensione_carta"]["slug"]: e
        for e in json.loads((built_mini / "dati" / "enti.json").read_text(encoding="utf-8"))
    }
    assert sad["organization_id"] == enti["comune-di-prova"]["id"]
    assert sad["estensione_carta"]["ente"] == "comune-di-prova"
    assert sad["eligibility_description"] == "Persone anziane o con disabilità che vivono a casa."
    assert sad["application_process"].startswith("Chiedi un colloquio al servizio sociale.")
    assert "ISEE" in sad["fees_description"]
    assert sad["assured_date"] == "2026-11-01"
    assert [d["document"] for d in sad["required_documents"]] == [
        "Documento d'identità",
        "Attestazione ISEE",
    ]
    upd = enti["ufficio-di-piano"]
    assert upd["parent_organization_id"] == enti["comune-di-prova"]["id"]
    assert upd["website"] == "https://www.esempio-di-prova.it"
    iniziative = json.loads((built_mini / "dati" / "iniziative.json").read_text(encoding="utf-8"))
    assert iniziative[0]["estensione_carta"]["slug"] == "progetto-ponte"
    assert iniziative[0]["estensione_carta"]["finanziamento"]
    rows = list(
        csv.DictReader(
            io.StringIO((built_mini / "dati" / "servizi.csv").read_text(encoding="utf-8"))
        )
    )
    assert [r["id"] for r in rows] == [s["id"] for s in services]
    assert [r["slug"] for r in rows] == [s["estensione_carta"]["slug"] for s in services]
    assert rows[0]["required_documents"] == "Documento d'identità; Attestazione ISEE"
    assert rows[0]["phones"] == "; ".join(p["number"] for p in sad.get("phones", []))
    assert 'href="/dati/servizi.csv"' in page(built_mini, "/dati/")


def test_feed_is_atom_dated_by_its_newest_entry(built_mini: Path) -> None:
    root = ET.fromstring((built_mini / "feed.xml").read_bytes())
    entries = root.findall(f"{ATOM}entry")
    assert entries
    updated = [e.findtext(f"{ATOM}updated") for e in entries]
    assert updated == sorted(updated, reverse=True)
    assert root.findtext(f"{ATOM}updated") == updated[0]
    ids = [e.findtext(f"{ATOM}id") for e in entries]
    assert all(i.startswith("tag:ambito-di-prova.carta.invalid,2026:/") for i in ids)
    assert len(set(ids)) == len(ids)


def test_feed_uses_addresses_with_a_url_base(mini: Path, tmp_path: Path) -> None:
    set_key(mini, "url_base", "https://carta.esempio-di-prova.it")
    build(mini, tmp_path / "site", today=TODAY)
    root = ET.fromstring((tmp_path / "site" / "feed.xml").read_bytes())
    first = root.find(f"{ATOM}entry")
    assert first is not None
    assert first.findtext(f"{ATOM}id", "").startswith("https://carta.esempio-di-prova.it/")
    sitemap = page(tmp_path / "site", "/sitemap.xml")
    assert (
        "<loc>https://carta.esempio-di-prova.it/servizi/sportello-nord/</loc><lastmod>2026-11-23</lastmod>"
        in sitemap
    )
    # every page the build writes is listed, the search page (written last) included
    locs = [loc.text for loc in ET.fromstring(sitemap.encode()).iter() if loc.tag.endswith("loc")]
    assert "https://carta.esempio-di-prova.it/cerca/" in locs
    assert "https://carta.esempio-di-prova.it/osservatorio/" in locs
    written = {
        "/" + str(p.relative_to(tmp_path / "site").parent).strip(".") + "/"
        for p in (tmp_path / "site").rglob("index.html")
    }
    listed = {loc.removeprefix("https://carta.esempio-di-prova.it") for loc in locs}
    assert {w.replace("//", "/") for w in written} == listed


# --- assets and budgets -------------------------------------------------------------------------


def test_fonts_are_self_hosted_with_their_licence(built_mini: Path) -> None:
    fonts = built_mini / "static" / "fonts"
    assert sorted(p.name for p in fonts.glob("*.woff2")) == [
        f"titillium-web-latin-{w}-normal.woff2" for w in (400, 600, 700)
    ]
    assert "SIL OPEN FONT LICENSE Version 1.1" in (fonts / "OFL.txt").read_text(encoding="utf-8")
    css = (built_mini / "static" / "carta.css").read_text(encoding="utf-8")
    assert "http" not in css.replace("https://", "").lower() or "//" not in css
    assert not re.search(r"url\((?!fonts/)", css)


def test_every_page_is_within_budget(built_mini: Path) -> None:
    weights = site_weights(built_mini)
    assert len(weights) > 10
    assert [line for w in weights for line in w.over()] == []
    sad = next(w for w in weights if w.path == "/servizi/assistenza-domiciliare/")
    assert sad.fonts > 30_000 and sad.css > 1_000 and sad.js > 0
    assert "static/stampa.js" in sad.files


def test_budget_check_reports_a_page_that_is_too_heavy(built_mini: Path, tmp_path: Path) -> None:
    import random
    import shutil

    site = tmp_path / "site"
    shutil.copytree(built_mini, site)
    noise = random.Random(4).randbytes(BUDGETS["total"]).hex()  # does not compress
    heavy = site / "servizi" / "sportello-nord" / "index.html"
    heavy.write_text(heavy.read_text(encoding="utf-8") + f"<!-- {noise} -->", encoding="utf-8")
    problems = page_weight(site, heavy).over()
    assert problems and problems[0].startswith("/servizi/sportello-nord/: total")


def test_builds_of_both_real_sites_are_within_budget(shipped: Callable[[Path], Built]) -> None:
    from .conftest import ROOT

    for content in (ROOT / "content", ROOT / "examples" / "bologna-metropolitana"):
        out = shipped(content).out
        over = [line for w in site_weights(out) for line in w.over()]
        assert over == [], content


@pytest.mark.parametrize("dev", [False, True])
def test_dev_server_drops_the_page_csp_for_live_reload(built_mini: Path, dev: bool) -> None:
    from carta.server import SiteApp

    app = SiteApp(built_mini, dev=dev)
    captured: dict[str, object] = {}

    def start(status: str, headers: list[tuple[str, str]]) -> None:
        captured["headers"] = dict(headers)

    body = b"".join(app({"REQUEST_METHOD": "GET", "PATH_INFO": "/"}, start))
    assert (b'http-equiv="Content-Security-Policy"' in body) is (not dev)
    assert "default-src 'self'" in captured["headers"]["Content-Security-Policy"]  # type: ignore[index]
