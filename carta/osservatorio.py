"""Stage 4b: "La Carta in numeri" (``/osservatorio/``) — what the Carta describes, where, for
whom, funded how, and how old the information is, counted from the content at build time.

:func:`compute` turns the resolved site into plain data (dataclasses of numbers and names);
:func:`charts` draws some of it as inline SVG (no JavaScript), each chart with a ``<title>``,
a ``<desc>`` and a text summary, beside a real table in the template; :func:`as_json` and
:func:`as_csv` give the same numbers for ``/dati/``. Source dates, verification and staleness
come from :mod:`carta.sources`, never recomputed here. Deterministic: sorted iteration, the
build date is an input.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any
from xml.sax.saxutils import escape

from markupsafe import Markup

from . import sources
from .model import WHOLE_DISTRICT, PartialDate
from .resolve import available_in
from .site import Entry, Site

#: the plan's own initiative this page must not be mistaken for (linked when it exists)
PLAN_INITIATIVE = "osservatorio-territoriale-permanente"
#: how many of the oldest entries the page names
OLDEST_LIMIT = 10
NO_YEAR = "anno non indicato"


@dataclass
class AreaRow:
    id: str
    nome: str
    servizi: int
    iniziative: int


@dataclass
class Matrix:
    """Services per area (rows) and per column (destinatari, comuni); zero cells are gaps."""

    columns: list[tuple[str, str]]  # (id, name)
    rows: list[tuple[str, str, list[int]]]  # (area id, area name, counts per column)
    gaps: list[tuple[str, str]] = field(default_factory=list)  # (area name, column name)

    def empty_columns(self) -> list[str]:
        """Columns (destinatari, comuni) for which the Carta describes no service at all."""
        return [
            name for k, (_, name) in enumerate(self.columns) if not any(r[2][k] for r in self.rows)
        ]

    def missing_in(self, column: str) -> list[str]:
        """The areas with no service for ``column`` (a column name)."""
        return [area for area, col in self.gaps if col == column]

    def table(self, table_id: str, caption: str) -> Table:
        return Table(
            table_id,
            caption,
            ["Area di bisogno", *(name for _, name in self.columns)],
            [[name, *counts] for _, name, counts in self.rows],
            gaps=True,
        )


@dataclass(frozen=True)
class Table:
    """A table of the page: the accessible version of a chart, or a table on its own."""

    id: str
    caption: str
    head: list[str]
    rows: list[list[Any]]
    foot: list[Any] | None = None
    gaps: bool = False  # a zero is a gap of the Carta (area × destinatari, area × comune)


@dataclass
class YearRow:
    """Initiatives whose ``periodo`` starts (``dal``) or ends (``al``, planned or past) in a year."""

    anno: str
    inizio: int
    fine: int


@dataclass
class FundingRow:
    voce: str  # a year or period as written, or a source
    voci: int  # how many lines of finanziamento
    importo: float


@dataclass
class AgeRow:
    anno: str  # year of the newest source
    schede: int


@dataclass
class Oldest:
    titolo: str
    url: str
    tipo: str
    fonte: str  # the source's label
    data: str  # the source's date as written


@dataclass
class Observatory:
    today: date
    servizi: int
    iniziative: int
    enti: int
    areas: list[AreaRow]
    uncovered_areas: list[str]  # area names with no service and no initiative
    by_people: Matrix
    by_place: Matrix | None  # None when the territory has a single comune
    #: areas × sub-ambiti (districts); None when the territory has fewer than two
    by_district: Matrix | None
    place_kind: str  # "comuni"
    years: list[YearRow]
    no_period: int  # initiatives without a start date
    funding_years: list[FundingRow]
    funding_sources: list[FundingRow]
    funding_total: float
    funding_lines: int
    funding_without_amount: int  # lines with no importo
    funded_initiatives: int
    ages: list[AgeRow]
    without_source: int
    verified: int
    unverified: int
    stale: int
    oldest: list[Oldest]
    oldest_more: int  # further entries as old as the last one listed
    plan_initiative: str | None  # URL of the plan's Osservatorio, when the Carta has it


def _matrix(
    site: Site, columns: list[tuple[str, str]], member: Any, services: list[Entry]
) -> Matrix:
    rows = []
    gaps = []
    for area_id, area in site.aree.items():
        in_area = [s for s in services if area_id in s.meta.aree]
        counts = [sum(1 for s in in_area if member(s, col)) for col, _ in columns]
        rows.append((area_id, area.nome, counts))
        gaps += [(area.nome, name) for (_, name), n in zip(columns, counts, strict=True) if not n]
    return Matrix(columns, rows, gaps)


def _in_district(site: Site, entry: Entry, district: str) -> bool:
    """Is ``entry`` available in (at least part of) the sub-ambito ``district``: the whole
    ambito, the sub-ambito itself, or one of its comuni?"""
    places = entry.meta.territorio
    if WHOLE_DISTRICT in places or district in places:
        return True
    return any(c in places for c in site.territorio.sub_ambiti[district].comuni)


def _year(value: str | None) -> str | None:
    return str(PartialDate.parse(value).year) if value else None


def _amount_key(value: str) -> tuple[int, str]:
    return (1, value) if value == NO_YEAR else (0, value)


def compute(site: Site, today: date) -> Observatory:
    services = list(site.servizi.values())
    initiatives = list(site.iniziative.values())

    areas = [
        AreaRow(
            a,
            term.nome,
            sum(1 for s in services if a in s.meta.aree),
            sum(1 for i in initiatives if a in i.meta.aree),
        )
        for a, term in site.aree.items()
    ]
    people = _matrix(
        site,
        [(d, t.nome) for d, t in site.destinatari.items()],
        lambda s, d: d in s.meta.destinatari,
        services,
    )
    comuni = site.territorio.comuni
    place = (
        _matrix(
            site,
            [(c, t.nome) for c, t in comuni.items()],
            lambda s, c: available_in(site, s, c),
            services,
        )
        if len(comuni) > 1
        else None
    )
    districts = site.territorio.sub_ambiti
    district = (
        _matrix(
            site,
            [(d, t.nome) for d, t in districts.items()],
            lambda s, d: _in_district(site, s, d),
            services,
        )
        if len(districts) > 1
        else None
    )

    started: Counter[str] = Counter()
    ended: Counter[str] = Counter()
    no_period = 0
    for i in initiatives:
        p = i.meta.periodo
        start = _year(p.dal) if p else None
        if start:
            started[start] += 1
        else:
            no_period += 1
        end = _year(p.al) if p else None
        if end:
            ended[end] += 1
    years = [YearRow(y, started[y], ended[y]) for y in sorted(set(started) | set(ended))]

    by_year: dict[str, list[float]] = defaultdict(list)
    by_source: dict[str, list[float]] = defaultdict(list)
    without_amount = lines = 0
    funded = 0
    for i in initiatives:
        if i.meta.finanziamento:
            funded += 1
        for f in i.meta.finanziamento:
            lines += 1
            if f.importo is None:
                without_amount += 1
                continue
            by_year[f.anno or NO_YEAR].append(f.importo)
            by_source[f.fonte].append(f.importo)
    funding_years = [
        FundingRow(k, len(v), round(sum(v), 2))
        for k, v in sorted(by_year.items(), key=lambda t: _amount_key(t[0]))
    ]
    funding_sources = [
        FundingRow(k, len(v), round(sum(v), 2))
        for k, v in sorted(by_source.items(), key=lambda t: (-sum(t[1]), t[0]))
    ]
    total = round(sum(sum(v) for v in by_year.values()), 2)

    described = [*services, *site.enti.values(), *initiatives]
    ages: Counter[str] = Counter()
    without_source = verified = stale = 0
    dated: list[tuple[date, str, Entry, sources.Freshness]] = []
    for e in described:
        f = sources.freshness(site, e, today)
        if f.verified:
            verified += 1
        if f.stale:
            stale += 1
        if f.source is None:
            without_source += 1
        else:
            ages[f.source.year] += 1
        if f.reference is not None:
            dated.append((f.reference, e.sort_key()[0], e, f))
    dated.sort(key=lambda t: (t[0], t[1], t[2].slug))
    oldest = []
    for _, _, e, f in dated[:OLDEST_LIMIT]:
        label = f"verificata il {sources.date_words(f.verified)}" if f.verified else ""
        oldest.append(
            Oldest(
                e.title,
                e.url,
                e.kind,
                label or (f.source.label if f.source else ""),
                f.verified.isoformat() if f.verified else (f.source.doc.data if f.source else ""),
            )
        )
    more = 0
    if len(dated) > OLDEST_LIMIT:
        last = dated[OLDEST_LIMIT - 1][0]
        more = sum(1 for t in dated[OLDEST_LIMIT:] if t[0] == last)

    plan = site.iniziative.get(PLAN_INITIATIVE)
    return Observatory(
        today=today,
        servizi=len(services),
        iniziative=len(initiatives),
        enti=len(site.enti),
        areas=areas,
        uncovered_areas=[a.nome for a in areas if not a.servizi and not a.iniziative],
        by_people=people,
        by_place=place,
        by_district=district,
        place_kind="comuni",
        years=years,
        no_period=no_period,
        funding_years=funding_years,
        funding_sources=funding_sources,
        funding_total=total,
        funding_lines=lines,
        funding_without_amount=without_amount,
        funded_initiatives=funded,
        ages=[AgeRow(y, n) for y, n in sorted(ages.items())],
        without_source=without_source,
        verified=verified,
        unverified=len(described) - verified,
        stale=stale,
        oldest=oldest,
        oldest_more=more,
        plan_initiative=plan.url if plan else None,
    )


def tables(o: Observatory) -> dict[str, Table]:
    """Every table of the page, with its totals; amounts formatted in euro."""
    out = {
        "aree": Table(
            "t-aree",
            "Servizi e iniziative per area di bisogno",
            ["Area di bisogno", "Servizi", "Iniziative"],
            [[a.nome, a.servizi, a.iniziative] for a in o.areas],
        ),
        "destinatari": o.by_people.table(
            "t-destinatari", "Servizi per area di bisogno (righe) e destinatari (colonne)"
        ),
        "anni": Table(
            "t-anni",
            "Iniziative per anno di inizio e di fine, come scritti nel periodo delle schede",
            ["Anno", "Iniziano", "Finiscono"],
            [[y.anno, y.inizio, y.fine] for y in o.years],
        ),
        "eta": Table(
            "t-eta",
            "Servizi, enti e iniziative per anno della fonte più recente",
            ["Anno della fonte", "Schede"],
            [[a.anno, a.schede] for a in o.ages],
            ["Totale", sum(a.schede for a in o.ages)],
        ),
    }
    if o.by_place:
        out["comuni"] = o.by_place.table(
            "t-comuni", "Servizi disponibili per area di bisogno (righe) e comune (colonne)"
        )
    if o.by_district:
        out["distretti"] = o.by_district.table(
            "t-distretti",
            "Servizi disponibili per area di bisogno (righe) e distretto (colonne)",
        )
    for key, caption, head, items in (
        ("fondi_anno", "Finanziamenti per anno o periodo", "Anno o periodo", o.funding_years),
        (
            "fondi_fonte",
            "Finanziamenti per fonte, come scritta nelle schede",
            "Fonte",
            o.funding_sources,
        ),
    ):
        out[key] = Table(
            "t-" + key.replace("_", "-"),
            caption,
            [head, "Voci", "Importo"],
            [[f.voce, f.voci, sources.euro(f.importo)] for f in items],
            ["Totale", sum(f.voci for f in items), sources.euro(o.funding_total)],
        )
    return out


# --- downloads ---------------------------------------------------------------------------------


def as_json(o: Observatory) -> str:
    data = asdict(o)
    data["today"] = o.today.isoformat()
    return json.dumps(data, ensure_ascii=False, indent=1, allow_nan=False) + "\n"


CSV_HEADER = ["sezione", "voce", "misura", "valore"]


def csv_rows(o: Observatory) -> list[tuple[str, str, str, str | int | float]]:
    """The page's numbers in long form: (section, item, measure, value)."""
    rows: list[tuple[str, str, str, str | int | float]] = []
    for a in o.areas:
        rows += [("aree", a.id, "servizi", a.servizi), ("aree", a.id, "iniziative", a.iniziative)]
    for name, matrix in (
        ("aree_destinatari", o.by_people),
        ("aree_comuni", o.by_place),
        ("aree_distretti", o.by_district),
    ):
        if matrix is None:
            continue
        for area, _, counts in matrix.rows:
            rows += [
                (name, area, col, n) for (col, _), n in zip(matrix.columns, counts, strict=True)
            ]
    for y in o.years:
        rows += [
            ("iniziative_per_anno", y.anno, "inizio", y.inizio),
            ("iniziative_per_anno", y.anno, "fine", y.fine),
        ]
    rows.append(("iniziative_per_anno", "senza periodo", "iniziative", o.no_period))
    for name, items in (
        ("finanziamento_anno", o.funding_years),
        ("finanziamento_fonte", o.funding_sources),
    ):
        for f in items:
            rows += [(name, f.voce, "voci", f.voci), (name, f.voce, "importo_euro", f.importo)]
    rows += [
        ("finanziamento_totale", "tutte le voci con importo", "importo_euro", o.funding_total),
        ("finanziamento_totale", "voci senza importo", "voci", o.funding_without_amount),
    ]
    for age in o.ages:
        rows.append(("eta_fonte", age.anno, "schede", age.schede))
    rows += [
        ("verifica", "verificate", "schede", o.verified),
        ("verifica", "non verificate", "schede", o.unverified),
        ("verifica", "con avviso di informazioni vecchie", "schede", o.stale),
    ]
    return rows


