"""Open data: the Carta as JSON (``/dati/*.json``), CSV (``/dati/servizi.csv``), a Frictionless
data package (``/dati/datapackage.json``) and a DCAT-AP_IT catalogue (``/dati/catalogo.jsonld``).

``servizi.json``, ``enti.json`` and ``iniziative.json`` are records of Open Referral HSDS 3.0
(``service``, ``organization``, ``program``) that validate against its JSON Schemas: ids are
UUIDs (version 5, from the slug, in the namespace ``uuid_namespace`` of ``carta.yaml``),
optional fields are left out rather than ``null``, URLs are absolute (only when ``url_base``
is set: without it ``url`` is left out and the page's site-relative address is in
``estensione_carta.pagina``), ``last_modified`` is a date-time. The Carta's own fields, with
their Italian names, are in one object per record, ``estensione_carta`` (the HSDS schemas allow
extra properties). ``FIELDS`` documents every field and is shown on the ``/dati/`` page.
"""

from __future__ import annotations

import csv
import io
import json
import re
import uuid
from collections.abc import Callable
from datetime import date
from typing import Any

from . import model as m
from .kinds import with_opendata
from .markup import Renderer
from .site import Entry, Site
from .sources import newest
from .urls import Urls

#: servizio ``stato`` → HSDS service ``status``
SERVICE_STATUS = {"attivo": "active", "sospeso": "inactive", "concluso": "defunct"}

#: the object of each record that holds the Carta's own fields
EXTENSION = "estensione_carta"

#: namespace of the namespaces: a Carta without ``uuid_namespace`` gets
#: ``uuid5(DEFAULT_NAMESPACE, ambito)`` (a fixed value: never change it)
DEFAULT_NAMESPACE = uuid.UUID("6c1f3f0e-5c44-5d1e-9b8a-6361727461a0")

VERIFIED = (
    "giorno in cui una persona ha verificato la scheda con chi gestisce il servizio "
    "(AAAA-MM-GG); assente se nessuno l'ha verificata"
)
MODIFIED = (
    "giorno dell'ultima modifica della scheda (data e ora in UTC; l'ora è sempre 00:00:00, "
    "perché la Carta registra solo il giorno)"
)
SOURCES = "elenco di {fonte, sezione}: id delle fonti (vedi fonti.json) e parte citata"
SOURCE_DATE = "data del documento più recente da cui vengono le informazioni (anno, mese o giorno)"
SLUG = "identificativo leggibile della scheda (il nome del file, es. assistenza-domiciliare)"
PAGE = "indirizzo della pagina nel sito, a partire dalla radice (es. /servizi/sad/)"
URL = "indirizzo completo della pagina (solo se il sito ha un indirizzo pubblico, url_base)"
UUID = "identificativo stabile (UUID versione 5 derivato dallo slug)"
X = EXTENSION + "."

