"""What a citizen's browser does with the pages."""

from __future__ import annotations

from urllib.parse import urlsplit

PAGES = [
    "/",
    "/servizi/assistenza-domiciliare/",
    "/enti/comune-di-prova/",
    "/iniziative/progetto-ponte/",
    "/pagine/come-usare/",
    "/aree/anziani/",
    "/comuni/alfa/",
    "/servizi/",
    "/nessuna-pagina/",
]


def test_pages_load_only_from_the_local_server(browser, mini_url: str) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page()
    requested: list[str] = []
    errors: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    for path in PAGES:
        response = page.goto(mini_url + path)
        assert response is not None
        assert response.status == (404 if path == "/nessuna-pagina/" else 200), path
        assert page.locator("h1").count() == 1, path
    local = urlsplit(mini_url).netloc
    assert {urlsplit(u).netloc for u in requested} == {local}
    assert [e for e in errors if "404" not in e] == []
    page.close()


def test_service_page_reads_in_order(browser, mini_url: str) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page()
    page.goto(mini_url + "/servizi/assistenza-domiciliare/")
    headings = page.locator("main h2").all_inner_texts()
    assert headings[:3] == ["Indice della pagina", "A chi è rivolto", "Descrizione"]
    page.get_by_role("link", name="Quanto costa").click()
    assert page.url.endswith("#quanto-costa")
    assert page.locator("#quanto-costa").is_visible()
    page.close()
