"""What is searchable: one search document per entry, built from the resolved site.

The same documents feed the Whoosh index and the browser export, so both runtimes see the
same words in the same fields.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..kinds import KINDS, search_tipi
from ..markup import Renderer
from ..resolve import available_in
from ..site import Entry, Site
from .analysis import key, term_of, tokens

#: scored text fields and their weights (BM25F field boosts), in a fixed order
FIELDS: dict[str, float] = {
    "titolo": 3.0,
    "parole": 2.0,
    "sommario": 1.5,
    "testo": 1.0,
    "ente": 1.0,
    "luoghi": 1.0,
}
#: filter fields
FACETS = ("tipo", "aree", "destinatari", "territorio", "costo")
EXTRACT_CHARS = 400


@dataclass
class SearchDoc:
    slug: str
    tipo: str
    titolo: str
    sommario: str
    url: str
    text: dict[str, str]
    facets: dict[str, list[str]]
    extract: str = ""
    comuni: list[str] = field(default_factory=list)  # expanded: where it is available


def build_documents(site: Site, md: Renderer | None = None) -> list[SearchDoc]:
    """Documents in a stable order: services first, then initiatives, enti, pages; by title."""
    md = md or Renderer()
    synonym_targets = _synonym_targets(site)
    entries = sorted(
        site.all_entries(), key=lambda e: (KINDS[e.kind].search_position, *e.sort_key())
    )
    return [_document(site, e, md, synonym_targets) for e in entries]


def _names(entries: list[Entry]) -> str:
    return " ".join(f"{e.title} {e.meta.sigla or ''}".strip() for e in entries)


def _document(
    site: Site, entry: Entry, md: Renderer, synonyms: list[tuple[str, list[set[str]]]]
) -> SearchDoc:
    meta = entry.meta
    if entry.kind == "servizio":  # the parts the pages rendered, so nothing is converted twice
        body = " ".join(
            t for t in [md.text(entry.intro), *(md.text(s.markdown) for s in entry.sections)] if t
        )
    else:
        body = md.text(entry.body)
    extra: list[str] = []
    facets: dict[str, list[str]] = {"tipo": [entry.kind]}
    facets["aree"] = list(getattr(meta, "aree", []))
    facets["destinatari"] = list(getattr(meta, "destinatari", []))
    territorio = list(getattr(meta, "territorio", []))
    facets["territorio"] = territorio
    costo: list[str] = []
    ente_names = ""
    if entry.kind == "servizio":
        extra += [meta.accesso.dove, *meta.documenti, *meta.normativa]
        if meta.costi.descrizione:
            extra.append(meta.costi.descrizione)
        if meta.costi.tipo == "gratuito":
            costo.append("gratuito")
        if meta.costi.isee:
            costo.append("isee")
        ente_names = _names(entry.links["ente"] + entry.links["partner"])
    elif entry.kind == "iniziativa":
        ente_names = _names(entry.links["promotori"] + entry.links["partner"])
    elif entry.kind == "ente":
        ente_names = _names(entry.links["parte_di"])
    facets["costo"] = costo
    keywords = list(getattr(meta, "parole_chiave", []))
    if entry.kind == "ente" and meta.sigla:
        keywords.append(meta.sigla)
    own_terms = _terms(" ".join([entry.title, entry.summary, *keywords]))
    keywords += [key for key, groups in synonyms if any(g <= own_terms for g in groups)]
    places = [site.place_name(p) for p in territorio]
    text = {
        "titolo": " ; ".join([entry.title, *getattr(meta, "altri_nomi", [])]),
        "parole": " ; ".join(keywords),
        "sommario": entry.summary,
        "testo": " ".join([body, *extra]),
        "ente": ente_names,
        "luoghi": " ; ".join(places),
    }
    extract = " ".join(part for part in (entry.summary, body) if part)[:EXTRACT_CHARS]
    return SearchDoc(
        slug=entry.slug,
        tipo=entry.kind,
        titolo=entry.title,
        sommario=entry.summary,
        url=entry.url,
        text=text,
        facets=facets,
        extract=extract,
        comuni=[c for c in site.territorio.comuni if territorio and available_in(site, entry, c)],
    )


def _terms(text: str) -> set[str]:
    return {t for w, _, _ in tokens(text) if (t := term_of(w))}


def _synonym_targets(site: Site) -> list[tuple[str, list[set[str]]]]:
    """Each everyday word with the term sets of its targets (``badante`` → {assistent, domicil})."""
    out = []
    for everyday, targets in sorted(site.sinonimi.items()):
        groups = [g for g in (_terms(t) for t in targets) if g]
        if groups:
            out.append((everyday, groups))
    return out


def display_word(words: set[str]) -> str:
    """The form to show for a folded word: an accented spelling wins (``disabilità``)."""
    return sorted(words, key=lambda w: (w == key(w), w))[0]


def filter_labels(site: Site) -> dict[str, dict[str, str]]:
    """Value → label of each filter, as shown in the search form."""
    return {
        "tipo": {k.name: k.plural_label for k in search_tipi()},
        # the label of one result's kind («Servizio»), read by cerca.js from the manifest
        "tipo_scheda": {k.name: k.label for k in search_tipi()},
        "aree": {k: v.nome for k, v in site.aree.items()},
        "destinatari": {k: v.nome for k, v in site.destinatari.items()},
        "comuni": {k: v.nome for k, v in site.territorio.comuni.items()},
        # "Solo servizi gratuiti" is offered only when some service is free
        "costo": (
            {"gratuito": "Solo servizi gratuiti"}
            if any(e.meta.costi.tipo == "gratuito" for e in site.servizi.values())
            else {}
        ),
    }
