"""Bodies: the ``##`` sections of an entry, their anchors and their order."""

from __future__ import annotations

import re

from .. import model as m
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
