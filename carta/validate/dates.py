"""Dates and the other warnings: verification age, periods against states, the
publisher of the open data."""

from __future__ import annotations

from datetime import date

from .. import model as m
from ..loader import RawData, RawEntry
from ..site import Entry
from ..sources import months_before, period_over
from .problems import Problems


def check_dates(
    entries: list[tuple[Entry, RawEntry]],
    config: m.CartaConfig | None,
    today: date,
    problems: Problems,
) -> None:
    months = config.mesi_verifica if config else 12
    limit = months_before(today, months)
    for entry, src in entries:
        if entry.kind == "iniziativa":
            check_period_state(entry, src, today, problems)
        verified, by = entry.meta.verificato_il, entry.meta.verificato_da
        written = src.data if isinstance(src.data, dict) else {}
        if verified is None:  # missing, or wrong and already reported
            if by is not None and "verificato_il" not in written:
                problems.add(
                    src,
                    ("verificato_da",),
                    "manca 'verificato_il': indica anche il giorno della verifica, oppure "
                    "togli 'verificato_da' se nessuno ha verificato la scheda",
                    key=True,
                )
            continue
        if by is None and "verificato_da" not in written:
            problems.add(
                src,
                ("verificato_il",),
                "manca 'verificato_da': scrivi chi ha verificato la scheda e con quale ente "
                "(ad esempio 'Ufficio di Piano, con il gestore del servizio'); se nessuno l'ha "
                "verificata togli 'verificato_il'",
                key=True,
            )
        if verified > today:
            problems.add(
                src,
                ("verificato_il",),
                f"la data {verified.isoformat()} è nel futuro: indica il giorno in cui la "
                "scheda è stata verificata",
            )
        elif verified < limit:
            problems.add(
                src,
                ("verificato_il",),
                f"scheda verificata il {verified.isoformat()}, più di {months} mesi fa: "
                "ricontrollala con chi gestisce il servizio e aggiorna la data",
                severity="warning",
            )


def check_period_state(entry: Entry, src: RawEntry, today: date, problems: Problems) -> None:
    """A verified initiative whose period is over should not still be under way. An unverified
    one is shown "as its document says, at its date": its state is not a claim about today, so
    it is listed by ``carta report`` instead of warned about (a warning would push editors to
    write 'conclusa', which no document says)."""
    meta = entry.meta
    if meta.verificato_il is not None and period_over(entry, today):
        problems.add(
            src,
            ("stato",),
            f"lo stato è {meta.stato!r} ma il periodo è finito ({meta.periodo.al}): "
            "se l'iniziativa è terminata scrivi 'conclusa', se prosegue aggiorna 'periodo.al'",
            severity="warning",
        )


def check_publisher(config: m.CartaConfig | None, src: RawData | None, problems: Problems) -> None:
    """The open data's catalogue (DCAT-AP_IT) needs who publishes it and whom to contact: a
    warning while ``dati_aperti`` does not say (the IPA code is optional: not every Carta has
    it at hand)."""
    if config is None or src is None:
        return
    pub = config.dati_aperti
    missing = [
        (key, what)
        for key, what in (
            ("titolare", "chi pubblica i dati (ad esempio il Comune capofila)"),
            ("contatto", "a chi rivolgersi per i dati (ad esempio l'Ufficio di Piano)"),
        )
        if getattr(pub, key) is None
    ]
    for key, what in missing:
        present = "dati_aperti" in (src.data or {})
        problems.add(
            src,
            ("dati_aperti",) if present else (),
            f"dati_aperti.{key}: manca {what}; serve al catalogo dei dati aperti "
            "(/dati/catalogo.jsonld, profilo DCAT-AP_IT)",
            key=present,
            severity="warning",
            at=None if present else (1, 1),
        )
