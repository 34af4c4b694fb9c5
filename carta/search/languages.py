"""Search in the other languages of a Carta (``lingue`` in ``carta.yaml``).

Each language ``L`` gets its own index, beside the Italian one: ``_search/L/`` holds a Whoosh
index (``_search/L/whoosh/``, with ``_search/L/whoosh.sha256``) and the browser's static
index (``_search/L/index.json`` and its shards), in the same formats as ``_search/``. The
pages of ``/L/`` are searched: the entries translated into ``L`` with their translated text,
the others with their Italian text.

**One index, two analyzers.** Every document has the same fields as in the Italian index
(so the field lengths BM25F averages are over every document, as in the Italian index); a
field's text is made of *segments*, each analysed with the analyzer of its language: the
text of a translation with the ``L`` analyzer, Italian text (an untranslated entry, and the
Italian facts of a translated one: where to go, documents, names of enti and places) with
the Italian analyzer. A segment of ``L`` text begins with :data:`LANG_MARK`, a segment of
Italian text with :data:`ITALIAN_MARK` (control characters no content may hold). The terms
of the ``L`` analyzer are written ``L:term`` (``en:care``), so that an English word never
matches an Italian word that stems alike.

- English and French: Whoosh's Snowball stemmer and stop words for the language, accents
  folded before stemming (as for Italian);
- Arabic: no stemming; a normalisation which is exactly the lookup key of a word
  (:func:`carta.search.analysis.key`, ``fold`` in ``cerca.js``): lowercase, decomposed,
  combining marks removed — the tashkeel U+064B–U+0652, the superscript alef U+0670, and
  the hamza over or under a letter, so أ إ آ → ا (and ؤ → و, ئ → ي) — the tatweel U+0640
  removed, ٱ → ا, ة → ه, ى → ي (:func:`carta.search.analysis.arabic_normalise`).

**The vocabulary** (``w/``) maps each folded word (:func:`carta.search.analysis.key`, which
applies the same Arabic normalisation, as ``fold`` in ``cerca.js`` does) to its display
spelling, its term, the number of documents holding it and, when the word was indexed by both
analyzers, its other term: ``[spelling, term, df, other term]``. A query word becomes a
clause with one alternative per term. The browser never analyses: it folds and looks up.

**Words** are letters, digits and combining marks (``[\\p{L}\\p{N}\\p{M}_]``, manifest
``"tokens": "marks"``), so that a vowelled Arabic word is one word; the stop words of a
query are those of Italian and of ``L``.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.analysis import (
    Analyzer,
    CharsetFilter,
    Filter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
)
from whoosh.fields import TEXT, Schema
from whoosh.lang import stemmer_for_language, stopwords_for_language
from whoosh.support.charset import accent_map

from ..i18n import gettext
from ..kinds import KINDS, search_tipi
from ..markup import Renderer
from ..resolve import available_in
from ..site import Entry, Site, Translation
from . import engine as e
from .analysis import (
    FILLER_WORDS,
    MARKS_TOKEN_PATTERN,
    MIN_SIZE,
    STEM_CACHE,
    STOP_WORDS,
    SortedStopFilter,
    fold,
    key,
    marks_tokens,
    normalise,
    stem_it,
    term_of,
)
from .documents import (
    EXTRACT_CHARS,
    FACETS,
    FIELDS,
    SearchDoc,
    _names,
    _synonym_targets,
    _terms,
    display_word,
    filter_labels,
)
from .html import INTERFACE
from .index import (
    DOCS_PER_SHARD_LARGE,
    DOCS_PER_SHARD_SMALL,
    EMERGENCY_PAGE,
    FORMAT_VERSION,
    K1,
    LARGE_CARTA,
    MANIFEST,
    SEARCH_DIR,
    WHOOSH_DIGESTS,
    WHOOSH_DIR,
    B,
    _write_json,
    guidance_table,
    read_postings,
    schema,
    seeded_random,
    split_sorted,
    synonym_table,
)

#: a segment of text in the language of the index / in Italian (see the module docstring)
LANG_MARK = "\x01"
ITALIAN_MARK = "\x02"
_SEGMENTS = re.compile(f"([{LANG_MARK}{ITALIAN_MARK}])")

# --- the analyzers ----------------------------------------------------------------------------


def _stop_words(lang: str) -> frozenset[str]:
    if lang == "ar":
        return frozenset()
    words = stopwords_for_language(lang)
    return frozenset({*words, *(fold(w) for w in words)})


_STEMMERS = {lang: stemmer_for_language(lang) for lang in ("en", "fr")}


@lru_cache(maxsize=STEM_CACHE)
def stem_en(word: str) -> str:
    return str(_STEMMERS["en"](word))


@lru_cache(maxsize=STEM_CACHE)
def stem_fr(word: str) -> str:
    return str(_STEMMERS["fr"](word))


class ArabicFilter(Filter):
    """Whoosh filter: every token becomes its lookup key (:func:`key`, which normalises
    Arabic), so the browser's ``fold`` computes the very term."""

    def __call__(self, tokens: Iterator[Any]) -> Iterator[Any]:
        for t in tokens:
            t.text = key(t.text)
            yield t


