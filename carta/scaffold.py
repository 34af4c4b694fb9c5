"""``carta new``: a skeleton entry that fails ``check`` until an editor has written it,
written only where no file exists yet."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .errors import UsageError
from .kinds import KINDS
from .loader import suggest_slug
from .model import (
    ACCESS_MODES,
    ENTE_NATURE,
    ENTE_TYPES,
    INITIATIVE_STATES,
    PLACEHOLDER,
    SERVICE_STATES,
)

#: the kinds ``carta new`` writes a skeleton for
NEW_KINDS = ("servizio", "ente", "iniziativa")


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _todo(text: str) -> str:
    """A placeholder that ``check`` refuses until the editor replaces it."""
    return f"{PLACEHOLDER}: {text}"


def _choose(key: str, values: dict[str, str]) -> str:
    """A commented-out key listing its allowed values: ``check`` reports it missing until
    the editor chooses, because the skeleton cannot know."""
    return f"# {key}: scegli tra {', '.join(values)}"


_VERIFIED = (
    "# verificato_il: AAAA-MM-GG, solo quando una persona ha verificato la scheda con chi "
    "gestisce il servizio\n# verificato_da: chi l'ha verificata e con quale ente"
)


def _source(sources: list[str]) -> str:
    """The citation: an id of fonti.yaml (the others listed beside it) and a part to write."""
    first = sources[0] if sources else "id-della-fonte"
    others = f"  # oppure: {', '.join(sources[1:])}" if len(sources) > 1 else ""
    if not sources:
        others = "  # aggiungi prima il documento a fonti.yaml"
    return f"fonti:\n  - fonte: {first}{others}"


def skeleton(
    kind: str,
    title: str,
    *,
    capofila: str,
    area: str,
    destinatari: str,
    sources: list[str] | None = None,
) -> str:
    """The text of a new entry. Every fact the skeleton cannot know is either a
    ``SEGNAPOSTO`` text or a commented-out key, so the entry fails ``check`` (an error, not a
    warning) until an editor has written it: it never claims to be free, active or verified."""
    if kind == "servizio":
        sections = "\n\n".join(
            f"## {h}\n\n" + _todo(text)
            for h, text in (
                ("A chi è rivolto", "chi può chiedere il servizio."),
                ("Come fare", "i passi da seguire, uno per riga."),
                ("Cosa serve", "i documenti da portare."),
                ("Cosa si ottiene", "che cosa riceve la persona."),
            )
        )
        return f"""---
titolo: {_quote(title)}
sommario: "{_todo("una frase semplice che dice a che cosa serve il servizio.")}"
{_choose("stato", SERVICE_STATES)}
aree: [{area}]
destinatari: [{destinatari}]
# ente: id dell'ente che gestisce il servizio (lascia la riga commentata se la fonte non lo dice)
territorio: ambito
accesso:
  {_choose("modalita", ACCESS_MODES)}
  dove: "{_todo("dove ci si rivolge per chiedere il servizio.")}"
costi:
  tipo: non-indicato
documenti: []
parole_chiave: []
{_VERIFIED}
{_source(sources or [])}
    sezione: "{_todo("capitolo o pagina")}"
---
{_todo("che cos'è il servizio, in parole semplici.")}

{sections}
"""
    if kind == "ente":
        return f"""---
nome: {_quote(title)}
{_choose("tipo", ENTE_TYPES)}
{_choose("natura", ENTE_NATURE)}
sommario: "{_todo("una frase semplice che dice che cosa fa l'ente.")}"
territorio: ambito
{_VERIFIED}
{_source(sources or [])}
---
{_todo("che cosa fa l'ente, in parole semplici.")}
"""
    if kind == "iniziativa":
        return f"""---
