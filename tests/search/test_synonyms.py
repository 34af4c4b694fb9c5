"""The everyday vocabulary (``sinonimi.yaml``) leads only to words the Carta really uses."""

from __future__ import annotations

import pytest

from carta import yamlstrict
from carta.search.analysis import key, term_of, tokens
from carta.search.engine import Clause

from .conftest import SITES


@pytest.mark.parametrize("site", SITES)
def test_every_synonym_target_is_found_in_some_entry(site: str, engines) -> None:  # type: ignore[no-untyped-def]
    sinonimi = yamlstrict.load((SITES[site] / "sinonimi.yaml").read_text(encoding="utf-8"))
    engine = engines[site]
    missing = []
    for everyday, targets in sinonimi.items():
        for target in targets if isinstance(targets, list) else [targets]:
            terms = [t for w, _, _ in tokens(target) if (t := term_of(w))]
            if not engine._run([Clause([target], [terms], "exact")], True, None):
                missing.append(f"{everyday} → {target}")
    assert missing == []


@pytest.mark.parametrize("site", SITES)
def test_no_two_everyday_expressions_reduce_to_the_same_words(site: str) -> None:
    """Stop words are dropped before matching: "non ho una casa" would be "casa" again,
    and only one of the two could ever be used."""
    seen: dict[tuple[str, ...], str] = {}
    twins = []
    for everyday in yamlstrict.load((SITES[site] / "sinonimi.yaml").read_text(encoding="utf-8")):
        words = tuple(key(w) for w, _, _ in tokens(everyday) if term_of(w))
        if words in seen:
            twins.append(f"{everyday!r} = {seen[words]!r}")
        seen[words] = everyday
    assert twins == []
