"""Query time: one query procedure over the prebuilt index, for the command line and the
server. ``templates/static/cerca.js`` implements the same procedure for the browser over the
exported index; ``tests/search`` checks that both return the same results.

The procedure:

1. The query (NFC, at most ``MAX_QUERY_CHARS`` characters) is split into words; stop words
   are dropped; at most ``MAX_WORDS`` words are kept.
2. Runs of words that spell an everyday expression of ``sinonimi.yaml`` become one clause
   whose alternatives are the expression and each of its targets (``badante`` →
   ``badante`` | ``assistenza domiciliare`` | …). Every other word becomes a clause with its
   indexed term, looked up in the vocabulary of the Carta; a word the Carta never uses
   becomes a clause of the terms of similar words (same first letter, at most 1 edit for
   words up to 5 letters, 2 beyond; a swap of two letters is one edit; closest first, then
   the longest common beginning, then the most frequent). Everyday words of a sentence
   (``FILLER_WORDS``: "riesco", "bisogno", "mia madre"…) are dropped when the query has
   other words.
3. A document matches a clause when it holds all the terms of one of its alternatives, in
   any field. Documents must match every clause; if none does and there are several
   clauses, documents matching any clause are returned, those matching more clauses first;
   if still none, every word is also widened to its similar words.
4. Score: the sum, over matched terms and fields, of Whoosh's BM25F (B=0.75, K1=1.2) times
   the field weight; ranked by the number of clauses matched, then by score rounded to 10
   significant digits, then by document order (services first, then initiatives, enti and
   pages, each by title). The engine reads each term's scores once from the Whoosh index
   (``scoring.py``) and adds them up as Whoosh's matchers would; only the documents that
   can reach the page shown are ranked.
5. A way forward: with fewer than ``LITTLE`` results, ``guidance`` names the entries of
   ``carta.yaml`` ``dove_chiedere`` and the areas; a query that reaches the emergency page
   (a synonym pointing to its title, e.g. ``violenza: [numeri utili]``) always gets it first.
   "Forse cercavi" replaces the words the Carta does not contain with their closest words,
   only when every such word has one and some entry holds every word of the suggestion (no
   entry holds every word as typed, since one of them is not in the Carta).
"""

from __future__ import annotations

import hashlib
import heapq
import html
import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index

from ..errors import CartaError
from .analysis import MIN_SIZE, key, marks_tokens, normalise, tokens
from .index import MANIFEST, SEARCH_DIR, WHOOSH_DIGESTS, WHOOSH_DIR
from .scoring import BoundedCache, TermScores

MAX_QUERY_CHARS = 200
MAX_WORDS = 12
MAX_LIMIT = 100
FUZZY_MIN = 4
SNIPPET_CHARS = 180
SNIPPET_LEAD = 60
#: fewer results than this: "little" (where to ask is shown)
LITTLE = 3
#: a correction two edits away is suggested only for words at least this long
SUGGEST_TWO_EDITS = 8
AREAS_LINK = {"titolo": "Servizi per area di bisogno", "url": "/aree/"}
MSG_COMMON = "Le parole cercate sono troppo comuni: aggiungi una parola più precisa."
MSG_EMPTY = "Scrivi una o più parole, ad esempio «assistenza domiciliare» o «affitto»."
MSG_ANY = (
    "Nessuna scheda contiene tutte le parole cercate: ecco quelle che ne contengono almeno una."
)
MSG_SIMILAR = "Nessun risultato esatto: ecco i risultati per parole simili."
MSG_NONE = "Prova con altre parole, anche una sola."
MSG_NONE_FILTERS = "Prova a togliere qualche filtro o a usare altre parole."
MSG_FILTERS_ONLY = "Prova a togliere qualche filtro."
ASK_TEXT = (
    "Non hai trovato quello che cerchi? Puoi chiedere a uno di questi servizi, "
    "oppure cercare tra i servizi per area di bisogno."
)
AREAS_TEXT = "Non hai trovato quello che cerchi? Cerca tra i servizi per area di bisogno."
#: after the emergency numbers
ASK_ALSO_TEXT = (
    "Puoi anche chiedere a uno di questi servizi, oppure cercare tra i servizi per area di bisogno."
)
AREAS_ALSO_TEXT = "Puoi anche cercare tra i servizi per area di bisogno."


class SearchIndexError(CartaError):
    """The search index is missing, or is not the one the build wrote."""


