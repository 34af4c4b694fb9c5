"""Stage 2: raw entries → a validated :class:`~carta.site.Site`, or every problem at once.

Each check appends to one list; nothing short-circuits, so an editor sees all mistakes in a
single run. Messages are Italian and say what arrived, what was expected and, for near
misses, what was probably meant.
"""

from __future__ import annotations

import difflib
import re
import typing
from collections.abc import Iterable
from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic_core import ErrorDetails

from . import markup
from . import model as m
from .errors import ContentError, Severity
from .kinds import KINDS
from .loader import RawContent, RawData, RawEntry
from .site import Entry, Section, Site, fold, slugify
from .sources import months_before, partial_date_end

Where = RawEntry | RawData


class Problems:
    """Collects problems for one run."""

    def __init__(self) -> None:
        self.items: list[ContentError] = []

    def add(
        self,
        src: Where | str,
        path: tuple[str | int, ...],
        message: str,
        *,
        key: bool = False,
        severity: Severity = "error",
        at: tuple[int, int] | None = None,
    ) -> None:
        if isinstance(src, str):
            shown, (line, col) = src, at or (0, 0)
        else:
            shown = src.path
            line, col = at or src.where(path, key=key)
        self.items.append(ContentError(shown, line, col, field_name(path), message, severity))


def field_name(path: Iterable[str | int]) -> str:
    return ".".join(str(p) for p in path if not isinstance(p, int))


def suggestion(value: object, candidates: Iterable[str]) -> str:
    """`` (forse 'anziani'?)`` for the closest candidate, or ``""``."""
    if not isinstance(value, str):
        return ""
    pool = list(candidates)
    by_fold = {fold(c): c for c in pool}
    close = difflib.get_close_matches(fold(value), list(by_fold), n=1, cutoff=0.6)
    return f" (forse {by_fold[close[0]]!r}?)" if close else ""


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
            from .loader import suggest_slug

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


# --- bodies -----------------------------------------------------------------------------------

_FENCE = re.compile(r"^\s*(```|~~~)")
_ATX = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")


def split_sections(body: str, first_line: int) -> tuple[str, list[Section], list[tuple[int, str]]]:
    """Split a body on ``##`` headings. Returns intro, sections and the ``#`` headings found."""
    intro: list[str] = []
    sections: list[Section] = []
    h1: list[tuple[int, str]] = []
    current: list[str] = intro
    heading: tuple[str, int] | None = None
    in_fence = False

    def close() -> None:
        if heading is not None:
            title, line = heading
            anchor = m.SERVICE_SECTIONS.get(title) or _anchor(title)
            sections.append(Section(title, anchor, "\n".join(current).strip("\n"), line))

    for offset, line in enumerate(body.split("\n")):
        if _FENCE.match(line):
            in_fence = not in_fence
        match = None if in_fence else _ATX.match(line)
        if match and len(match.group(1)) == 1:
            h1.append((first_line + offset, match.group(2)))
        if match and len(match.group(1)) == 2:
            close()
            heading = (re.sub(r"\s+", " ", match.group(2)), first_line + offset)
            current = []
            continue
        current.append(line)
    close()
    return "\n".join(intro).strip("\n"), sections, h1


def _anchor(title: str) -> str:
    return slugify(title) or "sezione"


def check_body(entry: Entry, src: RawEntry, h1: list[tuple[int, str]], problems: Problems) -> None:
    for line, text in h1:
        problems.add(
            src,
            (),
            f"titolo di primo livello '# {text}' non ammesso: il titolo della pagina è già "
            "nell'intestazione, usa '## ' per le sezioni",
            at=(line, 1),
        )
    if entry.kind != "servizio":
        return
    order = list(m.SERVICE_SECTIONS)
    seen: dict[str, int] = {}
    last = -1
    for section in entry.sections:
        if section.heading not in m.SERVICE_SECTIONS:
            problems.add(
                src,
                (),
                f"sezione sconosciuta '## {section.heading}'{suggestion(section.heading, order)}: "
                f"le sezioni ammesse sono {', '.join(order)}",
                at=(section.line, 1),
            )
            continue
        if section.heading in seen:
            problems.add(
                src,
                (),
                f"sezione '## {section.heading}' ripetuta (già alla riga {seen[section.heading]})",
                at=(section.line, 1),
            )
            continue
        seen[section.heading] = section.line
        position = order.index(section.heading)
        if position < last:
            problems.add(
                src,
                (),
                f"sezione '## {section.heading}' fuori ordine: va prima di '## {order[last]}' "
                f"(ordine: {', '.join(order)})",
                severity="warning",
                at=(section.line, 1),
            )
        last = max(last, position)


# --- the whole site ---------------------------------------------------------------------------


