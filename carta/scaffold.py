"""``carta new``: a valid skeleton entry, written only where no file exists yet."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from .errors import UsageError
from .loader import suggest_slug
from .site import URL_FOLDERS

KINDS = ("servizio", "ente", "iniziativa")


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def skeleton(
    kind: str,
    title: str,
    *,
    today: date,
    capofila: str,
    area: str,
    destinatari: str,
    fonte: str = "fonte",
) -> str:
    if kind == "servizio":
        sections = "\n\n".join(
            f"## {h}\n\n" + text
            for h, text in (
                ("A chi è rivolto", "Chi può chiedere il servizio."),
                ("Come fare", "1. Primo passo.\n2. Secondo passo."),
                ("Cosa serve", "I documenti da portare sono elencati qui sotto."),
                ("Cosa si ottiene", "Che cosa riceve la persona."),
            )
        )
        return f"""---
titolo: {_quote(title)}
sommario: "Una frase semplice che dice a che cosa serve il servizio."
stato: attivo
aree: [{area}]
destinatari: [{destinatari}]
ente: {capofila}
territorio: ambito
accesso:
  modalita: [sportello]
  dove: "Servizio sociale del proprio Comune di residenza."
costi:
  tipo: gratuito
  isee: false
documenti: []
parole_chiave: []
fonti:
  - fonte: {fonte}
    sezione: "Capitolo o pagina"
---
Che cos'è il servizio, in parole semplici.

{sections}
"""
    if kind == "ente":
        return f"""---
nome: {_quote(title)}
tipo: altro
natura: pubblico
sommario: "Una frase semplice che dice che cosa fa l'ente."
territorio: ambito
fonti:
  - fonte: {fonte}
---
Che cosa fa l'ente, in parole semplici.
"""
    if kind == "iniziativa":
        return f"""---
titolo: {_quote(title)}
sommario: "Una frase semplice che dice a che cosa serve l'iniziativa."
stato: programmata
periodo:
  dal: "{today.year}"
promotori: [{capofila}]
aree: [{area}]
destinatari: [{destinatari}]
territorio: ambito
fonti:
  - fonte: {fonte}
---
Obiettivi, azioni e risultati dell'iniziativa.
"""
    raise UsageError(f"tipo di scheda sconosciuto {kind!r}: scegli tra {', '.join(KINDS)}")


def new_entry(content: Path, kind: str, title: str, *, today: date | None = None) -> Path:
    """Write a skeleton ``kind`` entry titled ``title``; return its path."""
    import yaml

    from . import yamlstrict

    if kind not in KINDS:
        raise UsageError(f"tipo di scheda sconosciuto {kind!r}: scegli tra {', '.join(KINDS)}")
    if not title.strip():
        raise UsageError("il titolo è vuoto")
    if not content.is_dir():
        raise UsageError(f"cartella dei contenuti non trovata: {content}")

    def first_key(name: str, default: str) -> str:
        try:
            data = yamlstrict.load((content / name).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError):  # `check` reports broken files
            return default
        if isinstance(data, dict):
            if name == "carta.yaml":
                return str(data.get("capofila", default))
            if data:
                return str(next(iter(data)))
        return default

    capofila = first_key("carta.yaml", "ente")
    area = first_key("aree.yaml", "area")
    destinatari = first_key("destinatari.yaml", "destinatari")
    fonte = first_key("fonti.yaml", "fonte")
    folder = content / URL_FOLDERS[kind]
    path = folder / f"{suggest_slug(title)}.md"
    if path.exists():
        raise UsageError(f"{path} esiste già: non lo sovrascrivo")
    text = skeleton(
        kind,
        title.strip(),
        today=today or date.today(),
        capofila=capofila,
        area=area,
        destinatari=destinatari,
        fonte=fonte,
    )
    folder.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8") as handle:
        handle.write(text)
    return path
