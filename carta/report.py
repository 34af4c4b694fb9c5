"""``carta report``: what an editor should look at next — stale, incomplete and orphaned
entries, and which areas of need each comune is covered for.

Pure function of the resolved site and a date; the CLI prints it as text or JSON.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from . import model as m
from .resolve import available_in
from .site import Entry, Site
from .sources import freshness, months_before, period_over

#: how many months before going stale an entry is listed as "due soon"
DUE_SOON_MONTHS = 2


@dataclass
class Item:
    path: str
    title: str
    detail: str


@dataclass
class Report:
    today: str
    #: entries nobody has verified with their provider, oldest source first
    unverified: list[Item] = field(default_factory=list)
    stale: list[Item] = field(default_factory=list)
    due_soon: list[Item] = field(default_factory=list)
    incomplete: list[Item] = field(default_factory=list)
    orphaned: list[Item] = field(default_factory=list)
    unused_terms: list[str] = field(default_factory=list)
    #: area id → comune id → services available there (district-wide ones included)
    coverage: dict[str, dict[str, int]] = field(default_factory=dict)
    gaps: list[str] = field(default_factory=list)
    #: language of ``lingue`` → how many entries have a translation into it, of ``entries``
    translations: dict[str, int] = field(default_factory=dict)
    entries: int = 0

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def build_report(site: Site, today: date) -> Report:
    months = site.config.mesi_verifica
    stale_before = months_before(today, months)
    soon_before = (
        months_before(today, months - DUE_SOON_MONTHS) if months > DUE_SOON_MONTHS else today
    )
    report = Report(today=today.isoformat())
    entries = sorted(
        [
            *site.servizi.values(),
            *site.enti.values(),
            *site.iniziative.values(),
            *site.pagine.values(),
        ],
        key=lambda e: e.path,
    )
    unverified = []
    for e in entries:
        checked = e.verified
        if checked is None:
            f = freshness(site, e, today)
            if f.source is None:
                detail = "mai verificata, senza fonti"
            else:
                detail = f"mai verificata; fonte più recente: {f.source.label}"
                if f.stale:
                    detail += f": più vecchia di {months} mesi, la pagina mostra un avviso"
            when = f.source.issued if f.source else date.max  # no source: last
            unverified.append((when, e.path, Item(e.path, e.title, detail)))
        elif checked < stale_before:
            report.stale.append(
                Item(
                    e.path, e.title, f"verificata il {checked.isoformat()}, più di {months} mesi fa"
                )
            )
        elif checked < soon_before:
            report.due_soon.append(
                Item(
                    e.path,
                    e.title,
                    f"verificata il {checked.isoformat()}: da ricontrollare entro {_plus_months(checked, months).isoformat()}",
                )
            )
    report.unverified = [item for *_, item in sorted(unverified, key=lambda t: (t[0], t[1]))]
    for s in sorted(site.servizi.values(), key=lambda e: e.path):
        gaps = []
        missing = _missing_sections(s)
        if missing:
            gaps.append("sezioni mancanti: " + ", ".join(missing))
        if not _has_contacts(s):
            gaps.append("nessun recapito")
        if s.meta.costi.tipo == "non-indicato":
            gaps.append("costi non indicati")
        if gaps:
            report.incomplete.append(Item(s.path, s.title, "; ".join(gaps)))
    for i in sorted(site.iniziative.values(), key=lambda e: e.path):
        if not i.meta.periodo:
            report.incomplete.append(Item(i.path, i.title, "periodo non indicato"))
        elif i.meta.verificato_il is None and period_over(i, today):
            report.incomplete.append(
                Item(
                    i.path,
                    i.title,
                    f"'{i.meta.stato}' secondo la fonte, ma il periodo è finito "
                    f"({i.meta.periodo.al}): chiedi ai promotori com'è andata",
                )
            )
    referenced = {site.config.capofila, site.config.ufficio_di_piano}
    for e in site.enti.values():
        if e.meta.parte_di:
            referenced.add(e.meta.parte_di)
    for ini in site.iniziative.values():
        referenced.update(x.fonte for x in ini.meta.finanziamento)
    for e in sorted(site.enti.values(), key=lambda e: e.path):
        links = e.links
        if (
            not (
                links["servizi"]
                or links["servizi_partner"]
                or links["iniziative"]
                or links["articolazioni"]
            )
            and e.slug not in referenced
        ):
            report.orphaned.append(
                Item(e.path, e.title, "nessun servizio, iniziativa o ente collegato")
            )
    for s in sorted(site.servizi.values(), key=lambda e: e.path):
        if not s.links["iniziative"] and not s.links["correlati"]:
            report.orphaned.append(
                Item(
                    s.path,
                    s.title,
                    "nessuna iniziativa e nessun servizio simile: controlla aree e destinatari",
                )
            )
    used_areas = {
        a for e in [*site.servizi.values(), *site.iniziative.values()] for a in e.meta.aree
    }
    used_people = {
        d for e in [*site.servizi.values(), *site.iniziative.values()] for d in e.meta.destinatari
    }
    report.unused_terms = [f"aree.yaml: {a}" for a in site.aree if a not in used_areas] + [
        f"destinatari.yaml: {d}" for d in site.destinatari if d not in used_people
    ]
    for area in site.aree:
        row = {}
        for comune in site.territorio.comuni:
            row[comune] = sum(
                1
                for s in site.servizi.values()
                if area in s.meta.aree and available_in(site, s, comune)
            )
            if not row[comune]:
                report.gaps.append(
                    f"{site.aree[area].nome} a {site.territorio.comuni[comune].nome}"
                )
        report.coverage[area] = row
    report.entries = len(site.all_entries())
    for lang in site.config.lingue:
        report.translations[lang] = sum(1 for e in site.all_entries() if lang in e.translations)
    return report


def _missing_sections(service: Entry) -> list[str]:
    present = {s.heading for s in service.sections}
    missing = [h for h in m.SERVICE_SECTIONS if h not in present]
    # what the front matter already covers is not missing
    if service.meta.documenti and "Cosa serve" in missing:
        missing.remove("Cosa serve")
    for always in ("Come fare", "Quanto costa"):  # filled from accesso and costi
        if always in missing:
            missing.remove(always)
    return missing


def _has_contacts(service: Entry) -> bool:
    c = service.meta.contatti
    return bool((c and not c.empty()) or service.meta.sedi or service.meta.orari)


def _plus_months(day: date, months: int) -> date:
    return months_before(day, -months)


def render_text(report: Report, site: Site) -> str:
    out: list[str] = [f"Rapporto sulla Carta al {report.today}", ""]

    def section(title: str, items: list[Item]) -> None:
        out.append(f"{title} ({len(items)})")
        out.extend(f"  {i.path}: {i.title} — {i.detail}" for i in items)
        if not items:
            out.append("  nessuna")
        out.append("")

    section("Schede mai verificate (dalla fonte più vecchia)", report.unverified)
    section("Schede da ricontrollare", report.stale)
    section("Schede da ricontrollare presto", report.due_soon)
    section("Informazioni incomplete", report.incomplete)
    section("Schede isolate", report.orphaned)
    out.append(f"Voci non usate ({len(report.unused_terms)})")
    out.extend(f"  {t}" for t in report.unused_terms)
    if not report.unused_terms:
        out.append("  nessuna")
    out.append("")
    comuni = list(site.territorio.comuni)
    out.append(
        "Copertura: servizi disponibili per area e comune (compresi quelli di tutto l'ambito)"
    )
    width = max(len(v.nome) for v in site.aree.values())
    out.append(
        "  "
        + " " * width
        + "  "
        + "  ".join(site.territorio.comuni[c].nome[:12].rjust(12) for c in comuni)
    )
    for area, row in report.coverage.items():
        out.append(
            "  "
            + site.aree[area].nome.ljust(width)
            + "  "
            + "  ".join(str(row[c]).rjust(12) for c in comuni)
        )
    out.append("")
    out.append(f"Aree senza servizi in un comune ({len(report.gaps)})")
    out.extend(f"  {g}" for g in report.gaps)
    if not report.gaps:
        out.append("  nessuna")
    if report.translations:
        out.append("")
        out.append("Schede tradotte, per lingua")
        out.extend(
            f"  {lang}: {count} di {report.entries}" for lang, count in report.translations.items()
        )
    return "\n".join(out) + "\n"