def language_analyzer(lang: str) -> Any:
    """The analyzer of the text written in ``lang`` (en, fr, ar)."""
    head = (
        RegexTokenizer(MARKS_TOKEN_PATTERN)
        | LowercaseFilter()
        | SortedStopFilter(stoplist=_stop_words(lang), minsize=MIN_SIZE)
    )
    if lang == "ar":
        return head | ArabicFilter()
    stem = {"en": stem_en, "fr": stem_fr}[lang]
    return head | CharsetFilter(accent_map) | StemFilter(stemfn=stem, cachesize=None)


def italian_marks_analyzer() -> Any:
    """The Italian analyzer with the words of :data:`MARKS_TOKEN_PATTERN`."""
    return (
        RegexTokenizer(MARKS_TOKEN_PATTERN)
        | LowercaseFilter()
        | SortedStopFilter(stoplist=STOP_WORDS, minsize=MIN_SIZE)
        | CharsetFilter(accent_map)
        | StemFilter(stemfn=stem_it, cachesize=None)
    )


class MixedAnalyzer(Analyzer):
    """Whoosh analyzer of a field of a language's index: each segment of the text with the
    analyzer of its language, the terms of ``lang`` written ``lang:term``."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.own = language_analyzer(lang)
        self.italian = italian_marks_analyzer()

    def __call__(self, value: str, **kwargs: Any) -> Iterator[Any]:
        own = False
        for part in _SEGMENTS.split(value):
            if part in (LANG_MARK, ITALIAN_MARK):
                own = part == LANG_MARK
                continue
            if not part:
                continue
            analyzer = self.own if own else self.italian
            for token in analyzer(normalise(part), **kwargs):
                if own:
                    token.text = f"{self.lang}:{token.text}"
                yield token


@lru_cache(maxsize=262144)
def language_term(lang: str, word: str) -> str | None:
    """The term the ``lang`` analyzer indexes for a lowercased surface word (``None`` for a
    stop word), namespaced: ``en:care``."""
    if len(word) < MIN_SIZE:
        return None
    if lang == "ar":
        return f"ar:{key(word)}"
    stops = _stop_words(lang)
    if word in stops or key(word) in stops:
        return None
    return f"{lang}:{(stem_en if lang == 'en' else stem_fr)(fold(word))}"


def query_stop_words(lang: str) -> frozenset[str]:
    """The words a query in ``lang``'s index drops: stop words of Italian or of ``lang``."""
    return STOP_WORDS | _stop_words(lang)


# --- documents --------------------------------------------------------------------------------


def own(text: str) -> str:
    """``text`` as a segment in the index's language."""
    return f"{LANG_MARK}{text}" if text else ""


def italian(text: str) -> str:
    """``text`` as an Italian segment."""
    return f"{ITALIAN_MARK}{text}" if text else ""


def segments(text: str) -> Iterator[tuple[bool, str]]:
    """(in the index's language, text) of each segment of a field's text."""
    mine = False
    for part in _SEGMENTS.split(text):
        if part in (LANG_MARK, ITALIAN_MARK):
            mine = part == LANG_MARK
        elif part:
            yield mine, part


def build_language_documents(site: Site, lang: str, md: Renderer | None = None) -> list[SearchDoc]:
    """The documents of ``lang``'s index, in the order of the Italian index: each entry in
    its translation into ``lang`` when it has one, in Italian otherwise; URLs under ``/lang/``."""
    md = md or Renderer()
    synonyms = _synonym_targets(site)
    entries = sorted(
        site.all_entries(), key=lambda x: (KINDS[x.kind].search_position, *x.sort_key())
    )
    return [_language_document(site, entry, lang, md, synonyms) for entry in entries]