def validate(raw: RawContent, today: date) -> tuple[Site | None, list[ContentError]]:
    """Check everything; return the site (``None`` when there are errors) and all problems."""
    problems = Problems()
    problems.items.extend(raw.problems)

    data = _check_data_files(raw, problems)
    entries = _check_entries(raw, problems)
    _check_unique_slugs(raw.entries, problems)

    by_kind: dict[str, dict[str, Entry]] = {kind: {} for kind in KINDS}
    sources: dict[int, RawEntry] = {}
    for entry, src in entries:
        by_kind[entry.kind].setdefault(entry.slug, entry)
        sources[id(entry)] = src
    # references are checked against the files that exist, valid or not, so that one broken
    # ente does not turn every service that names it into an error as well
    files: dict[str, set[str]] = {kind: set() for kind in KINDS}
    for src in raw.entries:
        files[src.kind].add(src.slug)
    for kind, slug in raw.unreadable:
        files[kind].add(slug)

    _check_references(by_kind, files, sources, data, raw, problems)
    _check_dates(entries, data.get("carta.yaml"), today, problems)
    _check_citations(entries, data.get("fonti.yaml"), "fonti.yaml" in raw.data, problems)
    _check_publisher(data.get("carta.yaml"), raw.data.get("carta.yaml"), problems)

    problems.items.sort()
    has_errors = any(p.severity == "error" for p in problems.items)
    if has_errors or any(v is None for v in data.values()):
        return None, problems.items
    site = Site(
        config=data["carta.yaml"],
        aree=data["aree.yaml"],
        destinatari=data["destinatari.yaml"],
        territorio=data["territorio.yaml"],
        sinonimi=data["sinonimi.yaml"],
        fonti=data["fonti.yaml"],
        built_on=today,
        root=raw.root,
        entries={kind: dict(sorted(found.items())) for kind, found in by_kind.items()},
    )
    return site, problems.items


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


def _check_data_files(raw: RawContent, problems: Problems) -> dict[str, Any]:
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
        _check_territory(results["territorio.yaml"], raw.data["territorio.yaml"], problems)
    return results


def _check_territory(t: m.Territorio, src: RawData, problems: Problems) -> None:
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


def _check_entries(raw: RawContent, problems: Problems) -> list[tuple[Entry, RawEntry]]:
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


def _check_unique_slugs(raws: list[RawEntry], problems: Problems) -> None:
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


def _check_references(
    by_kind: dict[str, dict[str, Entry]],
    files: dict[str, set[str]],
    sources: dict[int, RawEntry],
    data: dict[str, Any],
    raw: RawContent,
    problems: Problems,
) -> None:
    config: m.CartaConfig | None = data.get("carta.yaml")
    aree: dict[str, m.Voce] | None = data.get("aree.yaml")
    destinatari: dict[str, m.Voce] | None = data.get("destinatari.yaml")
    territorio: m.Territorio | None = data.get("territorio.yaml")
    places = {m.WHOLE_DISTRICT, *territorio.sub_ambiti, *territorio.comuni} if territorio else None
    owner = {slug: kind for kind, slugs in files.items() for slug in slugs}

    def entry_ref(src: Where, path: tuple[str | int, ...], slug: str, kind: str) -> None:
        if slug in files[kind]:
            return
        if slug in owner:
            problems.add(
                src,
                path,
                f"{slug!r} è {KINDS[owner[slug]].with_article}, non {KINDS[kind].with_article}",
            )
            return
        folder = KINDS[kind].folder
        problems.add(
            src,
            path,
            f"{slug!r} non esiste: nessun file {folder}/{slug}.md{suggestion(slug, files[kind])}",
        )

    def vocab_ref(
        src: Where,
        path: tuple[str | int, ...],
        value: str,
        vocab: dict[str, Any] | None,
        file: str,
        what: str,
    ) -> None:
        if vocab is not None and value not in vocab:
            problems.add(
                src, path, f"{value!r} non è {what} definita in {file}{suggestion(value, vocab)}"
            )

    def place_ref(src: Where, path: tuple[str | int, ...], value: str) -> None:
        if places is not None and value not in places:
            problems.add(
                src,
                path,
                f"{value!r} non è un comune né un sub-ambito definito in territorio.yaml "
                f"(per tutto l'ambito scrivi 'ambito'){suggestion(value, places)}",
            )

    def each(values: list[str], name: str) -> Iterable[tuple[tuple[str | int, ...], str]]:
        for i, value in enumerate(values):
            yield (name, i), value

    if config is not None:
        carta_src = raw.data["carta.yaml"]
        entry_ref(carta_src, ("capofila",), config.capofila, "ente")
        if config.ufficio_di_piano:
            entry_ref(carta_src, ("ufficio_di_piano",), config.ufficio_di_piano, "ente")
        for path, value in each(config.dove_chiedere, "dove_chiedere"):
            if value not in owner:
                problems.add(
                    carta_src,
                    path,
                    f"{value!r} non esiste: nessuna scheda con questo nome{suggestion(value, owner)}",
                )

    for kind, items in by_kind.items():
        # a kind without taxonomies (pagina) has none of these fields
        for entry in items.values():
            src = sources[id(entry)]
            meta = entry.meta
            for path, value in each(getattr(meta, "aree", []), "aree"):
                vocab_ref(src, path, value, aree, "aree.yaml", "un'area")
            for path, value in each(getattr(meta, "destinatari", []), "destinatari"):
                vocab_ref(src, path, value, destinatari, "destinatari.yaml", "una voce")
            for path, value in each(getattr(meta, "territorio", []), "territorio"):
                place_ref(src, path, value)
            for i, sede in enumerate(getattr(meta, "sedi", [])):
                if territorio and sede.comune and sede.comune not in territorio.comuni:
                    problems.add(
                        src,
                        ("sedi", i, "comune"),
                        f"{sede.comune!r} non è un comune definito in territorio.yaml"
                        f"{suggestion(sede.comune, territorio.comuni)}",
                    )
            if kind == "servizio":
                if meta.ente:
                    entry_ref(src, ("ente",), meta.ente, "ente")
                for path, value in each(meta.partner, "partner"):
                    entry_ref(src, path, value, "ente")
                for path, value in each(meta.iniziative, "iniziative"):
                    entry_ref(src, path, value, "iniziativa")
            elif kind == "iniziativa":
                for name in ("promotori", "partner"):
                    for path, value in each(getattr(meta, name), name):
                        entry_ref(src, path, value, "ente")
                for path, value in each(meta.servizi, "servizi"):
                    entry_ref(src, path, value, "servizio")
            elif kind == "ente" and meta.parte_di:
                entry_ref(src, ("parte_di",), meta.parte_di, "ente")
    _check_parent_cycles(by_kind["ente"], sources, problems)


