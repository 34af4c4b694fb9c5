"""Markdown → safe HTML. Python-Markdown renders; nh3 sanitises; only then is it ``Markup``.

No images or embeds are allowed, so a body can never make a page load anything from
another host; links are allowed (with ``rel="noopener noreferrer"``), scripts, event
handlers, styles and ``javascript:`` URLs never survive.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import markdown
import nh3
from markdown.treeprocessors import Treeprocessor
from markupsafe import Markup

from .site import slugify

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
    search index, so each body is converted once. Not thread-safe: one per worker.

    A process that builds again and again (``carta serve``) keeps one Renderer and calls
    :meth:`new_build` before each build: what the last build converted is still known, what
    it did not use is forgotten, so an edit converts only the text that changed."""

    def __init__(self) -> None:
        self._md = markdown.Markdown(
            extensions=["extra", "sane_lists", "toc"],
            extension_configs={"toc": {"slugify": _slugify, "toc_depth": "2-6"}},
            output_format="html",
        )
        self._md.treeprocessors.register(_HeadingLevels(self._md), "carta-heading-levels", 6)
        #: Markdown → HTML, and (Markdown, shift) → sanitised HTML, for this build and the last
        self._converted: dict[str, str] = {}
        self._cleaned: dict[tuple[str, int], str] = {}
        self._last_converted: dict[str, str] = {}
        self._last_cleaned: dict[tuple[str, int], str] = {}

    def new_build(self) -> None:
        """Start a new build: keep what the last one converted, forget what it did not use."""
        self._last_converted, self._converted = self._converted, {}
        self._last_cleaned, self._cleaned = self._cleaned, {}

    def _convert(self, text: str) -> str:
        done = self._converted.get(text)
        if done is None:
            done = self._last_converted.pop(text, None)
            if done is None:
                done = self._md.reset().convert(text)
            self._converted[text] = done
        return done

    def html(self, text: str, *, shift: int = 0) -> Markup:
        """Render ``text``; its headings nest from ``<h2>`` without gaps (see
        :class:`_HeadingLevels`), and ``shift`` moves them down (``shift=1``: from ``<h3>``)."""
        if not text.strip():
            return Markup("")
        done = self._cleaned.get((text, shift))
        if done is None:
            done = self._last_cleaned.pop((text, shift), None)
            if done is None:
                rendered = self._convert(text)
                if shift:
                    rendered = _shift_headings(rendered, shift)
                done = _CLEANER.clean(rendered)
            self._cleaned[(text, shift)] = done
        return Markup(done)  # noqa: S704 - sanitised when it was first rendered

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
    return slugify(value, separator) or "sezione"


def _shift_headings(html: str, shift: int) -> str:
    def repl(match: re.Match[str]) -> str:
        level = min(6, int(match.group(2)) + shift)
        return f"<{match.group(1)}h{level}"

    return re.sub(r"<(/?)h([1-6])", repl, html)


# --- limits checked before rendering ----------------------------------------------------------

#: deepest nesting of lists, quotes and definitions a body may use
MAX_NESTING = 20
#: the longest body, in characters and in lines: forty times the longest real one. Python-
#: Markdown spends about a millisecond on each heading or rule and more per paragraph the
#: more paragraphs there are, so the number of lines is bounded as well as the size.
MAX_BODY_CHARS = 200_000
MAX_BODY_LINES = 2_000
#: Python-Markdown looks for the closing ``]`` of every ``[`` (and the closing run of every
#: run of backticks, asterisks or underscores) up to the end of its paragraph, rewrites the
#: rest of the paragraph for every inline element it finds (``&``, ``<``, ``\``, …), and
#: looks for the ``>`` of every ``<`` up to the end of the body: the work grows with the
#: number of those characters times the length they are searched in. Bodies above these budgets are refused
#: before rendering, so that every accepted body renders in time linear in its size (50,000
#: ``[`` in one paragraph took minutes).
BLOCK_BUDGET = 2_000_000
BODY_BUDGET = 5_000_000
ANGLE_BUDGET = 20_000_000