def _body(kind: str, intro: str, sections: list[Any], body: str, md: Renderer) -> str:
    if kind == "servizio":
        parts = [md.text(intro), *(md.text(s.markdown) for s in sections)]
        return " ".join(t for t in parts if t)
    return md.text(body)


def _language_document(
    site: Site,
    entry: Entry,
    lang: str,
    md: Renderer,
    synonyms: list[tuple[str, list[set[str]]]],
) -> SearchDoc:
    meta = entry.meta
    translation: Translation | None = entry.translations.get(lang)
    facets: dict[str, list[str]] = {"tipo": [entry.kind]}
    facets["aree"] = list(getattr(meta, "aree", []))
    facets["destinatari"] = list(getattr(meta, "destinatari", []))
    territorio = list(getattr(meta, "territorio", []))
    facets["territorio"] = territorio
    costo: list[str] = []
    extra: list[str] = []
    ente_names = ""
    if entry.kind == "servizio":
        extra += [meta.accesso.dove, *meta.documenti, *meta.normativa]
        if meta.costi.descrizione:
            extra.append(meta.costi.descrizione)
        if meta.costi.tipo == "gratuito":
            costo.append("gratuito")
        if meta.costi.isee:
            costo.append("isee")
        ente_names = _names(entry.links["ente"] + entry.links["partner"])
    elif entry.kind == "iniziativa":
        ente_names = _names(entry.links["promotori"] + entry.links["partner"])
    elif entry.kind == "ente":
        ente_names = _names(entry.links["parte_di"])
    facets["costo"] = costo
    places = " ; ".join(site.place_name(p) for p in territorio)
    keywords = list(getattr(meta, "parole_chiave", []))
    if entry.kind == "ente" and meta.sigla:
        keywords.append(meta.sigla)
    own_terms = _terms(" ".join([entry.title, entry.summary, *keywords]))
    keywords += [k for k, groups in synonyms if any(g <= own_terms for g in groups)]
    italian_body = _body(entry.kind, entry.intro, entry.sections, entry.body, md)
    if translation is None:
        title, summary, body = entry.title, entry.summary, italian_body
        text = {
            "titolo": italian(" ; ".join([entry.title, *getattr(meta, "altri_nomi", [])])),
            "parole": italian(" ; ".join(keywords)),
            "sommario": italian(entry.summary),
            "testo": italian(" ".join([italian_body, *extra])),
        }
    else:
        tmeta = translation.meta
        title, summary = translation.title, translation.summary
        body = _body(entry.kind, translation.intro, translation.sections, translation.body, md)
        names = [translation.title, *getattr(tmeta, "altri_nomi", [])]
        text = {
            "titolo": own(" ; ".join(names)),
            # the Italian names, keywords and everyday words stay: a reader may know the
            # Italian words («assistenza domiciliare», «badante»)
            "parole": own(" ; ".join(getattr(tmeta, "parole_chiave", [])))
            + italian(" ; ".join([entry.title, *getattr(meta, "altri_nomi", []), *keywords])),
            "sommario": own(translation.summary),
            "testo": own(body) + italian(" ".join(extra)),
        }
    text["ente"] = italian(ente_names)
    text["luoghi"] = italian(places)
    extract = " ".join(part for part in (summary, body) if part)[:EXTRACT_CHARS]
    return SearchDoc(
        slug=entry.slug,
        tipo=entry.kind,
        titolo=title,
        sommario=summary,
        url=f"/{lang}{entry.url}",
        text=text,
        facets=facets,
        extract=extract,
        comuni=[c for c in site.territorio.comuni if territorio and available_in(site, entry, c)],
    )


# --- the indexes ------------------------------------------------------------------------------


def language_root(out_dir: Path, lang: str) -> Path:
    """``_search/<lang>/`` under a built site."""
    return out_dir / SEARCH_DIR / lang


def language_schema(lang: str) -> Schema:
    """The fields of the Italian index (:func:`carta.search.index.schema`), the text fields
    analysed with :class:`MixedAnalyzer`."""
    analyzer = MixedAnalyzer(lang)
    fields: dict[str, Any] = {name: TEXT(analyzer=analyzer, phrase=False) for name in FIELDS}
    fields.update({name: field for name, field in schema().items() if name not in FIELDS})
    return Schema(**fields)