#: file → [(field, from HSDS 3.0?, meaning)]
FIELDS: dict[str, list[tuple[str, bool, str]]] = {
    "servizi": [
        ("id", True, UUID),
        ("name", True, "nome del servizio"),
        ("alternate_name", True, "altri nomi del servizio (ad esempio il nome ufficiale), separati da ; "),
        ("description", True, "descrizione (testo introduttivo della scheda)"),
        ("url", True, URL),
        ("email", True, "primo indirizzo email dei contatti, se c'è"),
        ("status", True, "active (attivo), inactive (sospeso) o defunct (concluso)"),
        ("organization_id", True, "id (UUID) dell'ente che offre il servizio (vedi enti.json); assente se la fonte non lo indica"),
        ("eligibility_description", True, "a chi è rivolto"),
        ("application_process", True, "come fare: passi, modalità di accesso e dove rivolgersi"),
        ("fees_description", True, "quanto costa"),
        ("assured_date", True, VERIFIED),
        ("last_modified", True, MODIFIED),
        ("phones", True, "telefoni: elenco di {id, service_id, number}"),
        ("required_documents", True, "cosa serve: elenco di {id, service_id, document}"),
        ("service_areas", True, "dove è disponibile: elenco di {id, service_id, name}"),
        (X + "slug", False, SLUG),
        (X + "pagina", False, PAGE),
        (X + "stato", False, "stato come scritto nella Carta: attivo, sospeso o concluso"),
        (X + "motivo_stato", False, "perché il servizio è sospeso o concluso"),
        (X + "costi_tipo", False, "gratuito, compartecipazione, tariffa o non-indicato"),
        (X + "costi_isee", False, "true se la quota dipende dall'ISEE"),
        (X + "accesso_modalita", False, "sportello, telefono, online, invio-servizi, libero"),
        (X + "aree", False, "aree di bisogno (id di aree.yaml)"),
        (X + "destinatari", False, "a chi è rivolto (id di destinatari.yaml)"),
        (X + "territorio", False, "id dei comuni o sub-ambiti, oppure ambito (tutto il distretto)"),
        (X + "ente", False, "slug dell'ente che offre il servizio"),
        (X + "partner", False, "slug degli altri enti coinvolti"),
        (X + "iniziative", False, "slug delle iniziative collegate"),
        (X + "sommario", False, "una frase che dice che cos'è"),
        (X + "fonti", False, SOURCES),
        (X + "data_fonte", False, SOURCE_DATE),
    ],
    "enti": [
        ("id", True, UUID),
        ("name", True, "nome"),
        ("alternate_name", True, "sigla e altri nomi, separati da ; "),
        ("description", True, "sommario: una frase che dice chi è"),
        ("website", True, "sito web dell'ente, se una fonte lo indica"),
        ("email", True, "primo indirizzo email dei contatti, se c'è"),
        ("parent_organization_id", True, "id (UUID) dell'ente di cui fa parte"),
        ("phones", True, "telefoni: elenco di {id, organization_id, number}"),
        (X + "slug", False, SLUG),
        (X + "pagina", False, PAGE),
        (X + "url", False, URL),
        (X + "tipo", False, "tipo di ente (comune, azienda-sanitaria, associazione, …)"),
        (X + "natura", False, "pubblico, privato-sociale o privato"),
        (X + "territorio", False, "dove opera"),
        (X + "parte_di", False, "slug dell'ente di cui fa parte"),
        (X + "verificato_il", False, VERIFIED),
        (X + "ultima_modifica", False, MODIFIED),
        (X + "fonti", False, SOURCES),
        (X + "data_fonte", False, SOURCE_DATE),
    ],
    "iniziative": [
        ("id", True, UUID + " (HSDS program)"),
        ("name", True, "titolo"),
        ("alternate_name", True, "altri nomi, separati da ; "),
        ("description", True, "sommario"),
        ("organization_id", True, "id (UUID) del primo ente promotore"),
        (X + "slug", False, SLUG),
        (X + "pagina", False, PAGE),
        (X + "url", False, URL),
        (X + "stato", False, "programmata, in-corso o conclusa"),
        (X + "periodo_dal", False, "inizio: anno, mese o data"),
        (X + "periodo_al", False, "fine: anno, mese o data"),
        (X + "promotori", False, "slug degli enti promotori"),
        (X + "partner", False, "slug degli enti partner"),
        (X + "finanziamento", False, "elenco di {fonte, importo (euro), anno, nota} come scritti nella fonte"),
        (X + "servizi", False, "slug dei servizi collegati"),
        (X + "aree", False, "aree di bisogno"),
        (X + "destinatari", False, "a chi è rivolta"),
        (X + "territorio", False, "dove si svolge"),
        (X + "fonti", False, SOURCES),
        (X + "data_fonte", False, SOURCE_DATE),
        (X + "verificato_il", False, VERIFIED),
        (X + "ultima_modifica", False, MODIFIED),
    ],
}  # fmt: skip

