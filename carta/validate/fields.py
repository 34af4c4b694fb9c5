"""Fields and models: every entry and data file against its pydantic model, with the
errors in Italian; the territory; one file per slug."""

from __future__ import annotations

import difflib
import re
import typing
from typing import Annotated, Any

from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic_core import ErrorDetails

from .. import markup
from .. import model as m
from ..kinds import KINDS
from ..loader import RawContent, RawData, RawEntry
from ..site import Entry
from .bodies import check_body, split_sections
from .problems import Problems, Where
from .suggestions import suggestion

# --- pydantic errors in Italian ---------------------------------------------------------------


def _kind_of(value: Any) -> str:
    if value is None:
        return "nessun valore"
    if isinstance(value, bool):
        return f"il valore logico {str(value).lower()}"
    if isinstance(value, int | float):
        return f"il numero {value}"
    if isinstance(value, str):
        return f"il testo {value!r}"
    if isinstance(value, list):
        return "una lista"
    if isinstance(value, dict):
        return "un gruppo di chiavi"
    return type(value).__name__


def _unwrap_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _unwrap_model(arg)
        if found is not None:
            return found
    return None


def _model_at(root: type[BaseModel] | None, loc: tuple[str | int, ...]) -> type[BaseModel] | None:
    current = root
    for part in loc:
        if current is None:
            return None
        if isinstance(part, int):
            continue
        info = current.model_fields.get(part)
        if info is None:
            return None
        current = _unwrap_model(info.annotation)
    return current


def translate(error: ErrorDetails, root: type[BaseModel] | None) -> tuple[str, bool]:
    """Italian message for one pydantic error, and whether it points at the key."""
    kind = error["type"]
    value = error.get("input")
    ctx = error.get("ctx") or {}
    loc = tuple(error["loc"])
    if kind == "missing":
        return "chiave obbligatoria mancante", False
    if kind == "extra_forbidden":
        parent = _model_at(root, loc[:-1])
        allowed = list(parent.model_fields) if parent else []
        hint = suggestion(str(loc[-1]), allowed)
        if not hint and allowed:
            hint = f" (chiavi ammesse: {', '.join(allowed)})"
        return f"chiave sconosciuta{hint}", True
    if kind == "literal_error":
        allowed = re.findall(r"'([^']*)'", ctx.get("expected", ""))
        return (
            f"valore {value!r} non ammesso: attesi {', '.join(allowed)}{suggestion(value, allowed)}",
            False,
        )
    if kind in ("string_type",):
        return f"atteso un testo, trovato {_kind_of(value)}", False
    if kind in ("list_type",):
        return f"attesa una lista, trovato {_kind_of(value)}", False
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return f"atteso un gruppo di chiavi (chiave: valore), trovato {_kind_of(value)}", False
    if kind in ("bool_type", "bool_parsing"):
        return f"atteso true o false, trovato {_kind_of(value)}", False
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"atteso un numero intero, trovato {_kind_of(value)}", False
    if kind in ("float_type", "float_parsing"):
        return f"atteso un numero (con il punto per i decimali), trovato {_kind_of(value)}", False
    if kind == "finite_number":
        return (
            "numero non valido (infinito o troppo grande): scrivi la cifra, ad esempio 12500.50",
            False,
        )
    if kind in ("too_short", "string_too_short"):
        if isinstance(value, list) and not value:
            return "la lista è vuota: serve almeno un valore", False
        return f"servono almeno {ctx.get('min_length')} valori", False
    if kind in ("too_long", "string_too_long"):
        if isinstance(value, str):
            return (
                f"testo troppo lungo: {len(value)} caratteri, al massimo {ctx.get('max_length')}",
                False,
            )
        return f"troppi valori: al massimo {ctx.get('max_length')}", False
    if kind in ("greater_than_equal", "greater_than"):
        return f"valore {value!r} troppo piccolo: minimo {ctx.get('ge', ctx.get('gt'))}", False
    if kind in ("less_than_equal", "less_than"):
        return f"valore {value!r} troppo grande: massimo {ctx.get('le', ctx.get('lt'))}", False
    if kind == "string_pattern_mismatch":
        if ctx.get("pattern") == m.SLUG_PATTERN:
            from ..loader import suggest_slug

            return (
                f"identificativo non valido {value!r}: usa lettere minuscole, cifre e trattini "
                f"(ad esempio {suggest_slug(str(value))!r})",
                False,
            )
        return f"valore {value!r} non nel formato atteso", False
    if kind == "value_error":
        exc = ctx.get("error")
        return (str(exc) if exc else error["msg"]), False
    return error["msg"], False