@dataclass
class Clause:
    words: list[str]
    groups: list[list[str]]
    kind: str  # "exact" | "synonym" | "fuzzy"
    suggestion: str | None = None


@dataclass
class Hit:
    slug: str
    tipo: str
    titolo: str
    sommario: str
    url: str
    score: float
    snippet: str
    #: on the index of another language: the language of the result's text (``it`` when
    #: the entry has no translation); ``None`` on the Italian index
    lingua: str | None = None


@dataclass
class SearchResult:
    query: str
    total: int
    suggestion: str | None
    message: str | None
    results: list[Hit]
    filters: dict[str, str] = field(default_factory=dict)
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    approximate: bool = False
    #: where to go next: {"text": sentence, "links": [{"titolo", "url"}], "urgent": bool}
    guidance: dict[str, Any] | None = None

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        for hit in data["results"]:
            hit["score"] = round(hit["score"], 6)
        return data


def osa_distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance (a swap of neighbours counts 1), capped at limit+1."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        best = current[0]
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                value = min(value, previous2[j - 2] + 1)
            current[j] = value
            best = min(best, value)
        if best > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[len(b)]


def rank_key(score: float, matched: int, docnum: int) -> tuple[int, float, int]:
    return (-matched, -float(f"{score:.10g}"), docnum)


def top_ranked(scores: dict[int, tuple[float, int]], count: int) -> list[int]:
    """The first ``count`` documents in rank order (``rank_key``), without ranking them all.

    Rounding a score to 10 significant digits moves it by less than 1e-9 of its value and
    never reverses two scores, so a document whose score is below the ``count``-th best
    score by more than that (or that matches fewer clauses) cannot reach the first
    ``count``: only the others are ranked."""
    if count >= len(scores):
        return sorted(scores, key=lambda n: rank_key(*scores[n], n))
    exact = heapq.nsmallest(count, scores.items(), key=lambda kv: (-kv[1][1], -kv[1][0], kv[0]))
    last_score, last_matched = exact[-1][1]
    floor = last_score - abs(last_score) * 2e-9
    candidates = [
        n
        for n, (score, matched) in scores.items()
        if matched > last_matched or (matched == last_matched and score >= floor)
    ]
    return sorted(candidates, key=lambda n: rank_key(*scores[n], n))[:count]


def common_prefix(a: str, b: str) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n


def entry_terms(entry: list[Any]) -> list[str]:
    """The terms of a vocabulary entry ``[spelling, term, df, other terms…]``: one, or two
    in the index of another language (see :mod:`carta.search.languages`)."""
    return [entry[1], *entry[3:]]


def bare(term: str) -> str:
    """A term without its language (``en:care`` → ``care``)."""
    return term[term.find(":") + 1 :]


