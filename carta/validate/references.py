"""References across files: slugs of entries, vocabularies, places, sources; cycles of
``parte_di``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .. import model as m
from ..kinds import KINDS
from ..loader import RawContent, RawEntry
from ..site import Entry
from .problems import Problems, Where
from .suggestions import suggestion


def check_references(
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
    check_parent_cycles(by_kind["ente"], sources, problems)


def check_parent_cycles(
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


def check_citations(
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