def write_language_indexes(
    site: Site,
    out_dir: Path,
    md: Renderer | None = None,
    *,
    counted: Callable[[], None] | None = None,
    languages: Sequence[str] | None = None,
) -> list[str]:
    """Write the Whoosh and browser indexes of every language of ``lingue`` (or of those of
    ``languages``); return the languages written. Writes nothing for an Italian-only Carta."""
    done: list[str] = []
    for lang in site.config.lingue if languages is None else languages:
        docs = build_language_documents(site, lang, md)
        ix = write_language_whoosh(docs, out_dir, lang)
        write_language_browser_index(site, docs, ix, out_dir, lang)
        done.append(lang)
        if counted is not None:
            counted()
    return done


def write_language_whoosh(docs: list[SearchDoc], out_dir: Path, lang: str) -> Any:
    """The Whoosh index of ``lang`` (as :func:`carta.search.index.write_whoosh_index`)."""
    root = language_root(out_dir, lang)
    whoosh_dir = root / WHOOSH_DIR
    whoosh_dir.mkdir(parents=True)
    with seeded_random(f"carta-search-index-{lang}"):
        ix = whoosh_index.create_in(str(whoosh_dir), language_schema(lang))
        writer = ix.writer(limitmb=256, compound=False)
        for n, doc in enumerate(docs):
            writer.add_document(
                docnum=n,
                slug=doc.slug,
                tipo=doc.tipo,
                titolo_s=doc.titolo,
                sommario_s=doc.sommario,
                url=doc.url,
                estratto=doc.extract,
                aree=",".join(doc.facets["aree"]),
                destinatari=",".join(doc.facets["destinatari"]),
                territorio=",".join(doc.facets["territorio"]),
                comuni=",".join(doc.comuni),
                costo=",".join(doc.facets["costo"]),
                **doc.text,
            )
        writer.commit()
    (whoosh_dir / "MAIN_WRITELOCK").unlink(missing_ok=True)
    (root / WHOOSH_DIGESTS).write_text(
        "".join(
            f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.name}\n"
            for p in sorted(whoosh_dir.iterdir())
        ),
        encoding="utf-8",
        newline="\n",
    )
    return ix


def term_for(lang: str, mine: bool, word: str) -> str | None:
    """The term of ``word`` in a segment of ``lang``'s index (``mine``: in ``lang``)."""
    return language_term(lang, word) if mine else term_of(word)


#: the messages of a search, which the page shows in the reader's language
MESSAGES = (
    e.MSG_COMMON,
    e.MSG_EMPTY,
    e.MSG_ANY,
    e.MSG_SIMILAR,
    e.MSG_NONE,
    e.MSG_NONE_FILTERS,
    e.MSG_FILTERS_ONLY,
    e.ASK_TEXT,
    e.AREAS_TEXT,
    e.ASK_ALSO_TEXT,
    e.AREAS_ALSO_TEXT,
    e.AREAS_LINK["titolo"],
)