CSV_COLUMNS = [
    "id", "slug", "name", "alternate_name", "status", "organization_id", "url", "pagina", "email",
    "phones", "eligibility_description", "application_process", "fees_description",
    "required_documents", "service_areas", "aree", "destinatari", "data_fonte", "assured_date",
    "last_modified",
]  # fmt: skip


def namespace(config: m.CartaConfig) -> uuid.UUID:
    """The namespace of this Carta's UUIDs: ``uuid_namespace``, else one derived from the
    ambito's name (set ``uuid_namespace`` so that renaming the ambito keeps the ids)."""
    return config.uuid_namespace or uuid.uuid5(DEFAULT_NAMESPACE, config.ambito)


class Ids:
    """Stable UUIDs: ``uuid5(namespace, "servizio/assistenza-domiciliare")``, and for nested
    objects the parent's name and the position (``…/telefono/0``)."""

    def __init__(self, config: m.CartaConfig) -> None:
        self.namespace = namespace(config)

    def __call__(self, kind: str, slug: str, *parts: str | int) -> str:
        name = "/".join([kind, slug, *(str(p) for p in parts)])
        return str(uuid.uuid5(self.namespace, name))


def date_time(day: date) -> str:
    """A day as an RFC 3339 date-time (HSDS ``last_modified``): ``2026-11-23T00:00:00Z``."""
    return f"{day.isoformat()}T00:00:00Z"


def web_address(value: str) -> str:
    """``www.x.it`` → ``https://www.x.it``: an address as written, with a scheme (as the
    pages link it)."""
    return value if "://" in value else "https://" + value


def _compact(record: dict[str, Any]) -> dict[str, Any]:
    """Optional fields left out rather than ``null`` or empty."""
    return {k: v for k, v in record.items() if v is not None and v != [] and v != ""}


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


def _alternate(names: list[str]) -> str | None:
    return "; ".join(names) or None


def _provenance(site: Site, entry: Entry) -> dict[str, Any]:
    """Source ids as cited (never a file name) and the date of the newest one."""
    source = newest(site, entry)
    return {
        "fonti": [f.model_dump(exclude_none=True) for f in entry.meta.fonti],
        "data_fonte": source.doc.data if source else None,
    }


def _page(entry: Entry, urls: Urls) -> dict[str, Any]:
    return {"slug": entry.slug, "pagina": entry.url, "url": urls.absolute_or_none(entry.url)}


def sources_records(site: Site) -> list[dict[str, Any]]:
    """``fonti.json``: the registry of sources, by id."""
    return [
        {"id": key, **doc.model_dump(exclude_none=True)} for key, doc in sorted(site.fonti.items())
    ]


def service_record(
    site: Site, e: Entry, md: Renderer, ids: Ids, updated: date, urls: Urls
) -> dict[str, Any]:
    """A servizio as an HSDS ``service``."""
    s = e.meta
    c = s.contatti
    sid = ids("servizio", e.slug)
    page = _page(e, urls)
    extension = {
        "slug": e.slug,
        "pagina": page["pagina"],
        "stato": s.stato,
        "motivo_stato": s.motivo_stato,
        "costi_tipo": s.costi.tipo,
        "costi_isee": s.costi.isee,
        "accesso_modalita": list(s.accesso.modalita),
        "aree": list(s.aree),
        "destinatari": list(s.destinatari),
        "territorio": list(s.territorio),
        "ente": s.ente,
        "partner": list(s.partner),
        "iniziative": [i.slug for i in e.links.get("iniziative", [])],
        "sommario": e.summary,
        **_provenance(site, e),
    }
    return _compact(
        {
            "id": sid,
            "name": e.title,
            "alternate_name": _alternate(list(s.altri_nomi)),
            "description": md.text(e.intro) or e.summary,
            "url": page["url"],
            "email": c.email[0] if c and c.email else None,
            "status": SERVICE_STATUS[s.stato],
            "organization_id": ids("ente", s.ente) if s.ente else None,
            "eligibility_description": _section(md, e, "a-chi-e-rivolto") or None,
            "application_process": _application(e, md),
            "fees_description": _fees(e, md),
            "assured_date": e.verified.isoformat() if e.verified else None,
            "last_modified": date_time(updated),
            "phones": [
                {"id": ids("servizio", e.slug, "telefono", i), "service_id": sid, "number": t}
                for i, t in enumerate(c.telefono if c else [])
            ],
            "required_documents": [
                {"id": ids("servizio", e.slug, "documento", i), "service_id": sid, "document": d}
                for i, d in enumerate(s.documenti)
            ],
            "service_areas": [
                {
                    "id": ids("servizio", e.slug, "area", t),
                    "service_id": sid,
                    "name": site.place_name(t),
                }
                for t in s.territorio
            ],
            EXTENSION: _compact(extension),
        }
    )


