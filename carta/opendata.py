"""Open data: the Carta as JSON (``/dati/*.json``) and CSV (``/dati/servizi.csv``).

Field names follow Open Referral HSDS 3.0 where a field with the same meaning exists
(``service``, ``organization``, ``program``); the Carta's own fields keep their Italian names.
``FIELDS`` documents every field and is shown on the ``/dati/`` page.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import date
from typing import Any

from . import model as m
from .markup import Renderer
from .site import Entry, Site
from .sources import newest

#: servizio ``stato`` → HSDS service ``status``
SERVICE_STATUS = {"attivo": "active", "sospeso": "inactive", "concluso": "defunct"}

VERIFIED = (
    "giorno in cui una persona ha verificato la scheda con chi gestisce il servizio; "
    "vuoto se nessuno l'ha verificata"
)
SOURCES = "elenco di {fonte, sezione}: id delle fonti (vedi fonti.json) e parte citata"
SOURCE_DATE = "data del documento più recente da cui vengono le informazioni (anno, mese o giorno)"

#: file → [(field, from HSDS 3.0?, meaning)]
FIELDS: dict[str, list[tuple[str, bool, str]]] = {
    "servizi": [
        ("id", True, "identificativo del servizio (il nome del file, es. assistenza-domiciliare)"),
        ("name", True, "nome del servizio"),
        (
            "alternate_name",
            True,
            "altri nomi del servizio (ad esempio il nome ufficiale), separati da ; ",
        ),
        ("description", True, "descrizione (testo introduttivo della scheda)"),
        ("url", True, "indirizzo della scheda nel sito"),
        ("email", True, "primo indirizzo email dei contatti, se c'è"),
        ("status", True, "active (attivo), inactive (sospeso) o defunct (concluso)"),
        (
            "organization_id",
            True,
            "id dell'ente che offre il servizio (vedi enti.json); vuoto se la fonte non lo indica",
        ),
        ("eligibility_description", True, "a chi è rivolto"),
        ("application_process", True, "come fare: passi, modalità di accesso e dove rivolgersi"),
        ("fees_description", True, "quanto costa"),
        ("assured_date", True, VERIFIED),
        ("last_modified", True, "data dell'ultima modifica della scheda"),
        ("phones", True, "telefoni: elenco di {number}"),
        ("required_documents", True, "cosa serve: elenco di {document}"),
        ("service_areas", True, "dove è disponibile: elenco di {name, extent_type}"),
        ("stato", False, "stato come scritto nella Carta, con motivo_stato se non è attivo"),
        ("motivo_stato", False, "perché il servizio è sospeso o concluso"),
        ("costi_tipo", False, "gratuito, compartecipazione, tariffa o non-indicato"),
        ("costi_isee", False, "true se la quota dipende dall'ISEE"),
        ("accesso_modalita", False, "sportello, telefono, online, invio-servizi, libero"),
        ("aree", False, "aree di bisogno (id di aree.yaml)"),
        ("destinatari", False, "a chi è rivolto (id di destinatari.yaml)"),
        ("territorio", False, "id dei comuni o sub-ambiti, oppure ambito (tutto il distretto)"),
        ("partner", False, "id degli altri enti coinvolti"),
        ("iniziative", False, "id delle iniziative collegate"),
        ("sommario", False, "una frase che dice che cos'è"),
        ("fonti", False, SOURCES),
        ("data_fonte", False, SOURCE_DATE),
    ],
    "enti": [
        ("id", True, "identificativo dell'ente"),
        ("name", True, "nome"),
        ("alternate_name", True, "sigla"),
        ("description", True, "sommario: una frase che dice chi è"),
        ("url", False, "indirizzo della scheda nel sito"),
        ("website", True, "sito web dell'ente, se una fonte lo indica"),
        ("email", True, "primo indirizzo email dei contatti, se c'è"),
        ("parent_organization_id", True, "id dell'ente di cui fa parte"),
        ("assured_date", False, VERIFIED),
        ("last_modified", False, "data dell'ultima modifica della scheda"),
        ("tipo", False, "tipo di ente (comune, azienda-sanitaria, associazione, …)"),
        ("natura", False, "pubblico, privato-sociale o privato"),
        ("territorio", False, "dove opera"),
        ("fonti", False, SOURCES),
        ("data_fonte", False, SOURCE_DATE),
    ],
    "iniziative": [
        ("id", True, "identificativo dell'iniziativa (HSDS program)"),
        ("name", True, "titolo"),
        ("description", True, "sommario"),
        ("organization_id", True, "id del primo ente promotore"),
        ("url", False, "indirizzo della scheda nel sito"),
        ("stato", False, "programmata, in-corso o conclusa"),
        ("periodo_dal", False, "inizio: anno, mese o data"),
        ("periodo_al", False, "fine: anno, mese o data"),
        ("promotori", False, "id degli enti promotori"),
        ("partner", False, "id degli enti partner"),
        ("finanziamento", False, "elenco di {fonte, importo (euro), anno, nota}"),
        ("servizi", False, "id dei servizi collegati"),
        ("aree", False, "aree di bisogno"),
        ("destinatari", False, "a chi è rivolta"),
        ("territorio", False, "dove si svolge"),
        ("fonti", False, SOURCES),
        ("data_fonte", False, SOURCE_DATE),
        ("assured_date", False, VERIFIED),
        ("last_modified", False, "data dell'ultima modifica della scheda"),
    ],
}

CSV_COLUMNS = [
    "id", "name", "alternate_name", "status", "organization_id", "url", "email", "phones",
    "eligibility_description", "application_process", "fees_description", "required_documents",
    "service_areas", "aree", "destinatari", "data_fonte", "assured_date", "last_modified",
]  # fmt: skip


def _section(md: Renderer, entry: Entry, anchor: str) -> str:
    return " ".join(md.text(s.markdown) for s in entry.sections if s.anchor == anchor)


def _fees(entry: Entry, md: Renderer) -> str:
    c = entry.meta.costi
    parts = [m.COST_TYPES[c.tipo] + "."]
    if c.isee:
        parts.append("La quota dipende dall'ISEE.")
    if c.descrizione:
        parts.append(c.descrizione)
    written = _section(md, entry, "quanto-costa")
    if written:
        parts.append(written)
    return " ".join(parts)


def _application(entry: Entry, md: Renderer) -> str:
    a = entry.meta.accesso
    steps = _section(md, entry, "come-fare")
    modes = ", ".join(m.ACCESS_MODES[x] for x in a.modalita)
    return " ".join(p for p in (steps, f"Come si accede: {modes}.", f"Dove: {a.dove}") if p)


def _areas(site: Site, entry: Entry) -> list[dict[str, str]]:
    return [{"name": site.place_name(t), "extent_type": "text"} for t in entry.meta.territorio]


def _verified(entry: Entry) -> str | None:
    return entry.verified.isoformat() if entry.verified else None


def _provenance(site: Site, entry: Entry) -> dict[str, Any]:
    """Source ids as cited (never a file name) and the date of the newest one."""
    source = newest(site, entry)
    return {
        "fonti": [f.model_dump(exclude_none=True) for f in entry.meta.fonti],
        "data_fonte": source.doc.data if source else None,
    }


def sources_records(site: Site) -> list[dict[str, Any]]:
    """``fonti.json``: the registry of sources, by id."""
    return [
        {"id": key, **doc.model_dump(exclude_none=True)} for key, doc in sorted(site.fonti.items())
    ]


def records(
    site: Site, md: Renderer, updated: Callable[[Entry], date], base: str
) -> dict[str, list[dict[str, Any]]]:
    """``servizi``, ``enti`` and ``iniziative`` as lists of plain dicts, sorted by id."""
    servizi = []
    for e in site.servizi.values():
        s = e.meta
        c = s.contatti
        servizi.append(
            {
                "id": e.slug,
                "name": e.title,
                "alternate_name": "; ".join(s.altri_nomi) or None,
                "description": md.text(e.intro) or e.summary,
                "url": base + e.url,
                "email": c.email[0] if c and c.email else None,
                "status": SERVICE_STATUS[s.stato],
                "organization_id": s.ente,
                "eligibility_description": _section(md, e, "a-chi-e-rivolto") or None,
                "application_process": _application(e, md),
                "fees_description": _fees(e, md),
                "assured_date": _verified(e),
                "last_modified": updated(e).isoformat(),
                "phones": [{"number": t} for t in (c.telefono if c else [])],
                "required_documents": [{"document": d} for d in s.documenti],
                "service_areas": _areas(site, e),
                "stato": s.stato,
                "motivo_stato": s.motivo_stato,
                "costi_tipo": s.costi.tipo,
                "costi_isee": s.costi.isee,
                "accesso_modalita": list(s.accesso.modalita),
                "aree": list(s.aree),
                "destinatari": list(s.destinatari),
                "territorio": list(s.territorio),
                "partner": list(s.partner),
                "iniziative": [i.slug for i in e.links.get("iniziative", [])],
                "sommario": e.summary,
                **_provenance(site, e),
            }
        )
    enti = []
    for e in site.enti.values():
        x = e.meta
        c = x.contatti
        enti.append(
            {
                "id": e.slug,
                "name": e.title,
                "alternate_name": x.sigla,
                "description": e.summary,
                "url": base + e.url,
                "website": x.sito or (c.sito if c else None),
                "email": c.email[0] if c and c.email else None,
                "parent_organization_id": x.parte_di,
                "assured_date": _verified(e),
                "last_modified": updated(e).isoformat(),
                "tipo": x.tipo,
                "natura": x.natura,
                "territorio": list(x.territorio),
                **_provenance(site, e),
            }
        )
    iniziative = []
    for e in site.iniziative.values():
        i = e.meta
        iniziative.append(
            {
                "id": e.slug,
                "name": e.title,
                "description": e.summary,
                "organization_id": i.promotori[0],
                "url": base + e.url,
                "stato": i.stato,
                "periodo_dal": i.periodo.dal if i.periodo else None,
                "periodo_al": i.periodo.al if i.periodo else None,
                "promotori": list(i.promotori),
                "partner": list(i.partner),
                "finanziamento": [f.model_dump() for f in i.finanziamento],
                "servizi": [s.slug for s in e.links.get("servizi", [])],
                "aree": list(i.aree),
                "destinatari": list(i.destinatari),
                "territorio": list(i.territorio),
                **_provenance(site, e),
                "assured_date": _verified(e),
                "last_modified": updated(e).isoformat(),
            }
        )
    return {
        "servizi": sorted(servizi, key=lambda r: r["id"]),
        "enti": sorted(enti, key=lambda r: r["id"]),
        "iniziative": sorted(iniziative, key=lambda r: r["id"]),
    }


def to_json(rows: list[dict[str, Any]]) -> str:
    return json.dumps(rows, ensure_ascii=False, indent=1) + "\n"


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "; ".join(_cell(next(iter(v.values())) if isinstance(v, dict) else v) for v in value)
    return str(value)


def services_csv(rows: list[dict[str, Any]]) -> str:
    """One row per service; lists joined with ``; `` (for phones, documents and areas: the
    number, the document, the place name)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow([_cell(row[c]) for c in CSV_COLUMNS])
    return buffer.getvalue()
