"""Bodies: the ``##`` sections of an entry, their anchors and their order."""

from __future__ import annotations

import re

from .. import model as m
from ..i18n import gettext
from ..loader import RawEntry
from ..site import Entry, Section, slugify
from .problems import Problems
from .suggestions import suggestion

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
    check_h1(src, h1, problems)
    if entry.kind != "servizio":
        return
    check_sections(entry.sections, src, {h: h for h in m.SERVICE_SECTIONS}, problems)


def check_h1(src: RawEntry, h1: list[tuple[int, str]], problems: Problems) -> None:
    for line, text in h1:
        problems.add(
            src,
            (),
            f"titolo di primo livello '# {text}' non ammesso: il titolo della pagina è già "
            "nell'intestazione, usa '## ' per le sezioni",
            at=(line, 1),
        )


def check_sections(
    sections: list[Section],
    src: RawEntry,
    headings: dict[str, str],
    problems: Problems,
    *,
    lang: str = "",
) -> None:
    """The ``##`` sections of a servizio: known, not repeated, in order. ``headings`` maps
    each heading accepted (Italian, or also in the translation's ``lang``) to the Italian
    heading of :data:`carta.model.SERVICE_SECTIONS` it stands for."""
    order = list(m.SERVICE_SECTIONS)
    shown = [gettext(lang, h) for h in order] if lang else order
    seen: dict[str, int] = {}
    last = -1
    for section in sections:
        italian = headings.get(section.heading)
        if italian is None:
            allowed = ", ".join(shown)
            if lang and shown != order:
                allowed += f" (o in italiano: {', '.join(order)})"
            problems.add(
                src,
                (),
                f"sezione sconosciuta '## {section.heading}'"
                f"{suggestion(section.heading, list(headings))}: "
                f"le sezioni ammesse sono {allowed}",
                at=(section.line, 1),
            )
            continue
        if italian in seen:
            problems.add(
                src,
                (),
                f"sezione '## {section.heading}' ripetuta (già alla riga {seen[italian]})",
                at=(section.line, 1),
            )
            continue
        seen[italian] = section.line
        position = order.index(italian)
        if position < last:
            problems.add(
                src,
                (),
                f"sezione '## {section.heading}' fuori ordine: va prima di '## {shown[last]}' "
                f"(ordine: {', '.join(shown)})",
                severity="warning",
                at=(section.line, 1),
            )
        last = max(last, position)


def translated_headings(lang: str) -> dict[str, str]:
    """The headings a translation into ``lang`` may use for the standard sections of a
    servizio (in Italian or in ``lang``, as in the catalogue) → the Italian heading."""
    found = {h: h for h in m.SERVICE_SECTIONS}
    for italian in m.SERVICE_SECTIONS:
        found.setdefault(gettext(lang, italian), italian)
    return found


def translated_sections(
    kind: str, lang: str, sections: list[Section], headings: dict[str, str]
) -> list[Section]:
    """The sections of a translation as pages show them: a standard section of a servizio
    has the Italian section's anchor and the catalogue's heading in ``lang``; any other
    section an anchor of its own, unique on its page (an Arabic heading has no Latin
    letters to make one from)."""
    out: list[Section] = []
    used: set[str] = set()
    for number, section in enumerate(sections, start=1):
        italian = headings.get(section.heading) if kind == "servizio" else None
        if italian is not None:
            heading, anchor = gettext(lang, italian), m.SERVICE_SECTIONS[italian]
        else:
            heading = section.heading
            anchor = slugify(heading) or f"sezione-{number}"
        while anchor in used:
            anchor = f"{anchor}-{number}"
        used.add(anchor)
        out.append(Section(heading, anchor, section.markdown, section.line))
    return out
