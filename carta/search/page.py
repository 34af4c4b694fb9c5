"""Build time: what ``/cerca/`` shows before a search, an empty form in the site's theme
(the page itself is written by :meth:`carta.render.SiteWriter.search_page`)."""

from __future__ import annotations

from typing import Any

from ..i18n import SOURCE
from ..site import Site
from .documents import filter_labels
from .engine import SearchResult
from .html import form_html, results_html


def search_page_context(site: Site, lang: str = SOURCE) -> dict[str, Any]:
    """The context of ``cerca.html`` for the page written at build time; with ``lang``, of
    ``/<lang>/cerca/``: the form in that language, and ``search_index``, the site-relative
    folder of the index its ``data-indice`` names for ``cerca.js`` (``/_search/<lang>/``)."""
    prefix = site.urls.prefix
    empty = SearchResult(query="", total=0, suggestion=None, message=None, results=[])
    if lang == SOURCE:
        labels = filter_labels(site)
        return {
            "search_form": form_html(labels, prefix=prefix),
            "search_results": results_html(empty, labels, 1, 20, prefix),
        }
    from .languages import language_labels

    labels = language_labels(site, lang)
    return {
        "search_form": form_html(labels, prefix=prefix, lang=lang),
        "search_results": results_html(empty, labels, 1, 20, prefix, lang=lang),
        "search_index": f"/_search/{lang}/",
    }