def organization_record(
    site: Site, e: Entry, ids: Ids, updated: date, urls: Urls
) -> dict[str, Any]:
    """An ente as an HSDS ``organization``."""
    x = e.meta
    c = x.contatti
    oid = ids("ente", e.slug)
    website = x.sito or (c.sito if c else None)
    extension = {
        **_page(e, urls),
        "tipo": x.tipo,
        "natura": x.natura,
        "territorio": list(x.territorio),
        "parte_di": x.parte_di,
        "verificato_il": e.verified.isoformat() if e.verified else None,
        "ultima_modifica": date_time(updated),
        **_provenance(site, e),
    }
    return _compact(
        {
            "id": oid,
            "name": e.title,
            "alternate_name": _alternate([*([x.sigla] if x.sigla else []), *x.altri_nomi]),
            "description": e.summary,
            "website": web_address(website) if website else None,
            "email": c.email[0] if c and c.email else None,
            "parent_organization_id": ids("ente", x.parte_di) if x.parte_di else None,
            "phones": [
                {"id": ids("ente", e.slug, "telefono", i), "organization_id": oid, "number": t}
                for i, t in enumerate(c.telefono if c else [])
            ],
            EXTENSION: _compact(extension),
        }
    )


def program_record(site: Site, e: Entry, ids: Ids, updated: date, urls: Urls) -> dict[str, Any]:
    """An iniziativa as an HSDS ``program``."""
    i = e.meta
    extension = {
        **_page(e, urls),
        "stato": i.stato,
        "periodo_dal": i.periodo.dal if i.periodo else None,
        "periodo_al": i.periodo.al if i.periodo else None,
        "promotori": list(i.promotori),
        "partner": list(i.partner),
        "finanziamento": [f.model_dump(exclude_none=True) for f in i.finanziamento],
        "servizi": [s.slug for s in e.links.get("servizi", [])],
        "aree": list(i.aree),
        "destinatari": list(i.destinatari),
        "territorio": list(i.territorio),
        **_provenance(site, e),
        "verificato_il": e.verified.isoformat() if e.verified else None,
        "ultima_modifica": date_time(updated),
    }
    return _compact(
        {
            "id": ids("iniziativa", e.slug),
            "organization_id": ids("ente", i.promotori[0]),
            "name": e.title,
            "alternate_name": _alternate(list(i.altri_nomi)),
            "description": e.summary,
            EXTENSION: _compact(extension),
        }
    )


def records(
    site: Site, md: Renderer, updated: Callable[[Entry], date], urls: Urls
) -> dict[str, list[dict[str, Any]]]:
    """``servizi``, ``enti`` and ``iniziative`` as lists of plain dicts, sorted by slug."""
    ids = Ids(site.config)
    return {
        "servizi": [
            service_record(site, e, md, ids, updated(e), urls) for e in site.servizi.values()
        ],
        "enti": [organization_record(site, e, ids, updated(e), urls) for e in site.enti.values()],
        "iniziative": [
            program_record(site, e, ids, updated(e), urls) for e in site.iniziative.values()
        ],
    }


