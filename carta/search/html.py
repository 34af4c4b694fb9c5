"""The search page's form and results as HTML: rendered empty at build time into
``/cerca/``, and filled at request time by the server. ``cerca.js`` builds the same results
markup in the browser."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from markupsafe import Markup, escape

from ..i18n import SOURCE, gettext
from ..kinds import KINDS
from .engine import SearchResult

FILTER_LABELS = {
    "area": ("aree", "Area di bisogno"),
    "destinatari": ("destinatari", "Per chi"),
    "comune": ("comuni", "Comune"),
    "tipo": ("tipo", "Tipo di scheda"),
}
#: the words of the results that ``cerca.js`` writes too, in the reader's language (the
#: browser reads them from the manifest of a language's index, ``interface``)
INTERFACE = (
    "Nessun risultato",
    "{n} risultato",
    "{n} risultati",
    "{count} per «{query}»",
    "Forse cercavi:",
    "Filtri applicati",
    "Solo gratuiti",
    "(rimuovi il filtro)",
    "Rimuovi tutti i filtri",
    "Pagine dei risultati",
    "Pagina precedente",
    "Pagina {page} di {pages}",
    "Pagina successiva",
    "Area di bisogno",
    "Per chi",
    "Comune",
    "Tipo di scheda",
    "La ricerca non è disponibile in questo momento. Consulta",
    "i servizi dalla A alla Z",
)
RESULTS_START = "<!--carta:risultati-->"
RESULTS_END = "<!--/carta:risultati-->"
FORM_START = "<!--carta:modulo-->"
FORM_END = "<!--/carta:modulo-->"


def search_url(
    prefix: str, query: str, filters: dict[str, str], page: int = 1, lang: str = SOURCE
) -> str:
    params = [("q", query)] if query else []
    params += sorted(filters.items())
    if page > 1:
        params.append(("pagina", str(page)))
    return f"{prefix}{_folder(lang)}/cerca/" + (f"?{urlencode(params)}" if params else "")


def _folder(lang: str) -> str:
    """The folder of a language's pages: ``/en``; nothing for Italian."""
    return "" if lang == SOURCE else f"/{lang}"


def form_html(
    labels: dict[str, dict[str, str]],
    query: str = "",
    filters: dict[str, str] | None = None,
    counts: dict[str, dict[str, int]] | None = None,
    prefix: str = "",
    lang: str = SOURCE,
) -> Markup:
    """The search form; ``lang``: the language of the page (its words from the catalogue)."""
    filters = filters or {}

    def t(text: str) -> str:
        return gettext(lang, text)

    hint = t(
        "Scrivi con parole tue, per esempio «badante», «affitto» o «aiuto a casa per un anziano»."
    )
    parts = [
        FORM_START,
        f'<form class="cerca" method="get" action="{escape(prefix)}{_folder(lang)}/cerca/" '
        'role="search">',
        f'<p class="campo"><label for="q">{escape(t("Che cosa cerchi?"))}</label>',
        f'<input type="search" id="q" name="q" value="{escape(query)}" maxlength="200" '
        'autocomplete="off" aria-describedby="q-aiuto">',
        f'<button type="submit">{escape(t("Cerca"))}</button></p>',
        f'<p id="q-aiuto" class="aiuto">{escape(hint)}</p>',
        f'<details class="filtri-box"{" open" if filters else ""}>',
        f"<summary>{escape(t('Filtri: area, per chi, comune, tipo'))}</summary>",
        f'<fieldset class="filtri"><legend>{escape(t("Filtra i risultati"))}</legend>',
    ]
    for name, (facet, label) in FILTER_LABELS.items():
        options = labels[facet] if name != "tipo" else labels["tipo"]
        parts.append(f'<p class="filtro"><label for="f-{name}">{escape(t(label))}</label>')
        parts.append(
            f'<select id="f-{name}" name="{name}"><option value="">{escape(t("Tutti"))}</option>'
        )
        for value, text in options.items():
            count = (counts or {}).get(facet, {}).get(value)
            shown = f"{text} ({count})" if counts is not None and count else text
            selected = " selected" if filters.get(name) == value else ""
            parts.append(f'<option value="{escape(value)}"{selected}>{escape(shown)}</option>')
        parts.append("</select></p>")
    # offered only when it can match: some entry is free (and, with counts, some result is)
    free = "gratuito" in labels.get("costo", {}) and (
        counts is None or bool(counts.get("costo", {}).get("gratuito")) or "gratuito" in filters
    )
    if free:
        checked = " checked" if filters.get("gratuito") else ""
        parts += [
            f'<p class="filtro spunta"><input type="checkbox" id="f-gratuito" name="gratuito" value="1"{checked}>',
            f'<label for="f-gratuito">{escape(t("Solo servizi gratuiti"))}</label></p>',
        ]
    parts += [
        f'<p><button type="submit">{escape(t("Applica i filtri"))}</button></p>',
        "</fieldset></details></form>",
        FORM_END,
    ]
    return Markup("".join(parts))


