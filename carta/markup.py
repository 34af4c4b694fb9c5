"""Markdown → safe HTML. Python-Markdown renders; nh3 sanitises; only then is it ``Markup``.

No images or embeds are allowed, so a body can never make a page load anything from
another host; links are allowed (with ``rel="noopener noreferrer"``), scripts, event
handlers, styles and ``javascript:`` URLs never survive.
"""

from __future__ import annotations

import re
from typing import Any

import markdown
import nh3
from markdown.treeprocessors import Treeprocessor
from markupsafe import Markup

ALLOWED_TAGS = {
    "p", "br", "hr", "a", "strong", "em", "b", "i", "u", "s", "del", "ins", "mark", "small",
    "sub", "sup", "abbr", "code", "pre", "blockquote", "ul", "ol", "li", "dl", "dt", "dd",
    "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tfoot", "tr", "th", "td",
    "caption",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "hreflang"},
    "abbr": {"title"},
    "h2": {"id"}, "h3": {"id"}, "h4": {"id"}, "h5": {"id"}, "h6": {"id"},
    "th": {"scope", "colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
    "ol": {"start"},
}  # fmt: skip
URL_SCHEMES = {"http", "https", "mailto", "tel"}

_CLEANER = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    url_schemes=URL_SCHEMES,
    link_rel="noopener noreferrer",
    strip_comments=True,
)


class Renderer:
    """One Markdown converter, reused (``reset()`` between documents), that remembers what it
    converted: one build shares one Renderer between the pages, the open data and the
    search index, so each body is converted once. Not thread-safe: one per worker."""

    def __init__(self) -> None:
        self._md = markdown.Markdown(
            extensions=["extra", "sane_lists", "toc"],
            extension_configs={"toc": {"slugify": _slugify, "toc_depth": "2-6"}},
            output_format="html",
        )
        self._md.treeprocessors.register(_HeadingLevels(self._md), "carta-heading-levels", 6)
        self._converted: dict[str, str] = {}

    def _convert(self, text: str) -> str:
        if text not in self._converted:
            self._converted[text] = self._md.reset().convert(text)
        return self._converted[text]

    def html(self, text: str, *, shift: int = 0) -> Markup:
        """Render ``text``; its headings nest from ``<h2>`` without gaps (see
        :class:`_HeadingLevels`), and ``shift`` moves them down (``shift=1``: from ``<h3>``)."""
        if not text.strip():
            return Markup("")
        rendered = self._convert(text)
        if shift:
            rendered = _shift_headings(rendered, shift)
        return Markup(_CLEANER.clean(rendered))  # noqa: S704 - sanitised just above

    def text(self, text: str) -> str:
        """Plain text of a Markdown body (for summaries and the search index)."""
        if not text.strip():
            return ""
        plain = nh3.clean(self._convert(text), tags=set())
        return re.sub(r"\s+", " ", _unescape(plain)).strip()


class _HeadingLevels(Treeprocessor):
    """Renumbers a body's headings so that they nest without skipping a level, the outermost
    ones as ``<h2>`` (the page's ``<h1>`` is its title): ``### A`` then ``##### B`` become
    ``<h2>`` and ``<h3>``. Only levels change; texts and ids stay."""

    TOP = 2

    def run(self, root: Any) -> None:
        open_levels: list[int] = []  # written levels of the headings that enclose this one
        for el in root.iter():
            if not isinstance(el.tag, str) or not _HEADING.fullmatch(el.tag):
                continue
            written = int(el.tag[1])
            while open_levels and open_levels[-1] >= written:
                open_levels.pop()
            el.tag = f"h{min(6, self.TOP + len(open_levels))}"
            open_levels.append(written)


_HEADING = re.compile(r"h[1-6]")


def _unescape(text: str) -> str:
    import html

    return html.unescape(text)


def _slugify(value: str, separator: str) -> str:
    import unicodedata

    folded = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", separator, folded.lower()).strip(separator) or "sezione"


def _shift_headings(html: str, shift: int) -> str:
    def repl(match: re.Match[str]) -> str:
        level = min(6, int(match.group(2)) + shift)
        return f"<{match.group(1)}h{level}"

    return re.sub(r"<(/?)h([1-6])", repl, html)
