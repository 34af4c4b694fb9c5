"""La Carta in numeri (/osservatorio/): its figures recomputed here by an independent count of
the entries' front matter (never through carta.osservatorio), its charts, tables, links and
downloads, on both shipped sites and on small sites made for one case."""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import yaml

from carta.pipeline import build

from .conftest import FIXTURES, ROOT, TODAY, Built, page

SITES = {"crema": ROOT / "content", "bologna": ROOT / "examples" / "bologna-metropolitana"}
SVG = "{http://www.w3.org/2000/svg}"


def front_matter(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8")
    return yaml.safe_load(text.split("---", 2)[1])


def as_list(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def entries(content: Path, folder: str) -> dict[str, dict[str, Any]]:
    # translations (<slug>.<lang>.md) are not entries of their own
    files = sorted(p for p in (content / folder).glob("*.md") if "." not in p.stem)
    return {p.stem: front_matter(p) for p in files}


@pytest.fixture(scope="module", params=sorted(SITES))
def built(request: pytest.FixtureRequest, shipped: Callable[[Path], Built]) -> tuple[Path, Path]:
    content = SITES[request.param]
    return content, shipped(content).out


def numbers(site: Path) -> dict[str, Any]:
    return json.loads((site / "dati" / "osservatorio.json").read_text(encoding="utf-8"))


class Tables(HTMLParser):
    """Every <table> of a page: caption id → rows of cell texts (head, body and foot)."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._rows: list[list[str]] | None = None
        self._cell: list[str] | None = None
        self._id = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._rows = []
        elif tag == "caption":
            self._id = dict(attrs).get("id") or ""
        elif tag == "tr" and self._rows is not None:
            self._rows.append([])
        elif tag in ("td", "th") and self._rows is not None:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._rows:
            self._rows[-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "table" and self._rows is not None:
            self.tables[self._id] = self._rows
            self._rows = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def tables(html: str) -> dict[str, list[list[str]]]:
    parser = Tables()
    parser.feed(html)
    return parser.tables


def euro(text: str) -> float:
    return float(text.replace("€", "").strip().replace(".", "").replace(",", "."))


# --- the figures, counted again from the files ---------------------------------------------------


def test_services_and_initiatives_per_area_match_the_entries(built: tuple[Path, Path]) -> None:
    content, site = built
    areas = yaml.safe_load((content / "aree.yaml").read_text(encoding="utf-8"))
    services = entries(content, "servizi")
    initiatives = entries(content, "iniziative")
    expected = [
        [
            term["nome"],
            str(sum(1 for s in services.values() if a in as_list(s["aree"]))),
            str(sum(1 for i in initiatives.values() if a in as_list(i["aree"]))),
        ]
        for a, term in areas.items()
    ]
    shown = tables(page(site, "/osservatorio/"))["t-aree"]
    assert shown[0] == ["Area di bisogno", "Servizi", "Iniziative"]
    assert shown[1:] == expected
    data = numbers(site)
    assert data["servizi"] == len(services) and data["iniziative"] == len(initiatives)
    assert [[a["nome"], str(a["servizi"]), str(a["iniziative"])] for a in data["areas"]] == expected


def test_areas_by_destinatari_count_services_and_name_the_gaps(built: tuple[Path, Path]) -> None:
    content, site = built
    areas = yaml.safe_load((content / "aree.yaml").read_text(encoding="utf-8"))
    people = yaml.safe_load((content / "destinatari.yaml").read_text(encoding="utf-8"))
    services = entries(content, "servizi").values()
    cells = {
        (a, d): sum(
            1 for s in services if a in as_list(s["aree"]) and d in as_list(s["destinatari"])
        )
        for a in areas
        for d in people
    }
    shown = tables(page(site, "/osservatorio/"))["t-destinatari"]
    assert shown[0][1:] == [t["nome"] for t in people.values()]
    for row, a in zip(shown[1:], areas, strict=True):
        assert row == [areas[a]["nome"], *(str(cells[a, d]) for d in people)]
    nobody = [people[d]["nome"] for d in people if not any(cells[a, d] for a in areas)]
    html = page(site, "/osservatorio/")
    if nobody:
        assert f"nessun servizio per {', '.join(nobody)}" in html.replace("&#39;", "'")
    assert len(numbers(site)["by_people"]["gaps"]) == sum(1 for n in cells.values() if n == 0)


def test_areas_by_comune_count_district_wide_and_sub_ambito_services(
    built: tuple[Path, Path],
) -> None:
    content, site = built
    territory = yaml.safe_load((content / "territorio.yaml").read_text(encoding="utf-8"))
    comuni = territory["comuni"]
    html = page(site, "/osservatorio/")
    if len(comuni) == 1:
        assert "t-comuni" not in tables(html)
        assert "un solo comune" in html
        return
    sub_of = {c: s for s, sub in territory.get("sub_ambiti", {}).items() for c in sub["comuni"]}
    areas = yaml.safe_load((content / "aree.yaml").read_text(encoding="utf-8"))
    services = entries(content, "servizi").values()

    def there(s: dict[str, Any], c: str) -> bool:
        places = as_list(s["territorio"])
        return "ambito" in places or c in places or sub_of.get(c, "-") in places

    shown = tables(html)["t-comuni"]
    assert shown[0][1:] == [t["nome"] for t in comuni.values()]
    for row, a in zip(shown[1:], areas, strict=True):
        counts = [
            sum(1 for s in services if a in as_list(s["aree"]) and there(s, c)) for c in comuni
        ]
        assert row == [areas[a]["nome"], *map(str, counts)]
        for c, n in zip(comuni, counts, strict=True):
            if n == 0:  # a gap, named as such under its comune
                line = re.search(rf"<li>{re.escape(comuni[c]['nome'])}: (.*?)</li>", html)
                assert line and "lacune della Carta" in line.group(1)
                assert areas[a]["nome"] in line.group(1)


def test_areas_by_district_count_services_of_the_district_its_comuni_and_the_ambito(
    built: tuple[Path, Path],
) -> None:
    content, site = built
    territory = yaml.safe_load((content / "territorio.yaml").read_text(encoding="utf-8"))
    districts = territory.get("sub_ambiti", {})
    html = page(site, "/osservatorio/")
    if len(districts) < 2:
        assert "t-distretti" not in tables(html)
        return
    areas = yaml.safe_load((content / "aree.yaml").read_text(encoding="utf-8"))
    services = entries(content, "servizi").values()

    def there(s: dict[str, Any], d: str) -> bool:
        places = as_list(s["territorio"])
        return "ambito" in places or d in places or bool(set(districts[d]["comuni"]) & set(places))

    shown = tables(html)["t-distretti"]
    assert shown[0][1:] == [t["nome"] for t in districts.values()]
    for row, a in zip(shown[1:], areas, strict=True):
        counts = [
            sum(1 for s in services if a in as_list(s["aree"]) and there(s, d)) for d in districts
        ]
        assert row == [areas[a]["nome"], *map(str, counts)]
    data = numbers(site)
    assert [c[0] for c in data["by_district"]["columns"]] == list(districts)


def test_funding_totals_add_up_to_the_entries_figures(built: tuple[Path, Path]) -> None:
    content, site = built
    by_year: dict[str, float] = defaultdict(float)
    by_source: dict[str, float] = defaultdict(float)
    lines = without = 0
    for i in entries(content, "iniziative").values():
        for f in i.get("finanziamento", []):
            lines += 1
            if f.get("importo") is None:
                without += 1
                continue
            by_year[str(f.get("anno", "anno non indicato"))] += f["importo"]
            by_source[f["fonte"]] += f["importo"]
    total = round(sum(by_year.values()), 2)
    data = numbers(site)
    assert data["funding_total"] == pytest.approx(total)
    assert data["funding_lines"] == lines and data["funding_without_amount"] == without
    assert {f["voce"]: f["importo"] for f in data["funding_years"]} == pytest.approx(dict(by_year))
    assert {f["voce"]: f["importo"] for f in data["funding_sources"]} == pytest.approx(
        dict(by_source)
    )
    shown = tables(page(site, "/osservatorio/"))
    if not lines:
        return
    for key in ("t-fondi-anno", "t-fondi-fonte"):
        body, foot = shown[key][1:-1], shown[key][-1]
        assert foot[0] == "Totale"
        assert euro(foot[2]) == pytest.approx(total)
        assert sum(euro(r[2]) for r in body) == pytest.approx(total, abs=0.05)
    # the CSV download says the same
    rows = list(csv.DictReader(io.StringIO((site / "dati" / "osservatorio.csv").read_text())))
    total_row = next(
        r for r in rows if r["sezione"] == "finanziamento_totale" and r["misura"] == "importo_euro"
    )
    assert float(total_row["valore"]) == pytest.approx(total)


def test_initiatives_over_time_follow_their_periodo(built: tuple[Path, Path]) -> None:
    content, site = built
    started: Counter[str] = Counter()
    none = 0
    for i in entries(content, "iniziative").values():
        start = (i.get("periodo") or {}).get("dal")
        if start:
            started[str(start)[:4]] += 1
        else:
            none += 1
    data = numbers(site)
    assert {y["anno"]: y["inizio"] for y in data["years"] if y["inizio"]} == dict(started)
    assert data["no_period"] == none


def test_freshness_says_nothing_is_verified_and_names_the_oldest(built: tuple[Path, Path]) -> None:
    content, site = built
    fonti = yaml.safe_load((content / "fonti.yaml").read_text(encoding="utf-8"))
    described = [
        *entries(content, "servizi").values(),
        *entries(content, "enti").values(),
        *entries(content, "iniziative").values(),
    ]
    assert not any("verificato_il" in e for e in described)  # the shipped content
    years: Counter[str] = Counter()
    for e in described:
        cited = [fonti[c["fonte"]] for c in e["fonti"]]
        docs = [d for d in cited if d.get("tipo", "documento") == "documento"] or cited
        years[max(str(d["data"]) for d in docs)[:4]] += 1
    data = numbers(site)
    assert {a["anno"]: a["schede"] for a in data["ages"]} == dict(years)
    assert data["verified"] == 0 and data["unverified"] == len(described)
    html = page(site, "/osservatorio/")
    assert "Nessuna scheda è stata verificata" in html
    oldest_year = min(years)
    assert all(o["data"].startswith(oldest_year) for o in data["oldest"][:1])
    assert "Le schede più vecchie" in html


# --- the page ---------------------------------------------------------------------------------


def test_each_chart_is_an_svg_with_title_desc_and_a_table(built: tuple[Path, Path]) -> None:
    _, site = built
    html = page(site, "/osservatorio/")
    svgs = re.findall(r"<svg\b.*?</svg>", html, flags=re.S)
    assert len(svgs) >= 3
    for svg in svgs:
        root = ET.fromstring(svg)
        assert root.get("role") == "img"
        assert root.get("width") == "100%" and root.get("viewBox", "").startswith("0 0 320 ")
        title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
        assert title is not None and (title.text or "").strip()
        assert desc is not None and (desc.text or "").strip()
        assert set(root.get("aria-labelledby", "").split()) == {title.get("id"), desc.get("id")}
    assert len(tables(html)) >= len(svgs)


def test_title_links_and_the_plans_own_observatory(built: tuple[Path, Path]) -> None:
    content, site = built
    html = page(site, "/osservatorio/")
    assert "<title>La Carta in numeri |" in html and "<h1>La Carta in numeri</h1>" in html
    plan = content / "iniziative" / "osservatorio-territoriale-permanente.md"
    linked = 'href="/iniziative/osservatorio-territoriale-permanente/"' in html
    assert linked is plan.is_file()
    assert 'href="/osservatorio/"' in page(site, "/")
    dati = page(site, "/dati/")
    for href in ("/osservatorio/", "/dati/osservatorio.csv", "/dati/osservatorio.json"):
        assert f'href="{href}"' in dati
    assert "<script" not in html.split("</main>")[0].split("<main")[1]


def test_a_period_is_kept_as_written_and_amounts_without_figures_are_counted(
    mini: Path, tmp_path: Path
) -> None:
    initiative = mini / "iniziative" / "progetto-ponte.md"
    text = initiative.read_text(encoding="utf-8").replace(
        "    anno: 2025\n",
        "    anno: 2025\n  - fonte: Regione\n    importo: 3000\n    anno: 2025-2027\n"
        "  - fonte: Fondazione\n",
    )
    initiative.write_text(text, encoding="utf-8")
    build(mini, tmp_path / "site", today=date.fromisoformat(TODAY))
    data = numbers(tmp_path / "site")
    assert [(f["voce"], f["importo"]) for f in data["funding_years"]] == [
        ("2025", 12500),
        ("2025-2027", 3000),
    ]
    assert data["funding_total"] == 15500 and data["funding_without_amount"] == 1
    html = page(tmp_path / "site", "/osservatorio/")
    assert "1 voce non indica un importo e non è nei totali" in html


def test_a_verified_entry_is_counted_as_verified(built_mini: Path) -> None:
    verified = [p for p in (FIXTURES / "mini").rglob("*.md") if "verificato_il" in front_matter(p)]
    data = numbers(built_mini)
    assert verified and data["verified"] == len(verified)
    assert "Nessuna scheda è stata verificata" not in page(built_mini, "/osservatorio/")


def test_names_with_markup_characters_stay_text_in_charts(mini: Path, tmp_path: Path) -> None:
    areas = mini / "aree.yaml"
    areas.write_text(
        areas.read_text(encoding="utf-8").replace(
            "nome: Anziani", 'nome: "Anziani <b>&</b> \\"fragili\\""'
        ),
        encoding="utf-8",
    )
    build(mini, tmp_path / "site", today=date.fromisoformat(TODAY))
    html = page(tmp_path / "site", "/osservatorio/")
    svg = re.search(r"<svg\b.*?</svg>", html, flags=re.S)
    assert svg is not None
    texts = ["".join(t.itertext()) for t in ET.fromstring(svg.group(0)).iter(f"{SVG}text")]
    assert 'Anziani <b>&</b> "fragili"' in texts
    assert "<b>&</b>" not in html