def as_csv(o: Observatory) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    writer.writerows(csv_rows(o))
    return buffer.getvalue()


# --- charts -------------------------------------------------------------------------------------

#: chart geometry, in viewBox units: 320 wide, so that at a 320 px phone text stays ~13 px
WIDTH = 320
BAR_MAX = 250
LABEL = 14
SERIES = ("#0066cc", "#5c2d91")  # both ≥ 4.5:1 on white


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    desc: str
    svg: Markup


def bar_chart(
    chart_id: str,
    title: str,
    desc: str,
    rows: list[tuple[str, list[float]]],
    series: list[str],
    unit: str = "",
) -> Chart:
    """Horizontal bars: for each row its label on a line, then one bar per series."""
    top = max((v for _, values in rows for v in values), default=0) or 1
    bar, gap = 14, 4
    row_height = LABEL + 6 + len(series) * (bar + gap) + 10
    legend = 22 if len(series) > 1 else 0
    height = legend + len(rows) * row_height
    parts = [
        f'<svg class="grafico" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-t">{escape(title)}</title>',
        f'<desc id="{chart_id}-d">{escape(desc)}</desc>',
    ]
    if legend:
        x = 0
        for k, name in enumerate(series):
            parts.append(f'<rect x="{x}" y="4" width="12" height="12" fill="{SERIES[k]}"/>')
            parts.append(f'<text x="{x + 16}" y="15">{escape(name)}</text>')
            x += 24 + 8 * len(name)
    y = legend
    for label, values in rows:
        parts.append(f'<text x="0" y="{y + LABEL}">{escape(label)}</text>')
        by = y + LABEL + 6
        for k, value in enumerate(values):
            w = round(BAR_MAX * value / top, 1)
            parts.append(
                f'<rect x="0" y="{by}" width="{max(w, 1) if value else 0}" height="{bar}" '
                f'fill="{SERIES[k]}"/>'
            )
            shown = sources.number_words(value) + (f" {unit}" if unit else "")
            parts.append(f'<text x="{w + 4}" y="{by + bar - 3}">{escape(shown)}</text>')
            by += bar + gap
        y += row_height
    parts.append("</svg>")
    return Chart(chart_id, title, desc, Markup("".join(parts)))  # noqa: S704 - escaped above


