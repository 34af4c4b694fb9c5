"""``carta schema``: the JSON Schema of the content model, for editors and pre-commit hooks.

Draft-07 compatible (``definitions`` rather than ``$defs``) so that yaml-language-server and
check-jsonschema accept it.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import TypeAdapter

from . import model as m
from .kinds import KINDS

#: the data files: name → (model, title)
DATA_FILES: dict[str, tuple[Any, str]] = {
    "carta": (m.CartaConfig, "carta.yaml"),
    "aree": (m.Vocabolario, "aree.yaml"),
    "destinatari": (m.Vocabolario, "destinatari.yaml"),
    "territorio": (m.Territorio, "territorio.yaml"),
    "sinonimi": (m.Sinonimi, "sinonimi.yaml"),
    "fonti": (m.Fonti, "fonti.yaml"),
}


def schema_kinds() -> dict[str, tuple[Any, str]]:
    """Every schema: the entry kinds of the registry, their translations
    (``servizio-traduzione``, …), then the data files (model, title)."""
    entries = {
        k.name: (k.model, f"{k.label} (content/{k.folder}/*.md, intestazione)")
        for k in KINDS.values()
    }
    translations = {
        f"{k.name}-traduzione": (
            k.translation_model,
            f"Traduzione: {k.singular} (content/{k.folder}/*.<lingua>.md, intestazione)",
        )
        for k in KINDS.values()
        if k.translation_model is not None
    }
    return {**entries, **translations, **DATA_FILES}


def schema_for(kind: str) -> dict[str, Any]:
    model, title = schema_kinds()[kind]
    adapter = TypeAdapter(model)
    schema = adapter.json_schema(ref_template="#/definitions/{model}", mode="validation")
    if "$defs" in schema:
        schema["definitions"] = schema.pop("$defs")
    schema = {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": title,
        **{k: v for k, v in schema.items() if k != "title"},
    }
    return schema


def all_schemas() -> dict[str, Any]:
    return {kind: schema_for(kind) for kind in schema_kinds()}


def dumps(kind: str | None) -> str:
    data = schema_for(kind) if kind else all_schemas()
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True, allow_nan=False) + "\n"