_FENCE_RE = re.compile(r"^\s*(```|~~~)")
_RULE_RE = re.compile(r"^[ \t]*([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_LEAD_RE = re.compile(r"[ \t]*(?:>|(?:[-*+]|[0-9]{1,9}[.)])(?=[ \t]|$))")
_DEFINITION_RE = re.compile(r"^ {0,3}:[ \t]")
#: what starts an inline pattern: each match rewrites the rest of its paragraph
_RUN_RE = re.compile(r"[\[&<\\!]|`+|\*+|_+| {2,}$")
_NESTED_HTML_RE = re.compile(r"\bmarkdown\s*=", re.IGNORECASE)

_TOO_DEEP = (
    f"elenchi, citazioni o definizioni annidati troppo in profondità: al massimo {MAX_NESTING} "
    "livelli uno dentro l'altro (separa le definizioni con una riga vuota)"
)


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
    with ``line`` counted from 0 in ``text``. Linear in the size of ``text``; remembered for
    the bodies seen last (carta serve checks every body again after each save)."""
    return list(_check(text))


@lru_cache(maxsize=30_000)
def _check(text: str) -> tuple[tuple[int, str], ...]:
    return tuple(_problems(text))


def _problems(text: str) -> list[tuple[int, str]]:
    lines = text.count("\n") + 1
    if len(text) > MAX_BODY_CHARS or lines > MAX_BODY_LINES:
        return [
            (
                min(lines, MAX_BODY_LINES) - 1 if lines > MAX_BODY_LINES else 0,
                f"testo troppo lungo ({len(text)} caratteri, {lines} righe): al massimo "
                f"{MAX_BODY_CHARS} caratteri e {MAX_BODY_LINES} righe per scheda; dividilo in "
                "più schede",
            )
        ]
    problems: list[tuple[int, str]] = []
    deep: int | None = None
    blocks: list[tuple[int, int]] = []  # (first line, cost) of each paragraph
    start = length = specials = definitions = 0
    in_fence = False

    def close() -> None:
        blocks.append((start, specials * length))

    for number, line in enumerate(text.split("\n")):
        if _FENCE_RE.match(line):
            in_fence = not in_fence
        if not line.strip():
            close()
            start, length, specials, definitions = number + 1, 0, 0, 0
            continue
        length += len(line) + 1
        specials += len(_RUN_RE.findall(line))
        if in_fence or deep is not None:
            continue
        definitions += bool(_DEFINITION_RE.match(line))
        if _nesting(line) > MAX_NESTING or definitions > MAX_NESTING:
            deep = number
    close()
    if deep is None and len(_NESTED_HTML_RE.findall(text)) > MAX_NESTING:
        deep = text.count("\n", 0, list(_NESTED_HTML_RE.finditer(text))[MAX_NESTING].start())
    if deep is not None:
        problems.append((deep, _TOO_DEEP))
    heavy = [(line, cost) for line, cost in blocks if cost > BLOCK_BUDGET]
    if not heavy and sum(cost for _, cost in blocks) > BODY_BUDGET:
        heavy = [max(blocks, key=lambda b: b[1])]
    for first, _ in heavy:
        problems.append(
            (
                first,
                "paragrafo troppo complesso da impaginare: troppi segni speciali ([, `, *, _, "
                "&, <, \\) per la sua lunghezza; dividilo in paragrafi più brevi (separati da "
                "una riga vuota) o togli i segni che non servono",
            )
        )
    angles = text.count("<")
    if angles * len(text) > ANGLE_BUDGET:
        problems.append(
            (
                text.count("\n", 0, text.index("<")),
                f"troppi caratteri '<' ({angles}) in un testo così lungo: scrivi 'minore di' "
                "oppure dividi il testo in più schede",
            )
        )
    return sorted(problems)
