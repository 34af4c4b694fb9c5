"""The Atom feed of changed entries (``/feed.xml``).

Entries are ordered by the date their file last changed (git date, never earlier than
``verificato_il``), then by address. Nothing depends on the clock:
the feed's ``updated`` is its newest entry's date. Ids are the pages' absolute addresses
when ``url_base`` is set, otherwise ``tag:`` URIs, which never change for an entry.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from xml.sax.saxutils import escape, quoteattr

from .kinds import KINDS
from .site import Entry, Site, fold
from .sources import provenance
from .urls import Urls

FEED_LIMIT = 50
#: the date part of ``tag:`` ids (RFC 4151): fixed, so that an entry's id never changes
TAG_DATE = "2026"


#: characters XML 1.0 cannot hold, even escaped
_XML_INVALID = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_clean(value: str) -> str:
    """``value`` without the characters no XML document may contain (validation already
    refuses them in content; this keeps the feed and the sitemap well-formed regardless)."""
    return _XML_INVALID.sub("", value)


def _text(value: str) -> str:
    return escape(xml_clean(value))


def _attr(value: str) -> str:
    return quoteattr(xml_clean(value))


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


def atom(site: Site, updated: Callable[[Entry], date], urls: Urls) -> str:
    entries = entries_by_change(site, updated)[:FEED_LIMIT]
    authority = tag_authority(site)

    def ident(path: str) -> str:
        return urls.absolute_or_none(path) or f"tag:{authority},{TAG_DATE}:{path}"

    newest = updated(entries[0]) if entries else date(2000, 1, 1)
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{_text(site.config.lingua)}">',
        f"  <title>{_text(site.config.titolo)}: novità</title>",
        f"  <subtitle>Schede nuove o aggiornate della {_text(site.config.titolo)}</subtitle>",
        f"  <id>{_text(ident('/'))}</id>",
        f'  <link rel="self" href={_attr(urls.absolute("/feed.xml"))}/>',
        f'  <link rel="alternate" type="text/html" href={_attr(urls.absolute("/"))}/>',
        f"  <updated>{_stamp(newest)}</updated>",
        f"  <author><name>{_text(site.config.ambito)}</name></author>",
    ]
    for e in entries:
        lines += [
            "  <entry>",
            f"    <title>{_text(KINDS[e.kind].label)}: {_text(e.title)}</title>",
            f"    <id>{_text(ident(e.url))}</id>",
            f'    <link rel="alternate" type="text/html" href={_attr(urls.absolute(e.url))}/>',
            f"    <updated>{_stamp(updated(e))}</updated>",
            f"    <summary>{_text(_summary(site, e))}</summary>",
            "  </entry>",
        ]
    lines.append("</feed>")
    return "\n".join(lines) + "\n"