def to_json(rows: Any) -> str:
    return json.dumps(rows, ensure_ascii=False, indent=1, allow_nan=False) + "\n"


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "; ".join(_cell(next(iter(v.values())) if isinstance(v, dict) else v) for v in value)
    return str(value)


#: nested HSDS lists → the one value of each item the CSV shows
CSV_NESTED = {"phones": "number", "required_documents": "document", "service_areas": "name"}


def csv_row(record: dict[str, Any]) -> dict[str, Any]:
    """A service record flattened to ``CSV_COLUMNS``: the Carta's fields taken out of
    ``estensione_carta``, nested lists reduced to their number, document or place name."""
    flat = {**record.get(EXTENSION, {}), **record}
    for key, value_key in CSV_NESTED.items():
        flat[key] = [item[value_key] for item in flat.get(key, [])]
    return {c: flat.get(c) for c in CSV_COLUMNS}


_NUMBER_RE = re.compile(r"^[+-]?(?:[0-9]+(?:[.,][0-9]+)?|[.,][0-9]+)(?:[eE][+-]?[0-9]+)?$")


def neutralise(cell: str) -> str:
    """A text cell that a spreadsheet would run as a formula gets a leading ``'`` (OWASP,
    "CSV Injection"): cells starting with ``=``, ``@``, tab or carriage return, and with
    ``+`` or ``-`` unless they are a number or a phone number."""
    if not cell:
        return cell
    if cell[0] in "=@\t\r" or (
        cell[0] in "+-" and not (_NUMBER_RE.match(cell) or m.PHONE_RE.match(cell))
    ):
        return "'" + cell
    return cell