_ADAPTERS: dict[Any, TypeAdapter[Any]] = {}


def _adapter(model: Any) -> TypeAdapter[Any]:
    if model not in _ADAPTERS:
        _ADAPTERS[model] = TypeAdapter(model)
    return _ADAPTERS[model]


def check_model(model: Any, data: Any, src: Where, problems: Problems) -> Any | None:
    """Validate ``data`` against ``model`` (a class or a type); record every error."""
    try:
        return _adapter(model).validate_python(data)
    except ValidationError as exc:
        root = model if isinstance(model, type) and issubclass(model, BaseModel) else None
        errors = exc.errors()
        # a misspelt key is one mistake, not two: "sommaro" unknown + "sommario" missing
        misspelt = set()
        for error in errors:
            if error["type"] == "extra_forbidden":
                loc = tuple(error["loc"])
                parent = _model_at(root, loc[:-1])
                if parent is not None:
                    close = difflib.get_close_matches(
                        str(loc[-1]), list(parent.model_fields), n=1, cutoff=0.6
                    )
                    if close:
                        misspelt.add(loc[:-1] + (close[0],))
        for error in errors:
            loc = tuple(error["loc"])
            if error["type"] == "missing" and loc in misspelt:
                continue
            message, at_key = translate(error, root)
            if error["type"] == "missing":
                # point at the mapping the key is missing from
                mapping = loc[:-1]
                at = src.where(mapping, key=True) if mapping else (1, 1)
                problems.add(src, loc, message, at=at)
            else:
                problems.add(src, loc, message, key=at_key)
        return None


class Partial:
    """The fields of an entry that passed validation, when others did not: enough for the
    reference and date checks to run in the same pass, so that one run shows every mistake.
    A field that is missing or wrong reads as ``None`` (or ``[]`` for a list)."""

    def __init__(self, model: type[BaseModel], values: dict[str, Any]) -> None:
        self._model = model
        self.__dict__.update(values)

    def __getattr__(self, name: str) -> Any:
        info = self._model.model_fields.get(name)
        if info is None:
            raise AttributeError(name)
        return [] if typing.get_origin(info.annotation) is list else None


def partial(model: type[BaseModel], data: Any) -> Partial:
    """Validate each top-level field of ``data`` on its own; keep those that pass."""
    values: dict[str, Any] = {}
    if isinstance(data, dict):
        for name, info in model.model_fields.items():
            if name not in data:
                continue
            adapter = _adapter(Annotated[info.annotation, info])
            try:
                values[name] = adapter.validate_python(data[name])
            except ValidationError:
                continue
    return Partial(model, values)


DATA_MODELS: dict[str, Any] = {
    "carta.yaml": m.CartaConfig,
    "aree.yaml": m.Vocabolario,
    "destinatari.yaml": m.Vocabolario,
    "territorio.yaml": m.Territorio,
    "sinonimi.yaml": m.Sinonimi,
    "fonti.yaml": m.Fonti,
}


#: data files that may be missing: an empty mapping then
OPTIONAL_DATA = ("sinonimi.yaml", "fonti.yaml")


