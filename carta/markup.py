"""Markdown → safe HTML. Python-Markdown renders; nh3 sanitises; only then is it ``Markup``.

No images or embeds are allowed, so a body can never make a page load anything from
another host; links are allowed (with ``rel="noopener noreferrer"``), scripts, event
handlers, styles and ``javascript:`` URLs never survive.
"""

from __future__ import annotations

import re

import markdown
import nh3
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
        self._converted: dict[str, str] = {}

    def _convert(self, text: str) -> str:
        if text not in self._converted:
            self._converted[text] = self._md.reset().convert(text)
        return self._converted[text]

    def html(self, text: str, *, shift: int = 0) -> Markup:
        """Render ``text``; ``shift`` moves headings down (``shift=1``: ``##`` → ``<h3>``)."""
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


# --- limits checked before rendering ----------------------------------------------------------

#: deepest nesting of lists and quotes a body may use
MAX_NESTING = 20
#: Python-Markdown looks for the closing ``]`` of every ``[`` up to the end of its paragraph,
#: and for the end of every ``<`` up to the end of the body: the work grows with the
#: number of brackets times the length they are searched in. Bodies above these budgets are
#: refused before rendering, so that every accepted body renders in time linear in its size.
BRACKET_BUDGET = 2_000_000
ANGLE_BUDGET = 20_000_000

_FENCE_RE = re.compile(r"^\s*(```|~~~)")
_RULE_RE = re.compile(r"^[ \t]*([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_LEAD_RE = re.compile(r"[ \t]*(?:>|(?:[-*+]|[0-9]{1,9}[.)])(?=[ \t]|$))")


def _columns(space: str) -> int:
    return len(space) + 3 * space.count("\t")


def _nesting(line: str) -> int:
    """How deep ``line`` sits in lists and quotes (an estimate that never falls short:
    every ``>``, every list marker and every 4 columns of indentation count one level)."""
    if _RULE_RE.match(line):
        return 0
    depth, columns, pos = 0, 0, 0
    while found := _LEAD_RE.match(line, pos):
        lead = found.group()
        columns += _columns(lead[: len(lead) - len(lead.lstrip(" \t"))])
        depth += 1
        pos = found.end()
    rest = line[pos:]
    return depth + (columns + _columns(rest[: len(rest) - len(rest.lstrip(" \t"))])) // 4


def check(text: str) -> list[tuple[int, str]]:
    """Problems that would make ``text`` crash or crawl when rendered, as ``(line, message)``
    with ``line`` counted from 0 in ``text``. Linear in the size of ``text``."""
    problems: list[tuple[int, str]] = []
    lines = text.split("\n")
    in_fence = deep = False
    block_start, block_len, brackets = 0, 0, 0

    def close_block() -> None:
        if brackets * block_len > BRACKET_BUDGET:
            problems.append(
                (
                    block_start,
                    f"paragrafo troppo complesso da impaginare: {brackets} parentesi quadre in "
                    f"{block_len} caratteri; dividilo in paragrafi più brevi (separati da una "
                    "riga vuota) o togli le parentesi che non servono",
                )
            )

    for number, line in enumerate(lines):
        if _FENCE_RE.match(line):
            in_fence = not in_fence
        if not line.strip():
            close_block()
            block_start, block_len, brackets = number + 1, 0, 0
            continue
        block_len += len(line) + 1
        brackets += line.count("[")
        if not in_fence and not deep and _nesting(line) > MAX_NESTING:
            deep = True
            problems.append(
                (
                    number,
                    f"elenchi o citazioni annidati troppo in profondità: al massimo {MAX_NESTING} "
                    "livelli uno dentro l'altro",
                )
            )
    close_block()
    angles = text.count("<")
    if angles * len(text) > ANGLE_BUDGET:
        first = text.index("<")
        problems.append(
            (
                text.count("\n", 0, first),
                f"troppi caratteri '<' ({angles}) in un testo così lungo: scrivi 'minore di' "
                "oppure dividi il testo in più schede",
            )
        )
    return problems
