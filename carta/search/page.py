"""Build time: what ``/cerca/`` shows before a search, an empty form in the site's theme
(the page itself is written by :meth:`carta.render.SiteWriter.search_page`)."""

from __future__ import annotations

from typing import Any

from ..site import Site
from .documents import filter_labels
from .engine import SearchResult
from .html import form_html, results_html


def search_page_context(site: Site) -> dict[str, Any]:
    """The context of ``cerca.html`` for the page written at build time."""
    prefix = site.urls.prefix
    labels = filter_labels(site)
    empty = SearchResult(query="", total=0, suggestion=None, message=None, results=[])
    return {
        "search_form": form_html(labels, prefix=prefix),
        "search_results": results_html(empty, labels, 1, 20, prefix),
    }
