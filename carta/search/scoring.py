"""Query time: Whoosh's BM25F scores of a term, read once from the index and kept.

The engine asks, for each term of a query, which documents hold it and with what score (the
sum over the fields of Whoosh's BM25F score times the field weight), and combines those
maps itself: the same documents and scores as Whoosh's matchers (an ``And`` of the terms of
a group, an ``Or`` of the groups), without building a tree of matchers for every query. The
scores of a term are computed with Whoosh's own statistics (document frequency, the field
length Whoosh stores in a byte, the average field length) and formula, so they equal what
``searcher.search`` returns, up to the order in which floating-point sums are added.

Both maps, per term and per clause, are kept in bounded caches: a warm engine answers a
query it has seen, or one made of words it has seen, without reading the index again.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from math import log
from typing import Any, Generic, TypeVar

from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.util.numeric import byte_to_length

from .documents import FIELDS
from .index import K1, B

#: cached (document, score) pairs, per cache: a few tens of megabytes at most
CACHE_ENTRIES = 400_000

V = TypeVar("V")


class BoundedCache(Generic[V]):
    """Least recently used entries go first once their sizes add up to ``capacity``."""

    def __init__(self, capacity: int = CACHE_ENTRIES):
        self.capacity = capacity
        self.size = 0
        self._items: OrderedDict[Hashable, tuple[V, int]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> V | None:
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            self._items.move_to_end(key)
            return item[0]

    def put(self, key: Hashable, value: V, size: int) -> None:
        with self._lock:
            if key in self._items:
                return
            self._items[key] = (value, size)
            self.size += size
            while self.size > self.capacity and len(self._items) > 1:
                _, (_, dropped) = self._items.popitem(last=False)
                self.size -= dropped


class TermScores:
    """Document → score of a term over every field, from one open Whoosh searcher."""

    def __init__(self, searcher: Any):
        self.searcher = searcher
        self.reader = searcher.reader()
        self.doc_count = self.reader.doc_count_all()
        self._lock = threading.Lock()  # Whoosh's files are read with seek and read
        self._norms: dict[str, list[float]] = {}
        self._cache: BoundedCache[dict[int, float]] = BoundedCache()
        # one segment without deletions: its posting blocks can be read whole
        self._blocks = self.reader.is_atomic() and not self.reader.has_deletions()

    def _norm(self, field: str) -> list[float]:
        """Per document, the part of BM25F's denominator that depends on the field length
        (``K1 * ((1 - B) + B * fl / avgfl)``, computed as Whoosh computes it)."""
        norms = self._norms.get(field)
        if norms is None:
            avgfl = self.searcher.avg_field_length(field) or 1
            # Whoosh stores a field's length in one byte: 256 possible values
            table = [K1 * ((1 - B) + B * byte_to_length(b) / avgfl) for b in range(256)]
            raw = self._length_bytes(field)
            if raw is not None:
                norms = [table[b] for b in raw]
            else:
                length = self.reader.doc_field_length
                norms = [
                    K1 * ((1 - B) + B * (length(d, field, 1) or 0) / avgfl)
                    for d in range(self.doc_count)
                ]
            self._norms[field] = norms
        return norms

    def _length_bytes(self, field: str) -> bytes | None:
        """The length bytes of every document, read at once from the column of one
        segment (``None``: read them one by one)."""
        if not self._blocks:
            return None
        try:
            column = self.reader._perdoc._cached_reader(_lenfield(field), LENGTHS_COLUMN)
            if column is None:
                return None
            raw = bytes(column._dbfile.get(column._basepos, column._count))
        except AttributeError:
            return None
        return raw + bytes(self.doc_count - len(raw))

    def _postings(self, field: str, term: str) -> tuple[list[int], list[float]]:
        matcher = self.reader.postings(field, term)
        ids: list[int] = []
        weights: list[float] = []
        if self._blocks and hasattr(matcher, "_read_ids"):
            while matcher.is_active():
                matcher._read_ids()
                matcher._read_weights()
                ids.extend(matcher._ids)
                weights.extend(matcher._weights)
                matcher._next_block()
        else:
            while matcher.is_active():
                ids.append(matcher.id())
                weights.append(matcher.weight())
                matcher.next()
        return ids, weights

    def get(self, term: str) -> dict[int, float]:
        cached = self._cache.get(term)
        if cached is not None:
            return cached
        scores: dict[int, float] = {}
        for field, boost in FIELDS.items():
            with self._lock:
                if (field, term) not in self.reader:
                    continue
                df = self.reader.doc_frequency(field, term)
                ids, weights = self._postings(field, term)
                norms = self._norm(field)
            idf = log(self.doc_count / (df + 1)) + 1
            k = K1 + 1
            for d, tf in zip(ids, weights, strict=True):
                # Whoosh: bm25(idf, tf, fl, avgfl, B, K1) * boost
                s = idf * ((tf * k) / (tf + norms[d])) * boost
                scores[d] = scores[d] + s if d in scores else s
        self._cache.put(term, scores, len(scores) + 1)
        return scores
