"""The Italian analyzer: what an operator types meets what the Carta says."""

from __future__ import annotations

import pytest

from carta.search.analysis import STEM_OVERRIDES, fold, is_stop, italian_analyzer, term_of, tokens


def analysed(text: str) -> list[str]:
    return [t.text for t in italian_analyzer()(text)]


def test_accents_are_folded_before_stemming() -> None:
    assert analysed("disabilità") == analysed("disabilita") == ["disabil"]
    assert analysed("Équipe") == analysed("equipe")
    assert analysed("povertà") == analysed("POVERTA")
    assert fold("Perché Città") == "perche citta"


@pytest.mark.parametrize(
    "forms",
    [
        ("anziano", "anziani", "anziana", "anziane"),
        ("familiare", "familiari"),
        ("quartiere", "quartieri"),
        ("ospedaliera", "ospedaliere", "ospedaliero", "ospedalieri"),
        ("ente", "enti"),
        ("genere", "generi"),
        ("diverso", "diversa", "diversi", "diverse"),
        ("minore", "minori"),
        ("famiglia", "famiglie"),
        ("badante", "badanti"),
        ("servizio", "servizi"),
        ("domiciliare", "domiciliari"),
        ("metropolitano", "metropolitani"),
    ],
)
def test_forms_people_treat_as_one_word_share_a_term(forms: tuple[str, ...]) -> None:
    terms = {term_of(form) for form in forms}
    assert len(terms) == 1, terms


def test_every_override_is_needed_and_keeps_siblings_together() -> None:
    from whoosh.lang import stemmer_for_language

    snowball = stemmer_for_language("it")
    groups: dict[str, list[str]] = {}
    for word, stem in STEM_OVERRIDES.items():
        groups.setdefault(stem, []).append(word)
        assert term_of(word) == stem, word
    # every group of sibling forms has at least one form that Snowball alone would split off
    # (the others are listed so that the group reads whole): no group is dead weight
    dead = [stem for stem, words in groups.items() if all(snowball(w) == stem for w in words)]
    assert dead == []


def test_stop_words_are_dropped_with_or_without_accent() -> None:
    assert analysed("perché il servizio è per le famiglie") == ["serviz", "famigl"]
    assert analysed("perche") == []
    assert is_stop("di") and is_stop("perche") and is_stop("a")
    assert not is_stop("casa")


def test_tokens_keep_inner_dots_and_split_apostrophes() -> None:
    assert [t for t, _, _ in tokens("L.328/2000 e l'assistenza")] == [
        "l.328",
        "2000",
        "e",
        "l",
        "assistenza",
    ]