def check_data_files(raw: RawContent, problems: Problems) -> dict[str, Any]:
    """Each data file validated on its own: a broken one is ``None``, the others still count."""
    results: dict[str, Any] = {}
    for name, model in DATA_MODELS.items():
        src = raw.data.get(name)
        if src is None:
            results[name] = {} if name in OPTIONAL_DATA else None
            continue
        if name in ("aree.yaml", "destinatari.yaml") and not src.data:
            problems.add(src, (), "il file non definisce nessuna voce", at=(1, 1))
            results[name] = None
            continue
        results[name] = check_model(model, src.data, src, problems)
    if results["territorio.yaml"] is not None:
        check_territory(results["territorio.yaml"], raw.data["territorio.yaml"], problems)
    return results


def check_territory(t: m.Territorio, src: RawData, problems: Problems) -> None:
    if m.WHOLE_DISTRICT in t.comuni or m.WHOLE_DISTRICT in t.sub_ambiti:
        section = "comuni" if m.WHOLE_DISTRICT in t.comuni else "sub_ambiti"
        problems.add(
            src,
            (section, m.WHOLE_DISTRICT),
            f"l'id '{m.WHOLE_DISTRICT}' è riservato all'intero ambito",
            key=True,
        )
    owner: dict[str, str] = {}
    for sub_id, sub in t.sub_ambiti.items():
        if sub_id in t.comuni:
            problems.add(
                src, ("sub_ambiti", sub_id), f"'{sub_id}' è già l'id di un comune", key=True
            )
        for i, comune in enumerate(sub.comuni):
            where = ("sub_ambiti", sub_id, "comuni", i)
            if comune not in t.comuni:
                problems.add(
                    src,
                    where,
                    f"{comune!r} non è un comune definito in 'comuni'{suggestion(comune, t.comuni)}",
                )
            elif comune in owner:
                problems.add(
                    src, where, f"il comune {comune!r} è già nel sub-ambito {owner[comune]!r}"
                )
            else:
                owner[comune] = sub_id


def check_entries(raw: RawContent, problems: Problems) -> list[tuple[Entry, RawEntry]]:
    out: list[tuple[Entry, RawEntry]] = []
    for src in raw.entries:
        meta = check_model(KINDS[src.kind].model, src.data, src, problems)
        for offset, message in markup.check(src.body):
            problems.add(src, (), message, at=(src.body_line + offset, 1))
        for offset, line in enumerate(src.body.split("\n")):
            if m.PLACEHOLDER in line:
                column = line.index(m.PLACEHOLDER) + 1
                problems.add(src, (), m.PLACEHOLDER_MESSAGE, at=(src.body_line + offset, column))
        intro, sections, h1 = split_sections(src.body, src.body_line)
        if meta is None:
            # still check the body, the references and the dates of the fields that are
            # right, so that every mistake of the file is reported in the same run
            probe = Entry(
                src.kind,
                src.slug,
                src.path,
                partial(KINDS[src.kind].model, src.data),
                src.body,
                src.body_line,
                intro,
                sections,
            )
            check_body(probe, src, h1, problems)
            out.append((probe, src))
            continue
        entry = Entry(src.kind, src.slug, src.path, meta, src.body, src.body_line, intro, sections)
        check_body(entry, src, h1, problems)
        if src.kind == "servizio" and meta.stato != "attivo" and not meta.motivo_stato:
            problems.add(
                src,
                ("motivo_stato",),
                f"obbligatorio quando lo stato è {meta.stato!r}: spiega perché",
                at=src.where(("stato",), key=True),
            )
        out.append((entry, src))
    return out


def check_unique_slugs(raws: list[RawEntry], problems: Problems) -> None:
    first: dict[str, RawEntry] = {}
    for src in raws:
        if src.slug in first:
            other = first[src.slug]
            problems.add(
                src.path,
                (),
                f"il nome {src.slug!r} è già usato da {other.path}: ogni scheda deve avere un nome "
                "diverso, rinomina uno dei due file",
            )
        else:
            first[src.slug] = src