def results_html(
    result: SearchResult,
    labels: dict[str, dict[str, str]],
    page: int,
    limit: int,
    prefix: str = "",
    lang: str = SOURCE,
) -> Markup:
    """The results; ``lang``: the language of the page (a result whose text is Italian on a
    page in another language is marked ``lang="it"``)."""

    def t(text: str) -> str:
        return gettext(lang, text)

    def url(query: str, filters: dict[str, str], page: int = 1) -> str:
        return search_url(prefix, query, filters, page, lang)

    query, filters = result.query, result.filters
    if not query and not filters:
        return Markup(f"{RESULTS_START}{RESULTS_END}")
    out = [RESULTS_START]
    count = count_text(result.total, lang)
    if query:
        count = t("{count} per «{query}»").format(count=count, query=escape(query))
    out.append(f'<p class="conteggio" id="conteggio">{count}</p>')
    if result.message:
        out.append(f'<p class="messaggio">{escape(result.message)}</p>')
    # before the results when there are none or when it is urgent, after them otherwise
    first = bool(result.guidance and (result.guidance["urgent"] or not result.results))
    if first:
        out.append(guidance_html(result.guidance, prefix))  # type: ignore[arg-type]
    if result.suggestion:
        link = url(result.suggestion, filters)
        out.append(
            f'<p class="suggerimento">{escape(t("Forse cercavi:"))} <a href="{escape(link)}">'
            f"{escape(result.suggestion)}</a></p>"
        )
    if filters:
        out.append(f'<ul class="filtri-attivi" aria-label="{escape(t("Filtri applicati"))}">')
        for name, value in filters.items():
            rest = {k: v for k, v in filters.items() if k != name}
            text = _filter_text(name, value, labels, lang)
            out.append(
                f'<li><a href="{escape(url(query, rest))}">{escape(text)}'
                f'<span class="nascosto"> {escape(t("(rimuovi il filtro)"))}</span> '
                '<span aria-hidden="true">×</span></a></li>'
            )
        out.append(
            f'<li><a href="{escape(url(query, {}))}">{escape(t("Rimuovi tutti i filtri"))}</a>'
            "</li></ul>"
        )
    if result.results:
        start = (page - 1) * limit + 1
        out.append(f'<ol class="risultati-elenco" start="{start}">')
        for hit in result.results:
            kind = labels.get("tipo_scheda", {}).get(hit.tipo) or KINDS[hit.tipo].label
            mark = f' lang="{hit.lingua}"' if hit.lingua and hit.lingua != lang else ""
            out.append(
                '<li class="risultato">'
                f'<p class="tipo">{escape(kind)}</p>'
                f'<h2{mark}><a href="{escape(prefix + hit.url)}">{escape(hit.titolo)}</a></h2>'
                f"<p{mark}>{Markup(hit.snippet) if hit.snippet else escape(hit.sommario)}</p>"  # noqa: S704 - snippet is escaped by the engine
                "</li>"
            )
        out.append("</ol>")
        pages = (result.total + limit - 1) // limit
        if pages > 1:
            out.append(f'<nav class="pagine" aria-label="{escape(t("Pagine dei risultati"))}"><ul>')
            if page > 1:
                out.append(
                    f'<li><a href="{escape(url(query, filters, page - 1))}" rel="prev">'
                    f"{escape(t('Pagina precedente'))}</a></li>"
                )
            out.append(
                f"<li>{escape(t('Pagina {page} di {pages}').format(page=page, pages=pages))}</li>"
            )
            if page < pages:
                out.append(
                    f'<li><a href="{escape(url(query, filters, page + 1))}" rel="next">'
                    f"{escape(t('Pagina successiva'))}</a></li>"
                )
            out.append("</ul></nav>")
    if result.guidance and not first:
        out.append(guidance_html(result.guidance, prefix))
    out.append(RESULTS_END)
    return Markup("".join(out))


def count_text(total: int, lang: str = SOURCE) -> str:
    """The count, said once: "Nessun risultato", "1 risultato", "12 risultati"."""
    if total == 0:
        return gettext(lang, "Nessun risultato")
    return gettext(lang, "{n} risultato" if total == 1 else "{n} risultati").format(n=total)


def guidance_html(guidance: dict[str, Any], prefix: str = "") -> str:
    """Where to go next, as ``cerca.js`` writes it too."""
    links = "".join(
        f'<li><a href="{escape(prefix + link["url"])}">{escape(link["titolo"])}</a></li>'
        for link in guidance["links"]
    )
    return (
        f'<div class="guida{" urgente" if guidance["urgent"] else ""}" role="note">'
        f'<p>{escape(guidance["text"])}</p><ul class="accessi">{links}</ul></div>'
    )


def _filter_text(
    name: str, value: str, labels: dict[str, dict[str, str]], lang: str = SOURCE
) -> str:
    if name == "gratuito":
        return gettext(lang, "Solo gratuiti")
    facet, label = FILTER_LABELS[name]
    return f"{gettext(lang, label)}: {labels[facet].get(value, value)}"


def fill_page(page: str, form: Markup, results: Markup) -> str:
    """Put the filled form and the results into the built ``/cerca/`` page."""
    page = replace_between(page, FORM_START, FORM_END, str(form))
    page = replace_between(page, "<!--carta:senza-js-->", "<!--/carta:senza-js-->", "")
    return replace_between(page, RESULTS_START, RESULTS_END, str(results))


def replace_between(text: str, start: str, end: str, replacement: str) -> str:
    i = text.find(start)
    j = text.find(end, i)
    if i < 0 or j < 0:
        return text
    return text[:i] + replacement + text[j + len(end) :]


def api_json(result: SearchResult) -> dict[str, Any]:
    return {
        "query": result.query,
        "total": result.total,
        "suggestion": result.suggestion,
        "message": result.message,
        "guidance": result.guidance,
        "filters": result.filters,
        "results": [
            {
                "slug": h.slug,
                "tipo": h.tipo,
                "titolo": h.titolo,
                "sommario": h.sommario,
                "url": h.url,
                "score": round(h.score, 6),
                "snippet": h.snippet,
                # on the index of another language: the language of the result's text
                **({"lingua": h.lingua} if h.lingua else {}),
            }
            for h in result.results
        ],
    }
