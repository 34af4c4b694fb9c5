"""The Italian analyzer, shared by the index, the server, the command line and (through the
exported vocabulary) the browser.

Whoosh pickles the analyzer into the index by reference, so the names in this module
(``stem_it``, ``italian_analyzer``) must stay importable; rename them and the index must be
rebuilt (it is, on every build).
"""

from __future__ import annotations

import re
import sys
import unicodedata
from functools import lru_cache
from typing import Any

from whoosh.analysis import (
    CharsetFilter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
)
from whoosh.lang import stemmer_for_language, stopwords_for_language
from whoosh.support.charset import accent_map

#: one token: letters and digits, with inner dots kept (``l.328``); the browser script uses
#: the same expression (``\p{L}\p{N}_`` in place of ``\w``)
TOKEN_PATTERN = r"\w+(?:\.?\w+)*"
TOKEN_RE = re.compile(TOKEN_PATTERN)
MIN_SIZE = 2

#: Snowball's Italian stemmer splits forms that people treat as one word (it reads "-ano",
#: "-are", "-ere" as verb endings): these folded forms get the stem of their siblings.
STEM_OVERRIDES: dict[str, str] = {
    "anziano": "anzian",
    "metropolitano": "metropolitan",
    "italiano": "italian",
    "domiciliari": "domicil",
    "familiare": "familiar",
    "familiari": "familiar",
    "quartiere": "quartier",
    "quartieri": "quartier",
    "ospedaliera": "ospedalier",
    "ospedaliere": "ospedalier",
    "ospedaliero": "ospedalier",
    "ospedalieri": "ospedalier",
    "ente": "ent",
    "enti": "ent",
    "genere": "gener",
    "generi": "gener",
    "alimentare": "alimentar",
    "alimentari": "alimentar",
    "particolare": "particolar",
    "particolari": "particolar",
    "regolare": "regolar",
    "regolari": "regolar",
    "titolare": "titolar",
    "titolari": "titolar",
    "diverso": "divers",
    "diversa": "divers",
    "diversi": "divers",
    "diverse": "divers",
    "concreto": "concret",
    "concreta": "concret",
    "concreti": "concret",
    "concrete": "concret",
    "complementare": "complementar",
    "complementari": "complementar",
    "multidisciplinare": "multidisciplinar",
    "multidisciplinari": "multidisciplinar",
}

_snowball = stemmer_for_language("it")


def fold(word: str) -> str:
    """Lowercase and strip accents: ``Disabilità`` → ``disabilita``."""
    return word.lower().translate(accent_map)


#: Arabic letters and marks a search does not tell apart: tashkeel (U+064B–U+0652) and the
#: superscript alef (U+0670) removed, the tatweel (U+0640) removed, أ إ آ ٱ → ا, ة → ه,
#: ى → ي (the Arabic analyzer of :mod:`carta.search.languages`; ``fold`` in cerca.js)
ARABIC_STRIPPED = "".join(chr(c) for c in range(0x064B, 0x0653)) + "\u0670\u0640"
ARABIC_MAP = str.maketrans(
    {**dict.fromkeys(ARABIC_STRIPPED), "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ى": "ي"}
)


def arabic_normalise(word: str) -> str:
    """The Arabic analyzer's only transformation (it does not stem)."""
    return word.translate(ARABIC_MAP)


