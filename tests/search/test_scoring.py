"""The engine scores queries itself from per-term maps read once from the Whoosh index: the
documents and scores must be the ones Whoosh's own matchers give, and a warm engine shared by
the server's threads must answer as a fresh one does."""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from whoosh.query import And, Or, Term

from carta.search.documents import FIELDS
from carta.search.engine import Clause, Engine

from .conftest import QUERIES, SITES


def whoosh_query(clause: Clause) -> Or:
    return Or(
        [
            And([Or([Term(f, t, boost=boost) for f, boost in FIELDS.items()]) for t in group])
            for group in clause.groups
        ]
    )


def clauses_of(engine: Engine, site: str) -> list[Clause]:
    out = []
    for item in QUERIES[site]:
        planned = engine.plan(item["q"])
        out += planned + engine.widen(planned)
    # a term repeated in a group, and a group repeated: Whoosh counts each time
    out.append(Clause(["x"], [["assistent", "assistent"], ["assistent"], ["domicil"]], "synonym"))
    return out


@pytest.mark.parametrize("site", SITES)
def test_clause_scores_are_whooshs(site: str, engines: dict[str, Engine]) -> None:
    engine = engines[site]
    compared = 0
    with engine.ix.searcher() as searcher:
        for clause in clauses_of(engine, site):
            if not clause.groups:
                continue
            expected = {
                h.docnum: h.score for h in searcher.search(whoosh_query(clause), limit=None)
            }
            got = engine._clause_scores(clause)
            assert set(got) == set(expected), clause
            for d, score in expected.items():
                assert math.isclose(got[d], score, rel_tol=1e-12), (clause, d, got[d], score)
            compared += len(expected)
    assert compared > 1000


def test_a_shared_warm_engine_answers_as_a_fresh_one(search_sites: dict[str, Path]) -> None:
    queries = [item["q"] for item in QUERIES["content"]] + ["anzaini", "sosteno", "casa"]
    fresh = Engine(search_sites["content"])
    expected = {q: fresh.search(q, counts=True).as_json() for q in queries}
    fresh.close()
    shared = Engine(search_sites["content"])
    try:
        with ThreadPoolExecutor(max_workers=4) as pool:
            answers = list(pool.map(lambda q: shared.search(q, counts=True).as_json(), queries * 3))
    finally:
        shared.close()
    assert answers == [expected[q] for q in queries * 3]


def test_the_first_page_is_ranked_as_if_every_result_were() -> None:
    import random

    from carta.search.engine import rank_key, top_ranked

    rng = random.Random(7)
    scores: dict[int, tuple[float, int]] = {}
    for n in range(3000):
        scores[n] = (rng.random() * 10, rng.choice([1, 2]))
    for n in range(100, 400):
        # equal once rounded to 10 digits, the later documents a hair higher: the earlier
        # ones come first
        scores[n] = (12.5 * (1 + n * 1e-13), 2)
    everything = sorted(scores, key=lambda n: rank_key(*scores[n], n))
    assert everything[:3] == [100, 101, 102]
    for count in (1, 5, 20, 40, 300, 301, 2999, 3000, 5000):
        assert top_ranked(scores, count) == everything[:count]