def services_csv(rows: list[dict[str, Any]]) -> str:
    """One row per service; lists joined with ``; `` (for phones, documents and areas: the
    number, the document, the place name). Cells are passed through :func:`neutralise`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in map(csv_row, rows):
        writer.writerow([neutralise(_cell(row[c])) for c in CSV_COLUMNS])
    return buffer.getvalue()


# --- the data package (Frictionless) and the catalogue (DCAT-AP_IT) ----------------------------

#: CSV column → Table Schema field (type, format, constraints) and description
CSV_SCHEMA: dict[str, dict[str, Any]] = {
    "id": {"type": "string", "format": "uuid", "constraints": {"required": True, "unique": True}},
    "slug": {
        "type": "string",
        "constraints": {"required": True, "unique": True, "pattern": m.SLUG_PATTERN[1:-1]},
    },
    "name": {"type": "string", "constraints": {"required": True}},
    "alternate_name": {"type": "string"},
    "status": {
        "type": "string",
        "constraints": {"required": True, "enum": sorted(set(SERVICE_STATUS.values()))},
    },
    "organization_id": {"type": "string", "format": "uuid"},
    "url": {"type": "string", "format": "uri"},
    "pagina": {"type": "string", "constraints": {"required": True}},
    "email": {"type": "string", "format": "email"},
    "phones": {"type": "string"},
    "eligibility_description": {"type": "string"},
    "application_process": {"type": "string"},
    "fees_description": {"type": "string"},
    "required_documents": {"type": "string"},
    "service_areas": {"type": "string"},
    "aree": {"type": "string", "constraints": {"required": True}},
    "destinatari": {"type": "string", "constraints": {"required": True}},
    "data_fonte": {"type": "string"},
    "assured_date": {"type": "date"},
    "last_modified": {"type": "datetime", "constraints": {"required": True}},
}


def _meaning(column: str) -> str:
    for name, _, meaning in FIELDS["servizi"]:
        if name in (column, X + column):
            return meaning
    raise KeyError(column)


def datapackage(site: Site) -> dict[str, Any]:
    """``datapackage.json``: ``servizi.csv`` described as a Frictionless tabular data resource."""
    licence = site.config.dati_aperti.licenza
    name, address, _ = m.LICENCES[licence]
    fields = [
        {
            "name": c,
            **CSV_SCHEMA[c],
            "description": _meaning(c)
            + (
                " (più valori separati da ; )"
                if c
                in (
                    "alternate_name",
                    "phones",
                    "required_documents",
                    "service_areas",
                    "aree",
                    "destinatari",
                )
                else ""
            ),
        }
        for c in CSV_COLUMNS
    ]
    return {
        "profile": "tabular-data-package",
        "name": "carta-servizi",
        "title": f"{site.config.titolo}: i servizi",
        "licenses": [{"name": licence, "path": address, "title": name}],
        "resources": [
            {
                "name": "servizi",
                "path": "servizi.csv",
                "profile": "tabular-data-resource",
                "title": "I servizi della Carta, una riga per servizio",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "dialect": {"delimiter": ",", "lineTerminator": "\r\n", "header": True},
                "schema": {"fields": fields, "primaryKey": ["id"], "missingValues": [""]},
            }
        ],
    }


EU = "http://publications.europa.eu/resource/authority/"
DCAT_CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dcatapit": "http://dati.gov.it/onto/dcatapit#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
#: dataset → (title, description, files as (name, EU file type, media type))
DATASETS: dict[str, tuple[str, str, list[tuple[str, str, str]]]] = {
    "servizi": (
        "Servizi sociali e sociosanitari",
        "I servizi della Carta: a chi sono rivolti, come si accede, costi, dove sono "
        "disponibili, da quali documenti vengono le informazioni (Open Referral HSDS 3.0).",
        [("servizi.json", "JSON", "application/json"), ("servizi.csv", "CSV", "text/csv")],
    ),
    "enti": (
        "Enti",
        "Gli enti pubblici e del privato sociale che offrono i servizi o promuovono le "
        "iniziative (Open Referral HSDS 3.0, organization).",
        [("enti.json", "JSON", "application/json")],
    ),
    "iniziative": (
        "Iniziative, progetti e piani",
        "Le iniziative del territorio con periodo, promotori e finanziamenti come scritti "
        "nelle fonti (Open Referral HSDS 3.0, program).",
        [("iniziative.json", "JSON", "application/json")],
    ),
    "osservatorio": (
        "La Carta in numeri",
        "Quanti servizi e iniziative per area di bisogno, destinatari e territorio, i "
        "finanziamenti per fonte e anno, l'età delle informazioni: i numeri della pagina "
        "/osservatorio/, calcolati dalle schede.",
        [("osservatorio.json", "JSON", "application/json"), ("osservatorio.csv", "CSV", "text/csv")],
    ),
}  # fmt: skip


def _text(value: str) -> dict[str, str]:
    return {"@value": value, "@language": "it"}


def _day(value: date) -> dict[str, str]:
    return {"@value": value.isoformat(), "@type": "xsd:date"}


def catalogue(site: Site, modified: dict[str, date | None], urls: Urls) -> dict[str, Any]:
    """``catalogo.jsonld``: the datasets in DCAT-AP_IT (JSON-LD), for dati.gov.it.

    ``modified``: dataset → date of its newest change. Without ``url_base`` the addresses are
    relative, which JSON-LD resolves against the file's own address (``/dati/catalogo.jsonld``).
    """
    c = site.config
    pub = c.dati_aperti
    here = urls.absolute_or_none("/dati/") or "./"
    agent: dict[str, Any] = {"@type": ["dcatapit:Agent", "foaf:Agent"]}
    if pub.titolare:
        agent["foaf:name"] = _text(pub.titolare)
    if pub.codice_ipa:
        agent["dct:identifier"] = pub.codice_ipa
    contact: dict[str, Any] | None = None
    if pub.contatto:
        contact = {
            "@type": ["dcatapit:Organization", "vcard:Organization"],
            "vcard:fn": pub.contatto,
        }
        if pub.email_contatto:
            contact["vcard:hasEmail"] = {"@id": f"mailto:{pub.email_contatto}"}
    licence_name, licence_url, licence_type = m.LICENCES[pub.licenza]
    licence = {
        "@id": licence_url,
        "@type": ["dct:LicenseDocument", "dcatapit:LicenseDocument"],
        "dct:type": {"@id": licence_type},
        "foaf:name": _text(licence_name),
    }
    ns = namespace(c)
    datasets = []
    newest_of_all = max((d for d in modified.values() if d), default=None)
    for key, (title, description, files) in DATASETS.items():
        local = str(uuid.uuid5(ns, f"dataset/{key}"))
        dataset: dict[str, Any] = {
            "@id": f"{here}#{key}",
            "@type": ["dcat:Dataset", "dcatapit:Dataset"],
            "dct:identifier": f"{pub.codice_ipa}:{local}" if pub.codice_ipa else local,
            "dct:title": _text(f"{title} — {c.titolo}"),
            "dct:description": _text(description),
            "dcat:theme": {"@id": EU + "data-theme/SOCI"},
            "dct:accrualPeriodicity": {"@id": EU + "frequency/IRREG"},
            "dct:language": {"@id": EU + "language/ITA"},
            "dcat:keyword": ["servizi sociali", "welfare", c.ambito],
            "dct:rightsHolder": agent,
            "dct:publisher": agent,
            "dcat:landingPage": {"@id": here},
            "dcat:distribution": [
                {
                    "@id": f"{here}{name}",
                    "@type": ["dcat:Distribution", "dcatapit:Distribution"],
                    "dct:title": _text(name),
                    "dct:description": _text(f"{title}: file {kind}"),
                    "dct:format": {"@id": EU + "file-type/" + kind},
                    "dcat:mediaType": media,
                    "dcat:accessURL": {"@id": f"{here}{name}"},
                    "dcat:downloadURL": {"@id": f"{here}{name}"},
                    "dct:license": licence,
                }
                for name, kind, media in files
            ],
        }
        day = modified.get(key) or newest_of_all
        if day:
            dataset["dct:modified"] = _day(day)
        if contact:
            dataset["dcat:contactPoint"] = contact
        datasets.append(dataset)
    catalog: dict[str, Any] = {
        "@context": DCAT_CONTEXT,
        "@id": f"{here}catalogo.jsonld",
        "@type": ["dcat:Catalog", "dcatapit:Catalog"],
        "dct:title": _text(f"Dati aperti — {c.titolo}"),
        "dct:description": _text(
            f"I dati aperti della {c.titolo} ({c.ambito}): servizi, enti, iniziative e i numeri "
            "che li riassumono."
        ),
        "dct:publisher": agent,
        "dct:language": {"@id": EU + "language/ITA"},
        "foaf:homepage": {"@id": urls.absolute_or_none("/") or "../"},
        "dcat:dataset": datasets,
    }
    if newest_of_all:
        catalog["dct:modified"] = _day(newest_of_all)
    return catalog


def files(
    site: Site, md: Renderer, updated: Callable[[Entry], date], urls: Urls
) -> tuple[dict[str, list[dict[str, Any]]], dict[str, str]]:
    """The records, and every file of ``/dati/`` but the Osservatorio's: path → text."""
    rows = records(site, md, updated, urls)
    modified: dict[str, date | None] = {
        kind.opendata: max((updated(e) for e in site.entries_of(kind.name).values()), default=None)
        for kind in with_opendata()
        if kind.opendata
    }
    out = {f"/dati/{name}.json": to_json(items) for name, items in rows.items()}
    out["/dati/fonti.json"] = to_json(sources_records(site))
    out["/dati/servizi.csv"] = services_csv(rows["servizi"])
    out["/dati/datapackage.json"] = to_json(datapackage(site))
    out["/dati/catalogo.jsonld"] = to_json(catalogue(site, modified, urls))
    return rows, out