class Engine:
    """Opens the index a build wrote into ``site_dir`` and answers queries: the Italian
    index, or with ``lang`` the index of that language (``_search/<lang>/``)."""

    def __init__(self, site_dir: Path, lang: str | None = None):
        root = site_dir / SEARCH_DIR
        if lang:
            root = root / lang
        manifest_path = root / MANIFEST
        if not manifest_path.is_file():
            raise SearchIndexError(
                f"nessun indice di ricerca in {root}: costruisci il sito con 'carta build'"
            )
        self.manifest: dict[str, Any] = json.loads(manifest_path.read_text(encoding="utf-8"))
        self._verify(root / WHOOSH_DIR)
        self.ix = whoosh_index.open_dir(str(root / WHOOSH_DIR))
        # one searcher for the life of the engine (the index of a build never changes; a new
        # build means a new engine)
        self.searcher = self.ix.searcher()
        self.term_scores = TermScores(self.searcher)
        self._clauses: BoundedCache[dict[int, float]] = BoundedCache()
        self._similar: BoundedCache[list[tuple[int, int, int, str]]] = BoundedCache(50_000)
        self._snippet_tokens: BoundedCache[list[tuple[int, int, str, tuple[str, ...]]]] = (
            BoundedCache(200_000)
        )
        self.words: dict[str, list[Any]] = {}
        for k in range(self.manifest["shards"]["words"]):
            self.words.update(json.loads((root / "w" / f"{k}.json").read_text(encoding="utf-8")))
        # the words by first letter and length: a similar word differs by at most 2 letters
        self.by_initial: dict[tuple[str, int], list[str]] = {}
        for word in self.words:
            self.by_initial.setdefault((word[0], len(word)), []).append(word)
        self.synonyms = sorted(self.manifest["synonyms"], key=lambda row: (-len(row[0]), row[0]))
        self.stop = set(self.manifest["stop"])
        #: the language of the index (``None``: Italian) and how its words are split
        self.lang: str | None = self.manifest.get("lang")
        self.tokens = marks_tokens if self.manifest.get("tokens") == "marks" else tokens
        #: the messages in the language of the index (Italian text → its translation)
        self.messages: dict[str, str] = self.manifest.get("messages", {})
        #: the documents whose text is in the language of the index
        self.translated: set[int] = set(self.manifest.get("translated", []))
        self.filler = set(self.manifest.get("filler", []))
        self.guide: dict[str, Any] = self.manifest.get("guidance") or {"ask": [], "emergency": None}
        self.sub_ambito_of: dict[str, str] = self.manifest["sub_ambito_of"]
        self.labels: dict[str, dict[str, str]] = self.manifest["labels"]
        #: the path the Carta lives under (``/carta`` for url_base https://esempio.it/carta/)
        self.prefix: str = self.manifest.get("prefix", "")
        self.docs: list[dict[str, Any]] = []
        stored = sorted(self.searcher.reader().all_stored_fields(), key=lambda d: d["docnum"])
        for d in stored:
            self.docs.append(
                {
                    "slug": d["slug"],
                    "tipo": d["tipo"],
                    "titolo": d["titolo_s"],
                    "sommario": d["sommario_s"],
                    "url": d["url"],
                    "estratto": d["estratto"],
                    "facets": {
                        "aree": _split(d["aree"]),
                        "destinatari": _split(d["destinatari"]),
                        "comuni": _split(d["comuni"]),
                        "costo": _split(d["costo"]),
                        "tipo": [d["tipo"]],
                    },
                }
            )

    def _verify(self, folder: Path) -> None:
        """Open only the index this project's build wrote: the very files, unchanged, that the
        build listed in ``whoosh.sha256`` (Whoosh unpickles its table of contents when it opens
        an index)."""
        digests = folder.parent / WHOOSH_DIGESTS
        expected: dict[str, str] = {}
        if digests.is_file() and not digests.is_symlink():
            for line in digests.read_text(encoding="utf-8").splitlines():
                digest, _, name = line.partition("  ")
                expected[name] = digest
        if not folder.is_dir() or folder.is_symlink() or not expected:
            raise SearchIndexError(f"indice di ricerca assente o non valido in {folder}")
        present = {p.name for p in folder.iterdir()}
        if present != set(expected):
            raise SearchIndexError(
                f"l'indice in {folder} non è quello scritto dalla costruzione del sito"
            )
        for name, digest in expected.items():
            path = folder / name
            if path.is_symlink() or hashlib.sha256(path.read_bytes()).hexdigest() != digest:
                raise SearchIndexError(
                    f"l'indice in {folder} è stato modificato dopo la costruzione: ricostruisci il sito"
                )

    def close(self) -> None:
        self.searcher.close()
        self.ix.close()

    # --- planning -----------------------------------------------------------------------

    def word(self, folded: str) -> list[Any] | None:
        return self.words.get(folded)

    def is_stop(self, word: str) -> bool:
        return len(word) < MIN_SIZE or word in self.stop or key(word) in self.stop

    def say(self, message: str) -> str:
        """``message`` in the language of the index."""
        return self.messages.get(message, message)

    def similar(self, folded: str) -> list[tuple[int, int, int, str]]:
        """(distance, -common beginning, -df, word) of the vocabulary words close to
        ``folded``, best first."""
        if len(folded) < FUZZY_MIN:
            return []
        cached = self._similar.get(folded)
        if cached is not None:
            return cached
        limit = 1 if len(folded) <= 5 else 2
        found = []
        for size in range(len(folded) - limit, len(folded) + limit + 1):
            for word in self.by_initial.get((folded[0], size), ()):
                if word == folded:
                    continue
                distance = osa_distance(folded, word, limit)
                if distance <= limit:
                    found.append(
                        (distance, -common_prefix(folded, word), -self.words[word][2], word)
                    )
        found.sort()
        self._similar.put(folded, found, len(found) + 1)
        return found

    def expand(self, word: str) -> tuple[list[str], str | None]:
        """The terms of the vocabulary words similar to ``word`` (a lookup key), and the one
        to suggest: the best, when it is one edit away (two for words of ``SUGGEST_TWO_EDITS``
        letters or more: "incinta" is not a typo of "incontra")."""
        similar = self.similar(word)
        terms = sorted({t for *_, w in similar for t in entry_terms(self.words[w])})
        close = similar and similar[0][0] <= (1 if len(word) < SUGGEST_TWO_EDITS else 2)
        return terms, (self.words[similar[0][-1]][0] if close else None)

    def plan(self, query: str) -> list[Clause]:
        text = normalise(query)[:MAX_QUERY_CHARS]
        words = [w for w, _, _ in self.tokens(text) if not self.is_stop(w)][:MAX_WORDS]
        folded = [key(w) for w in words]
        clauses: list[Clause] = []
        filler: list[Clause] = []
        i = 0
        while i < len(folded):
            for expression, groups in self.synonyms:
                if folded[i : i + len(expression)] == expression:
                    clauses.append(
                        Clause(words[i : i + len(expression)], [list(g) for g in groups], "synonym")
                    )
                    i += len(expression)
                    break
            else:
                entry = self.word(folded[i])
                if entry is not None:
                    clauses.append(Clause([words[i]], [[t] for t in entry_terms(entry)], "exact"))
                else:
                    terms, best = self.expand(folded[i])
                    clauses.append(Clause([words[i]], [[t] for t in terms], "fuzzy", best))
                if folded[i] in self.filler:
                    filler.append(clauses[-1])
                i += 1
        if len(filler) < len(clauses):
            clauses = [c for c in clauses if not any(c is f for f in filler)]
        unique: list[Clause] = []
        seen: set[str] = set()
        for clause in clauses:
            signature = json.dumps(sorted(clause.groups))
            if signature not in seen:
                seen.add(signature)
                unique.append(clause)
        return unique

    def widen(self, clauses: list[Clause]) -> list[Clause]:
        """Every exact word also accepts its similar words (the last retry)."""
        wider = []
        for clause in clauses:
            if clause.kind != "exact":
                wider.append(clause)
                continue
            terms, best = self.expand(key(clause.words[0]))
            own = {g[0] for g in clause.groups}
            extra = [t for t in terms if t not in own]
            wider.append(
                Clause(
                    clause.words,
                    clause.groups + [[t] for t in extra],
                    "fuzzy" if extra else "exact",
                    best,
                )
            )
        return wider

    # --- running ------------------------------------------------------------------------

    def _clause_scores(self, clause: Clause) -> dict[int, float]:
        """Document → score of the documents matching ``clause``: what Whoosh returns for
        ``Or([And([Or([Term(field, term, boost=weight) for each field]) for each term of a
        group]) for each group])``, computed from the scores of each term (cached)."""
        groups = [tuple(group) for group in clause.groups]
        signature = tuple(groups)
        cached = self._clauses.get(signature)
        if cached is not None:
            return cached
        out: dict[int, float] = {}
        for group in groups:
            scores = self.term_scores.get(group[0])
            for term in group[1:]:
                more = self.term_scores.get(term)
                scores = {d: s + more[d] for d, s in scores.items() if d in more}
            if not out:
                out = dict(scores)
            else:
                for d, s in scores.items():
                    out[d] = out[d] + s if d in out else s
        self._clauses.put(signature, out, len(out) + 1)
        return out

    def _filter_docs(self, filters: dict[str, str]) -> set[int] | None:
        if not filters:
            return None
        keep = set()
        for n, doc in enumerate(self.docs):
            f = doc["facets"]
            if "area" in filters and filters["area"] not in f["aree"]:
                continue
            if "destinatari" in filters and filters["destinatari"] not in f["destinatari"]:
                continue
            if "comune" in filters and filters["comune"] not in f["comuni"]:
                continue
            if "tipo" in filters and filters["tipo"] != doc["tipo"]:
                continue
            if "gratuito" in filters and "gratuito" not in f["costo"]:
                continue
            keep.add(n)
        return keep

    def _run(
        self, clauses: list[Clause], every: bool, allowed: set[int] | None
    ) -> dict[int, tuple[float, int]]:
        """Document → (score, clauses it matches): documents matching every clause, or any."""
        per_clause: list[dict[int, float]] = []
        for clause in clauses:
            if not clause.groups:
                if every:
                    return {}
                continue
            per_clause.append(self._clause_scores(clause))
        if not per_clause:
            return {}
        if len(per_clause) == 1:
            only = per_clause[0]
            return {d: (only[d], 1) for d in sorted(only) if allowed is None or d in allowed}
        if every:
            docs = set(per_clause[0]).intersection(*per_clause[1:])
        else:
            docs = set().union(*per_clause)
        out: dict[int, tuple[float, int]] = {}
        for d in sorted(docs):
            if allowed is not None and d not in allowed:
                continue
            score, matched = 0.0, 0
            for found in per_clause:
                if d in found:
                    score += found[d]
                    matched += 1
            out[d] = (score, matched)
        return out

    def _answer(
        self, clauses: list[Clause], allowed: set[int] | None
    ) -> tuple[dict[int, tuple[float, int]], list[Clause], str]:
        """The procedure: every clause, else any clause, else similar words. Returns the
        scores, the clauses used and how they matched ("all", "any" or "similar")."""
        scores = self._run(clauses, True, allowed)
        how = "all"
        if not scores and len(clauses) > 1:
            scores, how = self._run(clauses, False, allowed), "any"
        if not scores:
            wider = self.widen(clauses)
            if any(c.kind == "fuzzy" for c in wider):
                found = self._run(wider, False, allowed)
                if found:
                    return found, wider, "similar"
        return scores, clauses, how

    def clean_filters(self, raw: dict[str, Any]) -> dict[str, str]:
        """Keep only known filters with known values (anything else is ignored)."""
        out: dict[str, str] = {}
        allowed: dict[str, dict[str, Any]] = {
            "area": self.labels["aree"],
            "destinatari": self.labels["destinatari"],
            "comune": self.labels["comuni"],
            "tipo": self.labels["tipo"],
        }
        for name, values in allowed.items():
            value = raw.get(name)
            if isinstance(value, str) and value in values:
                out[name] = value
        if str(raw.get("gratuito", "")).lower() in ("1", "true", "si", "sì", "on"):
            out["gratuito"] = "1"
        return out

    def search(
        self,
        query: str,
        *,
        filters: dict[str, Any] | None = None,
        limit: int = 20,
        offset: int = 0,
        counts: bool = False,
    ) -> SearchResult:
        """Answer ``query``; with ``counts``, also count the results per filter value."""
        query = normalise(query or "").replace("\x00", "")[:MAX_QUERY_CHARS].strip()
        limit = max(1, min(int(limit), MAX_LIMIT))
        offset = max(0, int(offset))
        chosen = self.clean_filters(filters or {})
        allowed = self._filter_docs(chosen)
        planned = clauses = self.plan(query)
        message: str | None = None
        approximate = any(c.kind == "fuzzy" for c in clauses)
        if not clauses:
            if query and not chosen:
                message = self.say(MSG_COMMON)
            elif not chosen:
                message = self.say(MSG_EMPTY)
            scores = {n: (0.0, 0) for n in sorted(allowed)} if allowed is not None else {}
            if chosen and not scores:
                message = self.say(MSG_FILTERS_ONLY)
        else:
            scores, clauses, how = self._answer(clauses, allowed)
            approximate = approximate or how == "similar"
            if not scores:
                message = self.say(MSG_NONE_FILTERS if chosen else MSG_NONE)
            elif how == "any":
                message = self.say(MSG_ANY)
            elif approximate:
                message = self.say(MSG_SIMILAR)
        ranked = top_ranked(scores, offset + limit)
        terms = {t for c in clauses for g in c.groups for t in g}
        results = [self._hit(n, scores[n][0], terms) for n in ranked[offset : offset + limit]]
        return SearchResult(
            query=query,
            total=len(scores),
            suggestion=self._suggest(query, planned, allowed),
            message=message,
            results=results,
            filters=chosen,
            facets=self._facets(list(scores)) if counts else {},
            approximate=approximate,
            guidance=self._guidance(bool(query or chosen), planned, len(scores)),
        )

    def _guidance(self, searched: bool, planned: list[Clause], total: int) -> dict[str, Any] | None:
        """Where to go next: the emergency page when the query reaches it, and with few
        results the entries where to ask and the areas."""
        emergency = self.guide.get("emergency")
        urgent = emergency is not None and any(emergency["terms"] in c.groups for c in planned)
        few = searched and total < LITTLE
        if not urgent and not few:
            return None
        text: list[str] = []
        links: list[dict[str, str]] = []
        if urgent and emergency is not None:
            text.append(emergency["testo"])
            links.append({"titolo": emergency["titolo"], "url": emergency["url"]})
        if few:
            ask = [dict(link) for link in self.guide.get("ask", [])]
            if urgent:
                text.append(self.say(ASK_ALSO_TEXT if ask else AREAS_ALSO_TEXT))
            else:
                text.append(self.say(ASK_TEXT if ask else AREAS_TEXT))
            areas = self.guide.get("areas") or AREAS_LINK
            links += [link for link in ask if link not in links] + [dict(areas)]
        return {"text": " ".join(text), "links": links, "urgent": urgent}

    def _suggest(self, query: str, planned: list[Clause], allowed: set[int] | None) -> str | None:
        """A correction of the words the Carta does not contain (see the module docstring)."""
        unknown = [c for c in planned if c.kind == "fuzzy"]
        if not unknown or any(c.suggestion is None for c in unknown):
            return None
        # a word the Carta does not contain: no entry holds every word as typed
        replace = {key(c.words[0]): c.suggestion for c in unknown if c.suggestion is not None}
        typed = [w for w, _, _ in self.tokens(query)]
        suggestion = " ".join(replace.get(key(w), w) for w in typed)
        if key(suggestion) == key(" ".join(typed)):
            return None
        if not self._run(self.plan(suggestion), True, allowed):
            return None  # the suggestion would find no more
        return suggestion

    @cached_property
    def _facet_pairs(self) -> list[tuple[tuple[str, str], ...]]:
        """Per document, its (filter, value) pairs, for counting results per filter value
        (made on the first search that counts)."""
        return [
            tuple((name, value) for name, values in doc["facets"].items() for value in values)
            for doc in self.docs
        ]

    def _facets(self, ranked: list[int]) -> dict[str, dict[str, int]]:
        counts: dict[str, dict[str, int]] = {
            "tipo": {},
            "aree": {},
            "destinatari": {},
            "comuni": {},
            "costo": {},
        }
        pairs = self._facet_pairs
        for (name, value), count in Counter(p for n in ranked for p in pairs[n]).items():
            counts[name][value] = count
        return counts

    def _hit(self, n: int, score: float, terms: set[str]) -> Hit:
        doc = self.docs[n]
        return Hit(
            slug=doc["slug"],
            tipo=doc["tipo"],
            titolo=doc["titolo"],
            sommario=doc["sommario"],
            url=doc["url"],
            score=score,
            snippet=self.snippet(doc["estratto"], terms),
            lingua=(self.lang if n in self.translated else "it") if self.lang else None,
        )

    def snippet(self, text: str, terms: set[str]) -> str:
        """A short passage of ``text`` around the first matched word, matches in ``<mark>``
        (HTML, escaped)."""
        # only words that begin like a matched term are looked up (the browser fetches the
        # vocabulary in shards and should not need all of them for a snippet)
        prefixes = {bare(t)[:3] for t in terms}
        analysed = self._analyse(text)
        spans = [
            (start, end)
            for start, end, prefix, found in analysed
            if prefix in prefixes and any(t in terms for t in found)
        ]
        start = 0
        if spans and spans[0][0] > SNIPPET_LEAD:
            start = spans[0][0] - SNIPPET_LEAD
            start = next((s for s, _, _, _ in analysed if s >= start), spans[0][0])
        end = min(len(text), start + SNIPPET_CHARS)
        if end < len(text):
            end = max((e for _, e, _, _ in analysed if e <= end), default=end)
        out = ["… " if start > 0 else ""]
        cursor = start
        for s, e in spans:
            if s < start or e > end:
                continue
            out.append(html.escape(text[cursor:s]))
            out.append(f"<mark>{html.escape(text[s:e])}</mark>")
            cursor = e
        out.append(html.escape(text[cursor:end]))
        if end < len(text):
            out.append(" …")
        return "".join(out)

    def _analyse(self, text: str) -> list[tuple[int, int, str, tuple[str, ...]]]:
        """The words of ``text``: (start, end, first three letters of the lookup key, its
        terms, none for a stop word or a word not in the vocabulary), cached per text."""
        cached = self._snippet_tokens.get(text)
        if cached is not None:
            return cached
        out: list[tuple[int, int, str, tuple[str, ...]]] = []
        for word, start, end in self.tokens(text):
            folded = key(word)
            entry = None if self.is_stop(word) else self.words.get(folded)
            out.append((start, end, folded[:3], tuple(entry_terms(entry)) if entry else ()))
        self._snippet_tokens.put(text, out, len(out) + 1)
        return out


def _split(value: str) -> list[str]:
    return [v for v in (value or "").split(",") if v]