titolo: {_quote(title)}
sommario: "{_todo("una frase semplice che dice a che cosa serve l'iniziativa.")}"
{_choose("stato", INITIATIVE_STATES)}
# periodo:
#   dal: anno, mese (AAAA-MM) o giorno (AAAA-MM-GG) di inizio
#   al: anno, mese o giorno di fine
promotori: [{capofila}]
aree: [{area}]
destinatari: [{destinatari}]
territorio: ambito
{_VERIFIED}
{_source(sources or [])}
---
{_todo("obiettivi, azioni e risultati dell'iniziativa.")}
"""
    raise UsageError(f"tipo di scheda sconosciuto {kind!r}: scegli tra {', '.join(NEW_KINDS)}")


def new_entry(content: Path, kind: str, title: str) -> Path:
    """Write a skeleton ``kind`` entry titled ``title``; return its path."""
    import yaml

    from . import yamlstrict

    if kind not in NEW_KINDS:
        raise UsageError(f"tipo di scheda sconosciuto {kind!r}: scegli tra {', '.join(NEW_KINDS)}")
    if not title.strip():
        raise UsageError("il titolo è vuoto")
    if not content.is_dir():
        raise UsageError(f"cartella dei contenuti non trovata: {content}")

    def mapping(name: str) -> dict[Any, Any]:
        """A data file's mapping, or ``{}`` when it is missing or broken (``check`` says why)."""
        try:
            data = yamlstrict.load((content / name).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            return {}
        return data if isinstance(data, dict) else {}

    def first_key(name: str, default: str) -> str:
        return str(next(iter(mapping(name)), default))

    capofila = str(mapping("carta.yaml").get("capofila", "ente"))
    area = first_key("aree.yaml", "area")
    destinatari = first_key("destinatari.yaml", "destinatari")
    sources = [str(key) for key in mapping("fonti.yaml")]
    folder = content / KINDS[kind].folder
    path = folder / f"{suggest_slug(title)}.md"
    if path.exists():
        raise UsageError(f"{path} esiste già: non lo sovrascrivo")
    text = skeleton(
        kind,
        title.strip(),
        capofila=capofila,
        area=area,
        destinatari=destinatari,
        sources=sources,
    )
    folder.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8") as handle:
        handle.write(text)
    return path


def translation_skeleton(
    kind: str, lang: str, italian_text: str, italian_date: str | None = None
) -> str:
    """The text of a new translation of an entry whose file reads ``italian_text``: the
    translatable keys and the sections of the Italian entry, each a ``SEGNAPOSTO`` to
    replace, so ``check`` refuses it until it is written. ``italian_date`` is the date of the
    Italian text (its git date); without it the key is left for the translator to write."""
    from .i18n import gettext
    from .validate.bodies import split_sections

    info = KINDS[kind]
    model = info.translation_model
    assert model is not None
    sections = split_sections(italian_text.split("\n---", 1)[-1], 1)[1]
    lines = [
        "---",
        f'{info.title_field}: "{_todo("il titolo tradotto.")}"',
        f'sommario: "{_todo("il sommario tradotto.")}"',
    ]
    if "altri_nomi" in model.model_fields:
        lines.append("altri_nomi: []")
    if "parole_chiave" in model.model_fields:
        lines.append("parole_chiave: []")
    lines.append("traduzione:")
    if italian_date:
        lines.append(f"  testo_italiano_del: {italian_date}")
    else:
        lines.append("  # testo_italiano_del: AAAA-MM-GG, la data del testo italiano tradotto")
    lines += ["  revisione: in-attesa", "---", _todo("il testo introduttivo tradotto."), ""]
    for section in sections:
        heading = gettext(lang, section.heading) if kind == "servizio" else section.heading
        lines += [f"## {heading}", "", _todo("la sezione tradotta."), ""]
    return "\n".join(lines)


def new_translation(content: Path, kind: str, slug: str, lang: str) -> Path:
    """Write a skeleton translation into ``lang`` of the entry ``slug`` of ``kind``."""
    from .gitdates import git_dates
    from .i18n import LANGUAGES, SOURCE

    if kind not in KINDS:
        raise UsageError(f"tipo di scheda sconosciuto {kind!r}: scegli tra {', '.join(KINDS)}")
    others = [code for code in LANGUAGES if code != SOURCE]
    if lang not in others:
        raise UsageError(f"lingua sconosciuta {lang!r}: scegli tra {', '.join(others)}")
    if not content.is_dir():
        raise UsageError(f"cartella dei contenuti non trovata: {content}")
    folder = content / KINDS[kind].folder
    slug = suggest_slug(slug)
    italian = folder / f"{slug}.md"
    if not italian.is_file():
        raise UsageError(f"{italian} non esiste: si traduce una scheda che c'è già")
    path = folder / f"{slug}.{lang}.md"
    if path.exists():
        raise UsageError(f"{path} esiste già: non lo sovrascrivo")
    when = git_dates(content).get(italian.resolve())
    text = translation_skeleton(
        kind, lang, italian.read_text(encoding="utf-8"), when.isoformat() if when else None
    )
    with path.open("x", encoding="utf-8") as handle:
        handle.write(text)
    return path
