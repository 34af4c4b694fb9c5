"""``carta schema``: the JSON Schema of the content model, for editors and pre-commit hooks.

Draft-07 compatible (``definitions`` rather than ``$defs``) so that yaml-language-server and
check-jsonschema accept it.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import TypeAdapter

from . import model as m

SCHEMA_KINDS: dict[str, Any] = {
    **m.ENTRY_MODELS,
    "carta": m.CartaConfig,
    "aree": m.Vocabolario,
    "destinatari": m.Vocabolario,
    "territorio": m.Territorio,
    "sinonimi": m.Sinonimi,
    "fonti": m.Fonti,
}

TITLES = {
    "servizio": "Servizio (content/servizi/*.md, intestazione)",
    "ente": "Ente (content/enti/*.md, intestazione)",
    "iniziativa": "Iniziativa (content/iniziative/*.md, intestazione)",
    "pagina": "Pagina (content/pagine/*.md, intestazione)",
    "carta": "carta.yaml",
    "aree": "aree.yaml",
    "destinatari": "destinatari.yaml",
    "territorio": "territorio.yaml",
    "sinonimi": "sinonimi.yaml",
    "fonti": "fonti.yaml",
}


def schema_for(kind: str) -> dict[str, Any]:
    adapter = TypeAdapter(SCHEMA_KINDS[kind])
    schema = adapter.json_schema(ref_template="#/definitions/{model}", mode="validation")
    if "$defs" in schema:
        schema["definitions"] = schema.pop("$defs")
    schema = {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": TITLES[kind],
        **{k: v for k, v in schema.items() if k != "title"},
    }
    return schema


def all_schemas() -> dict[str, Any]:
    return {kind: schema_for(kind) for kind in SCHEMA_KINDS}


def dumps(kind: str | None) -> str:
    data = schema_for(kind) if kind else all_schemas()
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
