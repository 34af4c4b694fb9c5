"""Byte budgets of a built site: what one page view downloads, gzip-compressed.

A page view is the HTML plus every stylesheet, script and preloaded file it links to, plus the
fonts its stylesheets declare. Text files count at their gzip size (level 9: what a
compressing server sends); woff2 fonts are already compressed and count at their size.
"""

from __future__ import annotations

import gzip
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from .i18n import LANGUAGES, SOURCE
from .kinds import KINDS

#: per page view, bytes after gzip
BUDGETS = {"css": 8 * 1024, "fonts": 60 * 1024, "total": 100 * 1024}
COMPRESSED = {".woff2", ".woff", ".png", ".jpg", ".jpeg", ".gif", ".webp", ".gz"}

_LINK = re.compile(r"<link\b[^>]*>", re.IGNORECASE)
_SCRIPT = re.compile(r"<script\b[^>]*\bsrc=\"([^\"]+)\"", re.IGNORECASE)
_ATTR = re.compile(r"(\w[\w-]*)=\"([^\"]*)\"")
_CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)")


@dataclass
class PageWeight:
    path: str  # site-relative, e.g. /servizi/sad/
    html: int = 0
    css: int = 0
    fonts: int = 0
    js: int = 0
    files: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.html + self.css + self.fonts + self.js

    def over(self) -> list[str]:
        """What exceeds its budget, in words; empty when the page is within budget."""
        problems = []
        for part, limit in BUDGETS.items():
            value = getattr(self, part)
            if value > limit:
                problems.append(f"{self.path}: {part} {kib(value)} > {kib(limit)}")
        return problems


def kib(n: int) -> str:
    return f"{n / 1024:.1f} KB"


def transfer_size(path: Path) -> int:
    data = path.read_bytes()
    if path.suffix.lower() in COMPRESSED:
        return len(data)
    return len(gzip.compress(data, compresslevel=9, mtime=0))


def _local(site: Path, base: Path, ref: str) -> Path | None:
    """The file under ``site`` that ``ref`` (in a file at ``base``) names; ``None`` for
    ``data:`` and other hosts."""
    parts = urlsplit(ref)
    if parts.scheme or parts.netloc or not parts.path:
        return None
    target = site / parts.path.lstrip("/") if parts.path.startswith("/") else base / parts.path
    target = target.resolve()
    return target if target.is_file() else None


def _url_path(site: Path, html: Path) -> str:
    rel = html.relative_to(site).as_posix()
    return "/" + (rel[: -len("index.html")] if rel.endswith("index.html") else rel)


def page_weight(site: Path, html_file: Path, prefix: str = "") -> PageWeight:
    """``prefix``: the path part of ``url_base`` (links start with it)."""
    site = site.resolve()
    text = html_file.read_text(encoding="utf-8")
    weight = PageWeight(_url_path(site, html_file), html=transfer_size(html_file))
    seen: set[Path] = set()

    def strip(ref: str) -> str:
        return ref[len(prefix) :] if prefix and ref.startswith(prefix + "/") else ref

    refs: list[tuple[str, str]] = []  # (kind, ref)
    for tag in _LINK.findall(text):
        attrs = dict(_ATTR.findall(tag))
        rel = attrs.get("rel", "").lower().split()
        if "stylesheet" in rel:
            refs.append(("css", attrs.get("href", "")))
        elif "preload" in rel or "modulepreload" in rel:
            refs.append(("fonts" if attrs.get("as") == "font" else "js", attrs.get("href", "")))
    refs += [("js", src) for src in _SCRIPT.findall(text)]
    for kind, ref in refs:
        target = _local(site, html_file.parent, strip(ref))
        if target is None or target in seen:
            continue
        seen.add(target)
        size = transfer_size(target)
        setattr(weight, kind, getattr(weight, kind) + size)
        weight.files.append(target.relative_to(site).as_posix())
        if kind == "css":
            css = target.read_text(encoding="utf-8")
            for url in _CSS_URL.findall(css):
                font = _local(site, target.parent, strip(url))
                if font is not None and font not in seen:
                    seen.add(font)
                    weight.fonts += transfer_size(font)
                    weight.files.append(font.relative_to(site).as_posix())
    return weight


def site_weights(site: Path, prefix: str = "") -> list[PageWeight]:
    """Every HTML page of ``site``, sorted by address."""
    site = site.resolve()
    pages = [p for p in site.rglob("*.html") if not any(x.startswith(("_", ".")) for x in p.parts)]
    return sorted((page_weight(site, p, prefix) for p in pages), key=lambda w: w.path)


PAGE_TYPES = {
    (): "home",
    ("404.html",): "404",
    ("aree",): "aree di bisogno",
    ("aree", "*"): "elenco per area",
    ("destinatari",): "destinatari",
    ("destinatari", "*"): "elenco per destinatari",
    ("comuni",): "comuni",
    ("comuni", "*"): "comune",
    ("dati",): "dati aperti",
    ("osservatorio",): "la Carta in numeri",
}


def page_type(path: str) -> str:
    """A name for the kind of page at ``path`` (for the summary table); a page of another
    language (``/en/servizi/x/``) as its Italian page's kind with the language: ``servizio
    (en)``."""
    parts = tuple(p for p in path.strip("/").split("/") if p)
    if parts and parts[0] in LANGUAGES and parts[0] != SOURCE:
        return f"{page_type('/'.join(parts[1:]))} ({parts[0]})"
    types = {**PAGE_TYPES, **_kind_page_types()}
    return types.get(parts) or types.get((*parts[:1], "*"), "/".join(parts))


def _kind_page_types() -> dict[tuple[str, ...], str]:
    """The pages of each kind of entry (``servizi/*``) and its index, from the registry."""
    out: dict[tuple[str, ...], str] = {}
    for kind in KINDS.values():
        if kind.index_page:
            out[(kind.folder,)] = kind.index_page
        out[(kind.folder, "*")] = kind.singular
    return out


def summary(weights: list[PageWeight]) -> list[tuple[str, int, PageWeight]]:
    """Per page type: how many pages, and the heaviest one."""
    groups: dict[str, list[PageWeight]] = {}
    for w in weights:
        groups.setdefault(page_type(w.path), []).append(w)
    return [
        (kind, len(members), max(members, key=lambda w: (w.total, w.path)))
        for kind, members in sorted(groups.items())
    ]


def report(weights: list[PageWeight]) -> str:
    """A plain-text table: the heaviest page of each type, then the budgets."""
    lines = [
        f"{'tipo di pagina':<22}{'pagine':>7}  {'HTML':>8}{'CSS':>8}{'font':>9}{'JS':>7}"
        f"{'totale':>10}  pagina più pesante",
    ]
    for kind, count, w in summary(weights):
        lines.append(
            f"{kind:<22}{count:>7}  {kib(w.html):>8}{kib(w.css):>8}{kib(w.fonts):>9}"
            f"{kib(w.js):>7}{kib(w.total):>10}  {w.path}"
        )
    limits = ", ".join(f"{k} ≤ {kib(v)}" for k, v in BUDGETS.items())
    lines.append(f"Limiti per pagina (gzip): {limits}.")
    return "\n".join(lines)