def _check_parent_cycles(
    enti: dict[str, Entry], sources: dict[int, RawEntry], problems: Problems
) -> None:
    for slug, entry in enti.items():
        seen = [slug]
        current = entry.meta.parte_di
        while current and current in enti:
            if current in seen:
                chain = " → ".join([*seen, current])
                problems.add(sources[id(entry)], ("parte_di",), f"ciclo di appartenenza: {chain}")
                break
            seen.append(current)
            current = enti[current].meta.parte_di


def _check_dates(
    entries: list[tuple[Entry, RawEntry]],
    config: m.CartaConfig | None,
    today: date,
    problems: Problems,
) -> None:
    months = config.mesi_verifica if config else 12
    limit = months_before(today, months)
    for entry, src in entries:
        if entry.kind == "iniziativa":
            _check_period_state(entry, src, today, problems)
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


def _check_citations(
    entries: list[tuple[Entry, RawEntry]],
    fonti: dict[str, m.Documento] | None,
    has_registry: bool,
    problems: Problems,
) -> None:
    """Every ``fonti[].fonte`` names a source of ``fonti.yaml``."""
    if fonti is None:  # fonti.yaml itself is broken: its own errors say why
        return
    for entry, src in entries:
        for i, citation in enumerate(entry.meta.fonti):
            if citation.fonte in fonti:
                continue
            where = "nessuna fonte con questo id in fonti.yaml"
            if not has_registry:
                where = "manca il file fonti.yaml con l'elenco delle fonti"
            problems.add(
                src,
                ("fonti", i, "fonte"),
                f"fonte sconosciuta {citation.fonte!r}: {where}{suggestion(citation.fonte, fonti)}",
            )


def _check_period_state(entry: Entry, src: RawEntry, today: date, problems: Problems) -> None:
    """A verified initiative whose period is over should not still be under way. An unverified
    one is shown "as its document says, at its date": its state is not a claim about today, so
    it is listed by ``carta report`` instead of warned about (a warning would push editors to
    write 'conclusa', which no document says)."""
    meta = entry.meta
    if meta.verificato_il is None:
        return
    if meta.stato in (None, "conclusa") or not meta.periodo or not meta.periodo.al:
        return
    if partial_date_end(meta.periodo.al) < today:
        problems.add(
            src,
            ("stato",),
            f"lo stato è {meta.stato!r} ma il periodo è finito ({meta.periodo.al}): "
            "se l'iniziativa è terminata scrivi 'conclusa', se prosegue aggiorna 'periodo.al'",
            severity="warning",
        )


def _check_publisher(config: m.CartaConfig | None, src: RawData | None, problems: Problems) -> None:
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
