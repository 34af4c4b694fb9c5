"""Both real sites on a phone (390 × 844): a short header, a service's first section within
about one screen, comune pages that are not endless, and the folded parts (menu, search,
page index, groups) opened by keyboard and without JavaScript."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from .test_site import Served, served  # noqa: F401 - shared session fixture

PHONE = {"width": 390, "height": 844}
MAX_HEADER = 160  # px, on an inner page
MAX_FIRST_SECTION = 900  # px from the top of the page
MAX_COMUNE_PAGE = 6000  # px


@pytest.fixture
def phone(served: Served, browser: Any) -> Iterator[Any]:  # noqa: F811
    context = browser.new_context(viewport=PHONE, locale="it-IT")
    page = context.new_page()
    yield page
    context.close()


def top(page: Any, selector: str) -> float:
    return page.evaluate(
        "s => document.querySelector(s).getBoundingClientRect().top + window.scrollY", selector
    )


def test_the_top_of_pages_is_short_on_a_phone(served: Served, phone: Any) -> None:  # noqa: F811
    # in Italian and in every other language the Carta is published in (their /L/cerca/)
    languages = sorted(p.parent.parent.name for p in served.root.glob("*/cerca/index.html"))
    services = sorted(p.parent.name for p in (served.root / "servizi").glob("*/index.html"))
    tall: dict[str, float] = {}
    for prefix in ["", *(f"/{lang}" for lang in languages)]:
        for slug in services:
            path = f"{prefix}/servizi/{slug}/"
            phone.goto(served.base + path)
            header = phone.locator("header.testata").bounding_box()["height"]
            if header > MAX_HEADER:
                tall[f"header {path}"] = header
            first = top(phone, ".corpo > .sezione")
            if first > MAX_FIRST_SECTION:
                tall[f"first section {path}"] = first
    assert tall == {}, f"on a {PHONE['width']} px phone: {tall}"


def test_comune_pages_are_short_on_a_phone(served: Served, phone: Any) -> None:  # noqa: F811
    comuni = sorted(p.parent.name for p in (served.root / "comuni").glob("*/index.html"))
    heights = {}
    for slug in comuni:
        phone.goto(f"{served.base}/comuni/{slug}/")
        heights[slug] = phone.evaluate("document.documentElement.scrollHeight")
    assert heights and max(heights.values()) <= MAX_COMUNE_PAGE, heights
    # the groups are there, folded, and open with the keyboard
    longest = max(heights, key=heights.__getitem__)
    phone.goto(f"{served.base}/comuni/{longest}/")
    group = phone.locator("details.gruppo").first
    card = group.locator(".scheda").first
    assert not card.is_visible()
    group.locator("summary").focus()
    phone.keyboard.press("Enter")
    assert card.is_visible()


def test_menu_search_and_index_open_by_keyboard(served: Served, phone: Any) -> None:  # noqa: F811
    phone.goto(served.base + served.typical_service())
    menu_link = phone.locator("nav.menu").get_by_role("link", name="Aree di bisogno")
    search = phone.locator("#cerca-testata")
    assert not menu_link.is_visible() and not search.is_visible()
    # the language switch, on a Carta in more than one language, comes right after the skip
    # link, in the bar above the title
    switch = phone.locator("nav.lingue a").count()
    focused = []
    for _ in range(6 + switch):  # skip link, [languages], title, "Cerca", "Menu", …
        phone.keyboard.press("Tab")
        focused.append(phone.evaluate("document.activeElement.textContent.trim()"))
        if focused[-1] == "Menu":
            phone.keyboard.press("Enter")
            break
    languages = phone.locator("nav.lingue a").evaluate_all("els => els.map(e => e.textContent)")
    assert focused[1 : 1 + switch] == languages, focused
    assert focused[2 + switch : 4 + switch] == ["Cerca", "Menu"], focused
    assert menu_link.is_visible()
    phone.keyboard.press("Tab")
    assert phone.evaluate("document.activeElement.textContent.trim()") == "Servizi dalla A alla Z"
    phone.get_by_text("Cerca", exact=True).first.click()
    assert search.is_visible()
    first_entry = phone.locator(".indice li a").first
    assert not first_entry.is_visible()
    phone.locator(".indice summary").click()
    assert first_entry.is_visible()


def test_the_folded_parts_open_without_javascript(served: Served, browser: Any) -> None:  # noqa: F811
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(served.base + served.typical_service())
        page.locator(".apri-menu summary").click()
        assert page.locator("nav.menu").get_by_role("link", name="Comuni").is_visible()
        page.locator(".indice summary").click()
        assert page.locator(".indice li a").first.is_visible()
    finally:
        context.close()


def test_on_a_wide_screen_nothing_is_folded_in_the_header_and_the_index(
    served: Served,  # noqa: F811
) -> None:
    page = served.page  # 1280 px wide
    served.goto(served.typical_service())
    assert page.locator("#cerca-testata").is_visible()
    assert page.locator("nav.menu").get_by_role("link", name="Comuni").is_visible()
    assert not page.locator(".apri-menu summary").is_visible()
    assert page.locator(".indice li a").first.is_visible()
