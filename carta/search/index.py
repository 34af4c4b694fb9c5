"""Build time: the Whoosh index in ``_search/whoosh/`` and, exported from that same index,
the static index the browser script reads.

Both are written into the build's staging folder, so they are swapped into ``site/`` with
the pages or not at all. Whoosh names its segments randomly: the random generator is seeded
for the duration of the write (and restored after), so that two builds are byte-identical.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema

from ..markup import Renderer
from ..parallel import ForkSafeLock
from ..site import Site
from .analysis import FILLER_WORDS, STOP_WORDS, italian_analyzer, key, term_of, tokens
from .documents import FACETS, FIELDS, SearchDoc, build_documents, display_word, filter_labels

FORMAT_VERSION = 1
SEARCH_DIR = "_search"
WHOOSH_DIR = "whoosh"
MANIFEST = "index.json"
WHOOSH_DIGESTS = "whoosh.sha256"
B, K1 = 0.75, 1.2
#: postings and vocabulary are split into shards of about SHARD_BYTES (one file below
#: SINGLE_FILE_BYTES), by ranges of sorted keys (neighbours share letters, so a shard
#: compresses almost as well as one file), so that a first search downloads only what it
#: needs: on a phone the search page waits for these files before it shows anything. Small
#: shards: a rare word then costs a few hundred bytes besides its own postings (at 10,000
#: entries, 16 kB shards made a first search fetch up to 130 KB, 4 kB shards 85 KB; the
#: list of shard bounds in the manifest grows as shards shrink)
SINGLE_FILE_BYTES = 24_000
SHARD_BYTES = 4_000
#: documents per document shard, for small and for large Carte (a first search fetches the
#: shards of the 20 results it shows, which in a large Carta are 20 different shards)
DOCS_PER_SHARD_SMALL = 32
DOCS_PER_SHARD_LARGE = 2
LARGE_CARTA = 1000
#: the free page a search about violence or an emergency leads to (see ``guidance``)
EMERGENCY_PAGE = "numeri-utili"


def schema() -> Schema:
    analyzer = italian_analyzer()
    fields: dict[str, Any] = {name: TEXT(analyzer=analyzer, phrase=False) for name in FIELDS}
    fields.update(
        docnum=STORED(),
        slug=ID(stored=True, unique=True),
        tipo=ID(stored=True),
        titolo_s=STORED(),
        sommario_s=STORED(),
        url=STORED(),
        estratto=STORED(),
        aree=KEYWORD(stored=True, commas=True),
        destinatari=KEYWORD(stored=True, commas=True),
        territorio=KEYWORD(stored=True, commas=True),
        comuni=KEYWORD(stored=True, commas=True),
        costo=KEYWORD(stored=True, commas=True),
    )
    return Schema(**fields)


#: held while the global ``random`` is seeded: Whoosh names its segments with it, so two
#: indexes written at once in two threads would draw each other's names
_SEEDED = ForkSafeLock()


@contextmanager
def seeded_random(seed: str) -> Iterator[None]:
    """The global ``random`` seeded with ``seed`` (Whoosh's segment names, so that the index
    files are the same bytes build after build), one thread at a time."""
    with _SEEDED:
        state = random.getstate()
        random.seed(seed)
        try:
            yield
        finally:
            random.setstate(state)


def write_search_index(site: Site, out_dir: Path, md: Renderer | None = None) -> dict[str, Any]:
    """Write ``_search/`` under ``out_dir`` (both indexes); return the browser manifest."""
    docs = build_documents(site, md)
    ix = write_whoosh_index(docs, out_dir)
    return write_browser_index(site, docs, ix, out_dir)


def write_whoosh_index(docs: list[SearchDoc], out_dir: Path) -> Any:
    """Write the Whoosh index of ``docs`` under ``out_dir``, with the digests of its files
    (for the server and the command line); return the index, read by the browser export."""
    whoosh_dir = out_dir / SEARCH_DIR / WHOOSH_DIR
    whoosh_dir.mkdir(parents=True)
    with seeded_random("carta-search-index"):
        ix = whoosh_index.create_in(str(whoosh_dir), schema())
        writer = ix.writer(limitmb=256, compound=False)  # a compound file records mtimes
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
    # not in the browser manifest, which every browser downloads
    (out_dir / SEARCH_DIR / WHOOSH_DIGESTS).write_text(
        "".join(
            f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.name}\n"
            for p in sorted(whoosh_dir.iterdir())
        ),
        encoding="utf-8",
        newline="\n",
    )
    return ix


def write_browser_index(
    site: Site, docs: list[SearchDoc], ix: Any, out_dir: Path
) -> dict[str, Any]:
    """Write the browser's index (shards and manifest) under ``out_dir``, scored with the
    statistics of the Whoosh index ``ix``; return the manifest."""
    root = out_dir / SEARCH_DIR
    manifest = export_browser_index(site, docs, ix, root)
    _write_json(root / MANIFEST, manifest)
    return manifest


def _write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(
            data, ensure_ascii=False, separators=(",", ":"), sort_keys=True, allow_nan=False
        ),
        encoding="utf-8",
    )


def utf16_order(text: str) -> bytes:
    """The order in which the browser compares strings (UTF-16 code units)."""
    return text.encode("utf-16-be")


def split_sorted(
    items: dict[str, Any], sizes: dict[str, int]
) -> tuple[list[dict[str, Any]], list[str]]:
    """Shards of about SHARD_BYTES, by ranges of keys in the browser's order, and the first
    key of every shard after the first (the browser finds a key's shard by bisection)."""
    total = sum(sizes.values())
    count = 1 if total <= SINGLE_FILE_BYTES else math.ceil(total / SHARD_BYTES)
    target = total / count
    shards: list[dict[str, Any]] = [{}]
    bounds: list[str] = []
    size = 0
    for k in sorted(items, key=utf16_order):
        if size >= target and len(shards) < count:
            shards.append({})
            bounds.append(k)
            size = 0
        shards[-1][k] = items[k]
        size += sizes[k]
    return shards, bounds


def read_postings(
    ix: Any, n_docs: int
) -> tuple[dict[str, dict[str, list[int]]], dict[str, set[int]], dict[str, float]]:
    """What the browser scores with, read from a Whoosh index of ``n_docs`` documents: term →
    field → flat ``[docnum delta, frequency, field length, …]``; term → the documents that
    have it (only terms with postings); field → its average length."""
    postings: dict[str, dict[str, list[int]]] = defaultdict(dict)
    doc_freq: dict[str, set[int]] = {}
    avg_lengths: dict[str, float] = {}
    with ix.searcher() as searcher:
        reader = searcher.reader()
        for field in FIELDS:
            avg_lengths[field] = searcher.avg_field_length(field) or 1
            # the field's length in each document, read once (not once per posting); a
            # document without the field has no posting to read it
            lengths = [int(reader.doc_field_length(n, field, 1) or 0) for n in range(n_docs)]
            for term in sorted(
                t.decode("utf-8") if isinstance(t, bytes) else t for t in reader.lexicon(field)
            ):
                flat: list[int] = []
                previous = 0
                for docnum, weight in reader.postings(field, term).items_as("weight"):
                    flat += [docnum - previous, int(weight), lengths[docnum]]
                    previous = docnum
                    doc_freq.setdefault(term, set()).add(docnum)
                postings[term][field] = flat
    return postings, doc_freq, avg_lengths


def export_browser_index(site: Site, docs: list[SearchDoc], ix: Any, root: Path) -> dict[str, Any]:
    """Export the statistics Whoosh scores with (term frequencies, field lengths as Whoosh
    stores them, document frequencies, average lengths) so that the browser computes the
    very same BM25F scores."""
    n_docs = len(docs)
    postings, doc_freq, avg_lengths = read_postings(ix, n_docs)
    # vocabulary: every surface word of the indexed text → its term
    surfaces: dict[str, set[str]] = defaultdict(set)  # folded → surface spellings
    for doc in docs:
        for text in doc.text.values():
            for word, _, _ in tokens(text):
                if term_of(word):
                    surfaces[key(word)].add(word)
    # the vocabulary, keyed by folded word (term_of(w) == term_of(fold(w))): folded word →
    # [spelling to show, term, documents with the term]
    words: dict[str, list[Any]] = {}
    for folded_word in sorted(surfaces):
        term = term_of(sorted(surfaces[folded_word])[0])
        assert term is not None
        df = len(doc_freq.get(term, ()))
        if df:
            words[folded_word] = [display_word(surfaces[folded_word]), term, df]

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

    return {
        "version": FORMAT_VERSION,
        "docs": n_docs,
        "fields": [[name, boost, avg_lengths[name]] for name, boost in FIELDS.items()],
        "bm25": {"B": B, "K1": K1},
        "shards": {"postings": len(post_shards), "words": len(word_shards), "docs": per_shard},
        "bounds": {"postings": post_bounds, "words": word_bounds},
        "stop": sorted(STOP_WORDS),
        "filler": sorted(FILLER_WORDS),
        "synonyms": synonym_table(site),
        "guidance": guidance_table(site),
        "sub_ambito_of": dict(sorted(site.sub_ambito_of.items())),
        "labels": filter_labels(site),
        # the path the Carta lives under (url_base), for the links of the server's results
        "prefix": site.urls.prefix,
    }


def guidance_table(site: Site) -> dict[str, Any]:
    """What a search points to: the entries of ``dove_chiedere`` (where to ask) and the
    emergency page, with the terms of its title (a synonym that targets the title, such as
    ``violenza: [numeri utili]``, leads there)."""
    entries = {e.slug: e for e in site.all_entries()}
    ask = [
        {"titolo": entries[slug].title, "url": entries[slug].url}
        for slug in site.config.dove_chiedere
        if slug in entries
    ]
    page = site.pagine.get(EMERGENCY_PAGE)
    emergency = None
    if page is not None:
        emergency = {
            "titolo": page.title,
            "url": page.url,
            "testo": page.summary,
            "terms": [t for w, _, _ in tokens(page.title) if (t := term_of(w))],
        }
    return {"ask": ask, "emergency": emergency}


def synonym_table(site: Site) -> list[list[Any]]:
    """``[[key words (folded, no stop words)], [[term, …], …]]``: the first group is the key's
    own terms, then one group per target phrase."""
    table = []
    for everyday, targets in sorted(site.sinonimi.items()):
        key_words = [key(w) for w, _, _ in tokens(everyday) if term_of(w)]
        if not key_words:
            continue
        groups: list[list[str]] = []
        for phrase in [everyday, *targets]:
            group = [t for w, _, _ in tokens(phrase) if (t := term_of(w))]
            if group and group not in groups:
                groups.append(group)
        table.append([key_words, groups])
    return table