def write_language_browser_index(
    site: Site, docs: list[SearchDoc], ix: Any, out_dir: Path, lang: str
) -> dict[str, Any]:
    """The browser's index of ``lang`` (the format of ``_search/``; see the module docstring
    for the vocabulary's extra terms)."""
    root = language_root(out_dir, lang)
    n_docs = len(docs)
    postings, doc_freq, avg_lengths = read_postings(ix, n_docs)
    surfaces: dict[str, set[str]] = defaultdict(set)
    terms_of: dict[str, set[str]] = defaultdict(set)
    for doc in docs:
        for text in doc.text.values():
            for mine, part in segments(text):
                for word, _, _ in marks_tokens(part):
                    term = term_for(lang, mine, word)
                    if term and term in doc_freq:
                        surfaces[key(word)].add(word)
                        terms_of[key(word)].add(term)
    words: dict[str, list[Any]] = {}
    for folded_word in sorted(surfaces):
        first, *others = sorted(terms_of[folded_word])
        held = set().union(*(doc_freq[t] for t in [first, *others]))
        words[folded_word] = [display_word(surfaces[folded_word]), first, len(held), *others]

    per_shard = DOCS_PER_SHARD_LARGE if n_docs > LARGE_CARTA else DOCS_PER_SHARD_SMALL
    post_shards, post_bounds = split_sorted(
        postings,
        {t: len(t) + len(json.dumps(p, separators=(",", ":"))) for t, p in postings.items()},
    )
    word_shards, word_bounds = split_sorted(words, {w: 2 * len(w) + 24 for w in words})
    for k, shard in enumerate(post_shards):
        _write_json(root / "p" / f"{k}.json", shard)
    for k, shard in enumerate(word_shards):
        _write_json(root / "w" / f"{k}.json", shard)
    for k in range(0, n_docs, per_shard):
        rows = [
            [d.slug, d.tipo, d.titolo, d.sommario, d.url, d.extract]
            for d in docs[k : k + per_shard]
        ]
        _write_json(root / "d" / f"{k // per_shard}.json", rows)
    facets: dict[str, list[int]] = {}
    for name in FACETS:
        values: dict[str, list[int]] = defaultdict(list)
        for n, doc in enumerate(docs):
            for value in doc.facets[name]:
                values[value].append(n)
        for value, members in sorted(values.items()):
            facets[f"{name}:{value}"] = [
                b - a for a, b in zip([0, *members], members, strict=False)
            ]
    _write_json(root / "facets.json", facets)
    manifest = {
        "version": FORMAT_VERSION,
        "lang": lang,
        "tokens": "marks",
        "docs": n_docs,
        "fields": [[name, boost, avg_lengths[name]] for name, boost in FIELDS.items()],
        "bm25": {"B": B, "K1": K1},
        "shards": {"postings": len(post_shards), "words": len(word_shards), "docs": per_shard},
        "bounds": {"postings": post_bounds, "words": word_bounds},
        "stop": sorted(query_stop_words(lang)),
        "filler": sorted(FILLER_WORDS),
        "synonyms": synonym_table(site),
        "guidance": language_guidance(site, lang),
        "sub_ambito_of": dict(sorted(site.sub_ambito_of.items())),
        "labels": language_labels(site, lang),
        "prefix": site.urls.prefix,
        # the messages of a search in the reader's language (Italian text → its translation)
        "messages": {m: gettext(lang, m) for m in MESSAGES},
        # the words cerca.js writes around the results (carta.search.html.INTERFACE)
        "interface": {w: gettext(lang, w) for w in INTERFACE},
        # the documents whose text is in ``lang`` (the others are Italian)
        "translated": [n for n, x in enumerate(_entries(site)) if lang in x.translations],
    }
    _write_json(root / MANIFEST, manifest)
    return manifest


def _entries(site: Site) -> list[Entry]:
    return sorted(site.all_entries(), key=lambda x: (KINDS[x.kind].search_position, *x.sort_key()))


def language_guidance(site: Site, lang: str) -> dict[str, Any]:
    """:func:`carta.search.index.guidance_table` with the links of ``/lang/`` and the areas."""
    table = guidance_table(site)
    entries = {x.url: x for x in site.all_entries()}
    for link in table["ask"]:
        translation = entries[link["url"]].translations.get(lang)
        if translation is not None:
            link["titolo"] = translation.title
        link["url"] = f"/{lang}{link['url']}"
    emergency = table["emergency"]
    if emergency is not None:
        translation = site.pagine[EMERGENCY_PAGE].translations.get(lang)
        emergency["url"] = f"/{lang}{emergency['url']}"
        if translation is not None:
            emergency["titolo"] = translation.title
            emergency["testo"] = translation.summary or emergency["testo"]
    table["areas"] = {"titolo": gettext(lang, e.AREAS_LINK["titolo"]), "url": f"/{lang}/aree/"}
    return table


def language_labels(site: Site, lang: str) -> dict[str, dict[str, str]]:
    """:func:`carta.search.documents.filter_labels`, the words of the interface in ``lang``
    (the names of areas, people and places stay as the Carta writes them)."""
    labels = filter_labels(site)
    labels["tipo"] = {k.name: gettext(lang, k.plural_label) for k in search_tipi()}
    labels["tipo_scheda"] = {k.name: gettext(lang, k.label) for k in search_tipi()}
    labels["costo"] = {v: gettext(lang, text) for v, text in labels["costo"].items()}
    return labels


#: the words of the search form (carta.search.html.form_html)
FORM_WORDS = (
    "Che cosa cerchi?",
    "Cerca",
    "Scrivi con parole tue, per esempio «badante», «affitto» o «aiuto a casa per un anziano».",
    "Filtri: area, per chi, comune, tipo",
    "Filtra i risultati",
    "Tutti",
    "Solo servizi gratuiti",
    "Applica i filtri",
)


def catalogue_messages() -> list[str]:
    """Every Italian text the search shows in another language (the message ids the
    catalogues of :mod:`carta.i18n` should translate): messages, the words around the
    results, the form, the kinds."""
    kinds = [w for k in search_tipi() for w in (k.label, k.plural_label)]
    return list(dict.fromkeys([*MESSAGES, *INTERFACE, *FORM_WORDS, *kinds]))
