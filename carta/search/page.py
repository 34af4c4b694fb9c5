"""Build time: the ``/cerca/`` page, rendered with the site's theme around an empty form."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..render import make_environment
from ..site import Site
from .documents import filter_labels
from .engine import SearchResult
from .html import form_html, results_html


def write_search_page(site: Site, out_dir: Path, templates: Path) -> None:
    env = make_environment(templates, site)
    prefix = site.urls.prefix
    labels = filter_labels(site)
    empty = SearchResult(query="", total=0, suggestion=None, message=None, results=[])
    context: dict[str, Any] = {
        "page_url": "/cerca/",
        "search_form": form_html(labels, prefix=prefix),
        "search_results": results_html(empty, labels, 1, 20, prefix),
    }
    html = env.get_template("cerca.html").render(**context)
    target = out_dir / "cerca" / "index.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(html, encoding="utf-8", newline="\n")
