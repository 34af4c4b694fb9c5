"""The Atom feed of changed entries (``/feed.xml``).

Entries are ordered by the date their file last changed (git date, never earlier than
``verificato_il``), then by address. Nothing depends on the clock:
the feed's ``updated`` is its newest entry's date. Ids are the pages' absolute addresses
when ``url_base`` is set, otherwise ``tag:`` URIs, which never change for an entry.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from xml.sax.saxutils import escape, quoteattr

from .site import Entry, Site, fold
from .sources import provenance

FEED_LIMIT = 50
#: the date part of ``tag:`` ids (RFC 4151): fixed, so that an entry's id never changes
TAG_DATE = "2026"
KIND_LABEL = {
    "servizio": "Servizio",
    "ente": "Ente",
    "iniziativa": "Iniziativa",
    "pagina": "Pagina",
}


def _stamp(day: date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def tag_authority(site: Site) -> str:
    """A stable name for ``tag:`` ids: the ``segnalazioni`` address, or one made from the
    district's name."""
    if site.config.segnalazioni:
        return site.config.segnalazioni.lower()
    words = "".join(c if c.isalnum() else "-" for c in fold(site.config.ambito))
    return "-".join(w for w in words.split("-") if w)[:60] + ".carta.invalid"


def _summary(site: Site, e: Entry) -> str:
    text = e.summary or e.title
    origin = provenance(site, e)
    return f"{text} {origin}" if origin else text


def entries_by_change(site: Site, updated: Callable[[Entry], date]) -> list[Entry]:
    return sorted(
        site.all_entries(),
        key=lambda e: (-updated(e).toordinal(), e.url),
    )


def atom(site: Site, updated: Callable[[Entry], date], base: str) -> str:
    entries = entries_by_change(site, updated)[:FEED_LIMIT]
    authority = tag_authority(site)

    def ident(path: str) -> str:
        return base + path if base else f"tag:{authority},{TAG_DATE}:{path}"

    newest = updated(entries[0]) if entries else date(2000, 1, 1)
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{escape(site.config.lingua)}">',
        f"  <title>{escape(site.config.titolo)}: novità</title>",
        f"  <subtitle>Schede nuove o aggiornate della {escape(site.config.titolo)}</subtitle>",
        f"  <id>{escape(ident('/'))}</id>",
        f'  <link rel="self" href={quoteattr(base + "/feed.xml")}/>',
        f'  <link rel="alternate" type="text/html" href={quoteattr(base + "/")}/>',
        f"  <updated>{_stamp(newest)}</updated>",
        f"  <author><name>{escape(site.config.ambito)}</name></author>",
    ]
    for e in entries:
        lines += [
            "  <entry>",
            f"    <title>{escape(KIND_LABEL[e.kind])}: {escape(e.title)}</title>",
            f"    <id>{escape(ident(e.url))}</id>",
            f'    <link rel="alternate" type="text/html" href={quoteattr(base + e.url)}/>',
            f"    <updated>{_stamp(updated(e))}</updated>",
            f"    <summary>{escape(_summary(site, e))}</summary>",
            "  </entry>",
        ]
    lines.append("</feed>")
    return "\n".join(lines) + "\n"