def charts(o: Observatory) -> dict[str, Chart]:
    """The page's four charts, each drawn from the same numbers as its table."""
    most = max(o.areas, key=lambda a: (a.servizi + a.iniziative, a.nome), default=None)
    out = {
        "aree": bar_chart(
            "grafico-aree",
            "Servizi e iniziative per area di bisogno",
            f"{o.servizi} servizi e {o.iniziative} iniziative in {len(o.areas)} aree di bisogno"
            + (f"; l'area con più schede è «{most.nome}»." if most else "."),
            [(a.nome, [a.servizi, a.iniziative]) for a in o.areas],
            ["servizi", "iniziative"],
        )
    }
    started = [y for y in o.years if y.inizio]
    if started:
        peak = max(started, key=lambda y: (y.inizio, y.anno))
        out["anni"] = bar_chart(
            "grafico-anni",
            "Iniziative per anno di inizio",
            f"Le iniziative iniziano dal {started[0].anno} al {started[-1].anno}; l'anno in cui "
            f"ne iniziano di più è il {peak.anno} ({peak.inizio}).",
            [(y.anno, [y.inizio]) for y in started],
            ["iniziano"],
        )
    if o.funding_years:
        out["fondi"] = bar_chart(
            "grafico-fondi",
            "Finanziamenti per anno o periodo, come scritti nelle fonti",
            f"In tutto {sources.number_words(o.funding_total)} euro in {o.funding_lines - o.funding_without_amount} "
            "voci con importo.",
            [(f.voce, [f.importo]) for f in o.funding_years],
            ["euro"],
            unit="€",
        )
    if o.ages:
        out["eta"] = bar_chart(
            "grafico-eta",
            "Schede per anno della fonte più recente",
            f"Le informazioni di {sum(a.schede for a in o.ages)} schede vengono da documenti "
            f"dal {o.ages[0].anno} al {o.ages[-1].anno}; nessuna è stata verificata."
            if not o.verified
            else f"Le informazioni vengono da documenti dal {o.ages[0].anno} al {o.ages[-1].anno}.",
            [(a.anno, [a.schede]) for a in o.ages],
            ["schede"],
        )
    return out


def render(site: Site, page: Any, write: Any) -> None:
    """Write ``/osservatorio/`` (with ``page(template, url, owner, **context)``) and its
    numbers as ``/dati/osservatorio.json`` and ``.csv`` (with ``write(path, text, owner)``)."""
    o = compute(site, site.built_on)
    write("/dati/osservatorio.json", as_json(o), "osservatorio")
    write("/dati/osservatorio.csv", as_csv(o), "osservatorio")
    page(
        "osservatorio.html",
        "/osservatorio/",
        "osservatorio",
        o=o,
        charts=charts(o),
        tables=tables(o),
    )
