"""The shipped Carte: the default content/ and the Bologna example pass the strict check,
build, and contain no contact data that their sources do not give."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from carta.pipeline import build, check

from .conftest import ROOT

SITES = {
    "content": ROOT / "content",
    "bologna": ROOT / "examples" / "bologna-metropolitana",
}
SEEDS = ROOT.parent / "shared" / "seeds"


@pytest.mark.parametrize("name", SITES)
def test_strict_check_passes(name: str) -> None:
    site, problems = check(SITES[name], strict=True, today=date.today())
    assert [str(p) for p in problems] == []
    assert site is not None


@pytest.mark.parametrize("name", SITES)
def test_site_builds_with_a_page_per_entry(name: str, tmp_path: Path) -> None:
    result = build(SITES[name], tmp_path / "site", today=date.today())
    site, _ = check(SITES[name], today=date.today())
    assert site is not None
    for entry in site.all_entries():
        assert (tmp_path / "site" / entry.url.strip("/") / "index.html").is_file(), entry.path
    assert result.pages > len(site.all_entries())


#: the tests that compare the Carte with their source documents need them beside the
#: repository; where they are absent the tests say so instead of passing silently
needs_seeds = pytest.mark.skipif(
    not SEEDS.is_dir(),
    reason="the source documents (../shared/seeds) are not beside the repository",
)


@pytest.mark.parametrize("name", SITES)
def test_every_entry_cites_its_sources(name: str) -> None:
    site, _ = check(SITES[name], today=date.today())
    assert site is not None
    for entry in [*site.servizi.values(), *site.enti.values(), *site.iniziative.values()]:
        assert entry.meta.fonti, entry.path


@needs_seeds
@pytest.mark.parametrize("name", SITES)
def test_every_source_is_a_seed_document(name: str) -> None:
    site, _ = check(SITES[name], today=date.today())
    assert site is not None
    seeds = {p.name for p in SEEDS.glob("*.txt")}
    unknown = [
        f"{entry.path}: {fonte.documento}"
        for entry in [*site.servizi.values(), *site.enti.values(), *site.iniziative.values()]
        for fonte in entry.meta.fonti
        if fonte.documento not in seeds
    ]
    assert unknown == []


PATTERNS = {
    "phone": re.compile(
        r"(?<![\w/.-])(?:\+39[\s.]?)?(?:0\d{1,3}|3\d{2}|800|803)[\s./-]?\d{3,4}[\s.-]?\d{2,4}(?![\w/-])"
    ),
    "email": re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+"),
    "web": re.compile(r"(?:https?://|www\.)[^\s)>\]\"']+", re.IGNORECASE),
    "street": re.compile(
        r"\b(?:[Vv]ia|[Vv]iale|[Pp]iazza|[Pp]iazzale|[Cc]orso|[Ll]argo|[Vv]icolo)\s+[A-Z][\w'.]*(?:\s+[\w'.]+){0,4}?,?\s+\d+\b"
    ),
    "hours": re.compile(r"\b\d{1,2}[.:]\d{2}\s*(?:-|–|alle)\s*\d{1,2}[.:]\d{2}\b"),
}


def normalise(text: str) -> str:
    text = re.sub(r"^https?://", "", text.lower())
    return re.sub(r"[\s./-]+", "", text).rstrip(",;:")


@needs_seeds
@pytest.mark.parametrize("name", SITES)
def test_no_contact_data_that_the_sources_do_not_give(name: str) -> None:
    seeds = normalise(" ".join(p.read_text(encoding="utf-8") for p in SEEDS.glob("*.txt")))
    invented = []
    for path in sorted(SITES[name].rglob("*")):
        if path.suffix not in (".md", ".yaml"):
            continue
        # amounts in euro are not phone numbers
        text = re.sub(r"(?m)^\s*importo:.*$", "", path.read_text(encoding="utf-8"))
        for kind, pattern in PATTERNS.items():
            for match in pattern.finditer(text):
                found = match.group(0).rstrip(".,;")
                if normalise(found) not in seeds:
                    invented.append(f"{path.relative_to(ROOT)}: {kind} {found!r}")
    assert invented == []


def test_the_fidelity_check_catches_invented_contacts() -> None:
    """The patterns above must really find what they look for."""
    samples = {
        "phone": "Telefono 0373 218711 oppure 333 1234567",
        "email": "scrivi a servizi.sociali@comune.crema.cr.it",
        "web": "vedi https://www.comune.crema.cr.it/servizi",
        "street": "in Via Manini 21, Crema",
        "hours": "aperto dalle 9.00 - 12.30",
    }
    for kind, sample in samples.items():
        assert PATTERNS[kind].search(sample), kind
    assert not PATTERNS["phone"].search("Legge 328/2000, DGR 2941/2014, anno 2015-2017")
