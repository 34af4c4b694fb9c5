"""The referral sheet on a plain static host: composed by the browser from the chosen
services, and printed on one A4 page for a few services."""

from __future__ import annotations

import re

from .test_search import static_site  # noqa: F401 - shared module fixture


def test_sheet_is_composed_in_the_browser_and_prints_on_one_page(browser, static_site) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    base, _ = static_site
    page = browser.new_page()
    page.goto(f"{base}/foglio/?s=assistenza-domiciliare&s=tutela-minori&s=albo-baby-sitter")
    page.wait_for_selector(".scheda-foglio")
    titles = page.locator(".scheda-foglio h2").all_inner_texts()
    assert titles == [
        "Servizio di Assistenza Domiciliare (SAD)",
        "Servizio Tutela Minori",
        "Albo provinciale baby-sitter",
    ]
    assert page.locator("#s-tutela-minori").is_checked()
    assert page.locator(".scheda-foglio dd a").first.inner_text().startswith(base)  # full address
    page.emulate_media(media="print")
    pdf = page.pdf(format="A4")
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1
    page.close()


def test_choosing_services_builds_the_sheet(browser, static_site) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    base, _ = static_site
    page = browser.new_page()
    page.goto(f"{base}/servizi/affido-familiare/")
    page.get_by_role("link", name="Metti in un foglio con altri servizi").click()
    page.wait_for_selector(".scheda-foglio")
    page.get_by_label("Servizio Tutela Minori").check()
    page.get_by_role("button", name="Prepara il foglio").click()
    page.wait_for_selector('.scheda-foglio[data-slug="tutela-minori"]')
    assert page.locator(".scheda-foglio").count() == 2
    page.close()