@lru_cache(maxsize=262144)
def key(word: str) -> str:
    """How a word is looked up in the exported vocabulary: lowercase, decomposed, combining
    marks removed, Arabic normalised (:func:`arabic_normalise`) — exactly what the browser
    script computes (``fold`` in cerca.js). The indexed *term* still comes from
    :func:`term_of`, which folds as the analyzer does."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).translate(ARABIC_MAP)


def normalise(text: str) -> str:
    """Unicode NFC, so that accented letters are single characters in every runtime."""
    return unicodedata.normalize("NFC", text)


#: Italian stop words, with and without accents (``perché`` and ``perche``)
STOP_WORDS: frozenset[str] = frozenset(
    {w for w in stopwords_for_language("it")} | {fold(w) for w in stopwords_for_language("it")}
)


#: Words of everyday sentences that say nothing about the need ("non *riesco* a pagare",
#: "mio *figlio* ha *bisogno*"): a query drops them when it has other words, so that a
#: whole sentence finds what its other words find. Folded (no accents).
FILLER_WORDS: frozenset[str] = frozenset(
    {
        "aiutami",
        "aiutatemi",
        "aiutare",
        "avere",
        "bisogna",
        "bisogno",
        "buonasera",
        "buongiorno",
        "cerca",
        "cercando",
        "cerchiamo",
        "cerco",
        "chiedere",
        "chiedo",
        "ciao",
        "cosa",
        "dare",
        "devo",
        "deve",
        "devono",
        "dobbiamo",
        "dovrei",
        "dovrebbe",
        "essere",
        "fare",
        "favore",
        "grazie",
        "parlare",
        "parlane",
        "parlarne",
        "parlo",
        "anno",
        "anni",
        "mese",
        "mesi",
        "giorni",
        "settimane",
        "troppo",
        "tanto",
        "molto",
        "stare",
        "solo",
        "sola",
        "subisce",
        "subisco",
        "subiscono",
        "subire",
        "pagare",
        "posso",
        "possiamo",
        "possono",
        "potete",
        "potrei",
        "potrebbe",
        "puo",
        "qualcosa",
        "qualcuno",
        "riesce",
        "riesci",
        "riesco",
        "riescono",
        "riusciamo",
        "riuscire",
        "salve",
        "sapere",
        "sapete",
        "serve",
        "servirebbe",
        "servono",
        "so",
        "sta",
        "trovare",
        "trovo",
        "vorrei",
        "vorremmo",
        "vuole",
        "voglio",
        "vogliamo",
        "madre",
        "padre",
        "mamma",
        "papa",
        "figlio",
        "figlia",
        "figlie",
        "marito",
        "moglie",
        "compagno",
        "compagna",
        "fratello",
        "sorella",
        "nonno",
        "nonna",
        "suocera",
        "suocero",
        "zio",
        "zia",
    }
)


#: how many stems each language's stemmer remembers, for every index of the process (Whoosh's
#: own cache, one per filter, starts empty with each index and is slower)
STEM_CACHE = 1 << 18


@lru_cache(maxsize=STEM_CACHE)
def stem_it(word: str) -> str:
    """Stem a folded word; the override list wins over Snowball."""
    return STEM_OVERRIDES.get(word) or _snowball(word)


class SortedStopFilter(StopFilter):
    """A StopFilter that pickles its stop words in sorted order. Whoosh pickles the analyzer
    into the index; a frozenset pickles in hash order, which changes from one Python process
    to the next, and the index would not be byte-identical between two builds."""

    def __getstate__(self) -> dict[str, object]:
        state = dict(self.__dict__)
        state["stops"] = sorted(state["stops"])
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        state = dict(state)
        state["stops"] = frozenset(state["stops"])
        self.__dict__.update(state)


def italian_analyzer():  # type: ignore[no-untyped-def]
    """Tokenise, lowercase, drop stop words, fold accents, stem (folding comes before
    stemming, so ``disabilita`` and ``disabilità`` always meet)."""
    return (
        RegexTokenizer(TOKEN_PATTERN)
        | LowercaseFilter()
        | SortedStopFilter(stoplist=STOP_WORDS, minsize=MIN_SIZE)
        | CharsetFilter(accent_map)
        | StemFilter(stemfn=stem_it, cachesize=None)  # stem_it has its own cache
    )


def _mark_ranges() -> str:
    """Every combining mark (Unicode category M), as the body of a character class."""
    out: list[str] = []
    start = None
    for c in range(sys.maxunicode + 2):
        mark = c <= sys.maxunicode and unicodedata.category(chr(c)).startswith("M")
        if mark and start is None:
            start = c
        elif not mark and start is not None:
            out.append(f"{re.escape(chr(start))}-{re.escape(chr(c - 1))}")
            start = None
    return "".join(out)


#: the words of the indexes of the other languages: letters, digits and combining marks
#: (a vowelled Arabic word is one word), inner dots kept; cerca.js: ``[\p{L}\p{N}\p{M}_]``
_WORD = rf"[\w{_mark_ranges()}]"
MARKS_TOKEN_PATTERN = rf"{_WORD}+(?:\.?{_WORD}+)*"
MARKS_TOKEN_RE = re.compile(MARKS_TOKEN_PATTERN)


def marks_tokens(text: str) -> list[tuple[str, int, int]]:
    """Like :func:`tokens`, with combining marks inside words (:data:`MARKS_TOKEN_PATTERN`)."""
    text = normalise(text)
    return [(m.group(0).lower(), m.start(), m.end()) for m in MARKS_TOKEN_RE.finditer(text)]


def tokens(text: str) -> list[tuple[str, int, int]]:
    """Surface tokens of ``text``, lowercased, with their character spans."""
    text = normalise(text)
    return [(m.group(0).lower(), m.start(), m.end()) for m in TOKEN_RE.finditer(text)]


def is_stop(word: str) -> bool:
    return len(word) < MIN_SIZE or word in STOP_WORDS or key(word) in STOP_WORDS


@lru_cache(maxsize=262144)
def term_of(word: str) -> str | None:
    """The indexed term of a lowercased surface word (``None`` for a stop word)."""
    if is_stop(word):
        return None
    return stem_it(fold(word))
